"""/account/inbox/settings/: which e-mails a person gets, per group; everything on by default."""

from django.test import Client

from portal.notifications.kinds import groups_in_order
from portal.notifications.models import NotificationPreference


def test_all_groups_listed_and_on_by_default(cast, login_as):
    client = login_as(cast.supplier_a_sales)
    client.cookies["portal_language"] = "en"
    response = client.get("/account/inbox/settings/")
    assert response.status_code == 200
    keys = [group.key for group in groups_in_order()]
    assert keys[:7] == ["general", "account", "onboarding", "sourcing", "orders", "settlement", "quality"]
    assert response.context["form"].initial["email_groups"] == keys
    html = response.content.decode()
    assert "Registrations and approvals" in html and "Quality claims" in html


def test_switching_a_group_off_and_on(cast, login_as):
    client = login_as(cast.supplier_a_sales)
    keys = [group.key for group in groups_in_order()]
    response = client.post("/account/inbox/settings/", {"email_groups": [key for key in keys if key != "orders"]})
    assert response["Location"] == "/account/inbox/settings/"
    assert list(
        NotificationPreference.objects.filter(user=cast.supplier_a_sales, email_enabled=False).values_list(
            "group", flat=True
        )
    ) == ["orders"]
    assert NotificationPreference.objects.filter(user=cast.supplier_a_sales).count() == len(keys)
    client.post("/account/inbox/settings/", {"email_groups": keys})
    assert not NotificationPreference.objects.filter(email_enabled=False).exists()


def test_an_unknown_group_is_refused_and_nothing_changes(cast, login_as):
    client = login_as(cast.supplier_a_sales)
    client.cookies["portal_language"] = "en"
    response = client.post("/account/inbox/settings/", {"email_groups": ["no-such-group"]})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert NotificationPreference.objects.count() == 0


def test_anonymous_is_sent_to_log_in(db):
    response = Client().post("/account/inbox/settings/", {"email_groups": []})
    assert response["Location"] == "/accounts/login/?next=/account/inbox/settings/"
    assert NotificationPreference.objects.count() == 0
