"""Panels on the supplier workspace (/supplier/): each later part of the supplier chain (RFQs and bids, purchase
orders, shipping notices, statements) registers its "My tasks" panel here with `workspace = "supplier"`:

    @dashboard_panels.register("rfq.open_invitations")
    class OpenInvitations(Panel):
        workspace = "supplier"
        template_name = "rfq/panels/open_invitations.html"
"""
