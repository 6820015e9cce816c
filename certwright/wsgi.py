"""WSGI entry point: ``gunicorn certwright.wsgi``."""

import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

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

# What the process has loaded by now (Django, every app, the URL conf and the views
# it imports) lives as long as the process: kept out of the garbage collector's
# full collections, which otherwise walk all of it. On a 2-core host one such
# collection took 120 ms, every few seconds at the monthly peak, and held every
# thread of the worker for as long: most of the renewal answers' p99
# (bench/renewal.py). With ``--preload`` (deploy/'s unit) the master does this once
# before it forks, and the workers share those pages instead of each writing to
# them when it collects.
get_resolver().url_patterns  # noqa: B018 (loads the URL conf and the views now)
gc.collect()
gc.freeze()
