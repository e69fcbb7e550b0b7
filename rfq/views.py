from django.contrib.auth.decorators import login_required

from portal.core.workspaces import SUPPLIER, workspace_dashboard


@login_required
def dashboard(request):
    """The supplier's start page: their partner, tasks, notifications and colleagues (404 for non-suppliers)."""
    return workspace_dashboard(request, SUPPLIER, "rfq/dashboard.html")
