from django.urls import path

from . import views

urlpatterns = [
    path("", views.account_home, name="account_home"),
    path("preferences/", views.preferences, name="account_preferences"),
    path("sessions/sign-out-others/", views.sign_out_other_sessions, name="account_sign_out_other_sessions"),
    path("switch/<uuid:partner_id>/", views.switch_partner, name="account_switch_partner"),
    path("team/", views.team, name="account_team"),
    path("team/invite/", views.team_invite, name="account_team_invite"),
    path(
        "team/invitations/<uuid:invitation_id>/revoke/",
        views.team_invitation_revoke,
        name="account_team_invitation_revoke",
    ),
    path("team/<uuid:membership_id>/", views.team_member, name="account_team_member"),
]
