"""/supplier/qualification/ …"""

urlpatterns: list = []
