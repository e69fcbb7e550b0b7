"""Plain Django views of the API's URL space (outside ninja's router)."""

from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from .problems import problem_response


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any path under /api/ that no operation answers: a 404 problem, not the public site's HTML page."""
    return problem_response(404, _("There is no API operation at %(path)s.") % {"path": request.path})
