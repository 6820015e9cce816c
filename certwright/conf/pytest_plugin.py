"""Environment defaults for a test run, loaded with ``-p`` before Django's settings.

pytest-django imports the settings before any ``conftest.py`` runs, so the defaults
a test run needs (a throwaway secret key; tasks run inline) are set here. A value
already in the environment wins, so CI can still choose, say, its DATABASE_URL.

The suite runs with debug off, so the production settings are the ones tested,
except that the test client and the live servers speak plain HTTP on loopback:
no redirect to HTTPS, and a site address to match.
"""

import os

os.environ.setdefault("CERTWRIGHT_SECRET_KEY", "insecure-key-for-the-test-suite-only")
os.environ.setdefault("CERTWRIGHT_TASKS", "immediate")
os.environ.setdefault("CERTWRIGHT_EMAIL_BACKEND", "locmem")
os.environ.setdefault("CERTWRIGHT_SITE_URL", "http://testserver")
os.environ.setdefault("CERTWRIGHT_SSL_REDIRECT", "0")
