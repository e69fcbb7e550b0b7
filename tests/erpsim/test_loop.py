"""The whole loop with the simulated ERP: the portal approves a supplier, the relay delivers the signed
`partner.approved` webhook, the ERP assigns a vendor number and sends it back through /api/v1/, and the portal's
`partner.changed` event about that reaches the ERP too."""

import pytest

from portal.core.registry import autodiscover, erp_simulator
from portal.erpsim.client import PortalApi
from portal.erpsim.masterdata import erp_number
from portal.erpsim.server import ErpSimulator, ReceivedEvents
from portal.integration.models import OutboxEvent, OutboxStatus, WebhookEndpoint
from portal.integration.relay import deliver_due
from portal.organisations.models import PartnerStatus, SupplierAccount
from portal.organisations.services import partner_set_status
from tests.factories import PartnerFactory, make_api_client

SECRET = "loop-secret"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_approved_supplier_gets_its_erp_vendor_number_through_the_api(live_server, cast, tmp_path):
    autodiscover("erp_sim")
    group_client = make_api_client(company=None, scopes=("masterdata:read", "masterdata:write"), name="erp-loop")
    erp = ErpSimulator(
        secret=SECRET,
        store=ReceivedEvents(tmp_path / "received.sqlite3"),
        api=PortalApi(live_server.url, group_client.plain_key),
        handlers=dict(erp_simulator.items()),
    )
    host, port = erp.start("127.0.0.1", 0)
    try:
        endpoint = WebhookEndpoint(name="ERP", url=f"http://{host}:{port}/webhooks", topics=["partner.*"])
        endpoint.set_secret(SECRET)
        endpoint.save()
        supplier = PartnerFactory(status=PartnerStatus.PENDING, is_supplier=True, tax_id="91310000MA1FL8LX6C")
        account = SupplierAccount.objects.create(partner=supplier, company=cast.company_a, currency="CNY")

        partner_set_status(actor=cast.group_admin, partner=supplier, status=PartnerStatus.APPROVED)
        assert deliver_due() == 1
        erp.drain()
        assert erp.errors == []
        account.refresh_from_db()
        assert account.erp_number == erp_number("V", supplier.tax_id, cast.company_a.code)

        # The number coming back is a change of the partner, which the ERP hears about in turn (and only once).
        assert deliver_due() == 1
        erp.drain()
        topics = [row["topic"] for row in erp.store.all()]
        assert topics == ["partner.approved", "partner.changed"]
        changed = erp.store.all("partner.changed")[0]["event"]["data"]
        assert changed["supplier_accounts"][0]["erp_number"] == account.erp_number
        assert "supplier_accounts" in changed["changed"]
        assert set(OutboxEvent.objects.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}
        assert deliver_due() == 0
    finally:
        erp.stop()
