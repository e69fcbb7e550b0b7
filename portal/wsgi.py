import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
application = get_wsgi_application()

# The loaded project (Django, Wagtail, the apps) is several hundred thousand long-lived objects; CPython's full
# collections would walk them all every few big requests (the comparison page's p95 doubles). Move them into the
# permanent generation once, after loading: collections then see only what requests allocate.
# https://docs.python.org/3/library/gc.html#gc.freeze
gc.collect()
gc.freeze()
