"""Dashboard panels: apps register a Panel in their panels.py (`dashboard_panels.register("key")(MyPanel)`);
the workspace pages show those whose `is_shown(request)` is true, in `order`."""

from django.template.loader import render_to_string

from .registry import dashboard_panels


class Panel:
    template_name = ""
    order = 100

    def is_shown(self, request) -> bool:
        return True

    def get_context(self, request) -> dict:
        return {}

    def render(self, request) -> str:
        return render_to_string(self.template_name, {"panel": self, **self.get_context(request)}, request=request)


def panels_for(request) -> list[str]:
    panels = sorted((panel_class() for _key, panel_class in dashboard_panels.items()), key=lambda panel: panel.order)
    return [panel.render(request) for panel in panels if panel.is_shown(request)]
