"""The settings the django-stubs mypy plugin imports (pyproject.toml).

Type checking needs the installed apps, not a real secret; giving it one here keeps
``mypy`` runnable without a configured environment while the real settings still
refuse to start without CERTWRIGHT_SECRET_KEY.
"""

import os

os.environ.setdefault("CERTWRIGHT_SECRET_KEY", "type-checking-only")

from certwright.settings import *  # noqa: F403
