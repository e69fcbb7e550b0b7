"""Dashboard panels: apps register a Panel in their panels.py (`dashboard_panels.register("key")(MyPanel)`);
each panel belongs to one workspace (`workspace = "supplier"`, `"customer"` or `"account"`), whose page shows
those whose `is_shown(request)` is true, in `order`. A panel lists the person's tasks there (bids to answer,
orders to confirm …) and must run a fixed number of queries whatever the number of rows it summarises."""

from django.template.loader import render_to_string

from .registry import dashboard_panels

WORKSPACES = ("account", "supplier", "customer")


class Panel:
    template_name = ""
    order = 100
    # the dashboard that shows the panel: "account" (/account/), "supplier" (/supplier/), "customer" (/customer/)
    workspace = "account"

    def is_shown(self, request) -> bool:
        return True

    def get_context(self, request) -> dict:
        return {}

    def render(self, request) -> str:
        return render_to_string(self.template_name, {"panel": self, **self.get_context(request)}, request=request)


def panels_for(request, workspace: str = "account") -> list[str]:
    panels = sorted(
        (panel_class() for _key, panel_class in dashboard_panels.items()),
        key=lambda panel: panel.order,
    )
    return [panel.render(request) for panel in panels if panel.workspace == workspace and panel.is_shown(request)]
