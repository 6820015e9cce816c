"""WSGI entry point: ``gunicorn certwright.wsgi``."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from certwright.badges.revalidation import StatusListRevalidation

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certwright.settings")

django_application = get_wsgi_application()

# After Django is set up: the layer reads the API's models and settings.
from certwright.verification.wsgi import PublicLookupLayer  # noqa: E402

# Verifiers revalidating the revocation status list are answered before Django (see
# certwright/badges/revalidation.py for why, and what it costs in freshness). So are
# public lookups through the API, with the API view's own answer
# (certwright/verification/wsgi.py).
application = PublicLookupLayer(
    StatusListRevalidation(
        django_application, ttl=settings.STATUS_LIST_REVALIDATION_SECONDS
    ),
    enabled=settings.VERIFY_FAST_PATH,
)
