"""The person's inbox at /account/inbox/: their notifications, marking read, and which e-mails they get."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .forms import EmailPreferencesForm
from .kinds import groups_in_order
from .selectors import email_preferences_of, get_notification_for_user, notifications_of
from .services import notification_mark_read, notification_preferences_set, notifications_mark_all_read

PAGE_SIZE = 25


@login_required
def inbox(request):
    page = Paginator(notifications_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "notifications": page.object_list})


@login_required
@require_POST
def read(request, notification_id):
    """Mark read and go to the object it is about (someone else's notification: 404)."""
    notification = get_notification_for_user(request.user, notification_id)
    notification_mark_read(user=request.user, notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notification_inbox"
    return redirect(target)


@login_required
@require_POST
def read_all(request):
    count = notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("notification_inbox")


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request):
    groups = groups_in_order()
    current = [group.key for group, enabled in email_preferences_of(request.user) if enabled]
    form = EmailPreferencesForm(request.POST or None, groups=groups, initial={"email_groups": current})
    if request.method == "POST" and form.is_valid():
        notification_preferences_set(user=request.user, email_groups=form.cleaned_data["email_groups"])
        messages.success(request, _("Your e-mail choices were saved."))
        return redirect("notification_settings")
    return render(request, "notifications/settings.html", {"form": form})
