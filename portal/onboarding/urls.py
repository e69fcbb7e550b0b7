"""Public and personal URLs of onboarding; mounted in portal/urls.py before allauth's /accounts/."""

from django.urls import path

from . import views
from .models import RegistrationKind

urlpatterns = [
    path(
        "accounts/signup/supplier/",
        views.signup,
        {"kind": RegistrationKind.SUPPLIER},
        name="onboarding_signup_supplier",
    ),
    path(
        "accounts/signup/customer/",
        views.signup,
        {"kind": RegistrationKind.CUSTOMER},
        name="onboarding_signup_customer",
    ),
    path("accounts/signup/done/", views.signup_done, name="onboarding_signup_done"),
    path("accounts/registration/", views.status, name="onboarding_status"),
    path("accounts/invitation/<str:token>/", views.invitation, name="onboarding_invitation"),
    path("account/join-requests/", views.join_request_list, name="onboarding_join_requests"),
    path("account/join-requests/<uuid:join_request_id>/", views.join_request_detail, name="onboarding_join_request"),
]
