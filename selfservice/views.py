from django.contrib.auth.decorators import login_required

from portal.core.workspaces import CUSTOMER, workspace_dashboard


@login_required
def dashboard(request):
    """The customer's start page: their partner, tasks, notifications and colleagues (404 for non-customers)."""
    return workspace_dashboard(request, CUSTOMER, "selfservice/dashboard.html")
