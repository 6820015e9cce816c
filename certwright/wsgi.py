"""WSGI entry point: ``gunicorn certwright.wsgi``."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from certwright.badges.revalidation import StatusListRevalidation

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certwright.settings")

django_application = get_wsgi_application()

# After Django is set up: the layers read the apps' models and settings.
from certwright.delivery.wsgi import AnswerSaveLayer  # noqa: E402
from certwright.renewal.wsgi import RenewalAnswerLayer  # noqa: E402
from certwright.verification.wsgi import PublicLookupLayer  # noqa: E402

# Verifiers revalidating the revocation status list are answered before Django (see
# certwright/badges/revalidation.py for why, and what it costs in freshness). So are
# public lookups through the API, with the API view's own answer
# (certwright/verification/wsgi.py). So are the exam's answer saves that carry the
# save pass Django gave the player (certwright/delivery/wsgi.py), and renewal answers
# that carry the answer pass of their question's page (certwright/renewal/wsgi.py).
application = RenewalAnswerLayer(
    AnswerSaveLayer(
        PublicLookupLayer(
            StatusListRevalidation(
                django_application, ttl=settings.STATUS_LIST_REVALIDATION_SECONDS
            ),
            enabled=settings.VERIFY_FAST_PATH,
        ),
        enabled=settings.SAVE_FAST_PATH,
    ),
    enabled=settings.RENEWAL_FAST_PATH,
)
