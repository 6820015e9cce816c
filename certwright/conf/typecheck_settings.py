"""The settings the django-stubs mypy plugin imports (pyproject.toml).

Type checking needs the installed apps, not a real secret or site address; giving
them here keeps ``mypy`` runnable without a configured environment while the real
settings still refuse to start without CERTWRIGHT_SECRET_KEY and CERTWRIGHT_SITE_URL.
"""

import os

os.environ.setdefault("CERTWRIGHT_SECRET_KEY", "type-checking-only")
os.environ.setdefault("CERTWRIGHT_SITE_URL", "https://type-checking.invalid")

from certwright.settings import *  # noqa: F403
