"""How the simulated ERP answers partner events: an approved partner gets vendor / customer numbers in the ERP,
which come back to the portal through the API."""

from portal.core.registry import erp_simulator
from portal.erpsim.masterdata import accounts_with_numbers


@erp_simulator.register("partner.approved")
def assign_erp_numbers(event, api):
    update = accounts_with_numbers(event["data"])
    if update is not None and api is not None:
        results = api.upsert("partners", [update])
        if results[0]["status"] != "applied":
            raise RuntimeError(f"the portal refused the ERP numbers: {results[0]}")
