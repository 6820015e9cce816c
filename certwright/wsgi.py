"""WSGI entry point: ``gunicorn certwright.wsgi``."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from certwright.badges.revalidation import StatusListRevalidation

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certwright.settings")

# Verifiers revalidating the revocation status list are answered before Django (see
# certwright/badges/revalidation.py for why, and what it costs in freshness).
application = StatusListRevalidation(
    get_wsgi_application(), ttl=settings.STATUS_LIST_REVALIDATION_SECONDS
)
