from django.urls import path

from . import views

urlpatterns = [
    path("", views.account_home, name="account_home"),
    path("preferences/", views.preferences, name="account_preferences"),
    path("switch/<uuid:partner_id>/", views.switch_partner, name="account_switch_partner"),
    path("team/", views.team, name="account_team"),
    path("team/<uuid:membership_id>/", views.team_member, name="account_team_member"),
]
