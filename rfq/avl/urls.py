"""/supplier/approvals/ …"""

urlpatterns: list = []
