"""/supplier/bank-details/ …"""

urlpatterns: list = []
