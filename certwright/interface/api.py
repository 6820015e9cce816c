"""The REST API (django-ninja), mounted at /api/; OpenAPI at /api/openapi.json.

Each app declares its operations on a router of its own; this module puts them
together under one API and decides who may call them: the routers whose every
operation needs a signed-in user are mounted with ``SessionOrToken`` (a browser
session or an API token), so an app below ``accounts`` need not import the accounts
app to be authenticated by it. An operation that needs something else says so itself
(``auth=None`` for a public one, ``SessionOnly`` for minting tokens).

Every error it answers is RFC 9457 problem details (``certwright.core.problems``).
"""

from __future__ import annotations

import certwright
from certwright.accounts.api import router as accounts
from certwright.accounts.api_auth import SessionOrToken
from certwright.badges.api import router as badges
from certwright.candidates.api import router as candidates
from certwright.commerce.api import router as commerce
from certwright.core.api import router as platform
from certwright.core.problems import ProblemDetailsAPI
from certwright.credentials.api import router as credentials
from certwright.notifications.api import router as notifications
from certwright.portal.api import router as portal
from certwright.scheduling.api import router as scheduling
from certwright.verification.api import router as verification

api = ProblemDetailsAPI(
    title="Certwright API",
    version=certwright.__version__,
    description="Certwright runs a professional certification program end to end.",
    urls_namespace="api",
)

# /api/health and /api/program: open to anyone.
api.add_router("", platform)
api.add_router("/accounts", accounts, auth=SessionOrToken)
api.add_router("/candidates", candidates, auth=SessionOrToken)
api.add_router("/commerce", commerce, auth=SessionOrToken)
api.add_router("/credentials", credentials, auth=SessionOrToken)
api.add_router("/scheduling", scheduling, auth=SessionOrToken)
api.add_router("/badges", badges, auth=SessionOrToken)
# Public operations and signed-in ones side by side: each operation says which.
api.add_router("/portal", portal)
api.add_router("/notifications", notifications)
# /api/verify/{certification_id}: the public lookup, anonymous.
api.add_router("/verify", verification)
