"""WSGI entry point: ``gunicorn certwright.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certwright.settings")

application = get_wsgi_application()
