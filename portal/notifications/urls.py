from django.urls import path

from . import views

urlpatterns = [
    path("", views.inbox, name="notification_inbox"),
    path("read-all/", views.read_all, name="notification_read_all"),
    path("settings/", views.email_settings, name="notification_settings"),
    path("<uuid:notification_id>/read/", views.read, name="notification_read"),
]
