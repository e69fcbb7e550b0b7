"""The e-mail copy: once, after commit, in the recipient's language, with a link to the object; none when the
person switched e-mail off for the group (the inbox row exists all the same)."""

import subprocess
import sys

import pytest
from django.core import mail
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.users.models import UserProfile

from portal.notifications.emails import notification_email_send
from portal.notifications.kinds import notification_kinds, register_kind
from portal.notifications.models import Notification, NotificationPreference
from portal.notifications.services import notify
from portal.notifications.tasks import send_notification_email

KIND = "tests.email"


@pytest.fixture(autouse=True)
def email_kind(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://portal.example.test"
    # already translated msgids, so the Chinese copy is exact without a catalogue of the test's own
    register_kind(KIND, title=_("Approved"), body=_("Rejected"), group="onboarding")
    yield
    notification_kinds.unregister(KIND)


def set_language(user, language):
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": language})


@pytest.mark.parametrize(
    ("language", "subject", "body"), [("zh-hans", "已批准", "已驳回"), ("en", "Approved", "Rejected")]
)
def test_sent_once_after_commit_in_the_recipients_language(
    cast, django_capture_on_commit_callbacks, language, subject, body
):
    user = cast.supplier_a_sales
    set_language(user, language)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[user], kind=KIND, url="/supplier/")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.subject == subject
    assert message.body == f"{body}\n\nhttps://portal.example.test/supplier/"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="https://portal.example.test/supplier/"' in html
    assert f'<h1 style="margin:0 0 12px;font-size:18px;">{subject}</h1>' in html
    assert ("集团协同门户" if language == "zh-hans" else "Group Portal") in html
    assert 'href="https://portal.example.test/account/inbox/settings/"' in html

    notification = Notification.objects.get(recipient=user)
    send_notification_email(notification.pk)  # the task again (a retry, a duplicate delivery)
    assert notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_nothing_sent_on_rollback(cast):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[cast.supplier_a_sales], kind=KIND)
        raise RuntimeError("the business action failed")
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_no_email_when_the_group_is_switched_off(cast, django_capture_on_commit_callbacks):
    user = cast.supplier_a_sales
    NotificationPreference.objects.create(user=user, group="onboarding", email_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[user, cast.supplier_a_admin], kind=KIND)
    assert Notification.objects.filter(recipient=user).count() == 1
    assert [message.to for message in mail.outbox] == [[cast.supplier_a_admin.email]]
    assert Notification.objects.get(recipient=user).emailed_at is None


def test_no_email_for_another_group_switched_off(cast, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=cast.supplier_a_sales, group="orders", email_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[cast.supplier_a_sales], kind=KIND)
    assert len(mail.outbox) == 1


def test_the_email_task_is_registered_without_a_worker():
    # notify() looks the task up by name in the web process, where Celery's autodiscovery never ran
    code = (
        "import django; django.setup(); from portal import celery_app; "
        "print('portal.notifications.tasks.send_notification_email' in celery_app.tasks)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={
            "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
            "PATH": "/usr/bin:/bin",
            "PORTAL_VAR_DIR": "/tmp/portal-var-check",
        },
    )
    assert result.stdout.strip() == "True"
