"""URLs: the public site, the candidate portal, the staff admin and the REST API."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from certwright.core.metrics import metrics
from certwright.core.views import home
from certwright.interface.api import api
from certwright.portal.views import staff_home

admin.site.site_header = "Certwright administration"
admin.site.site_title = "Certwright"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("certwright.accounts.urls")),
    path("account/data/", include("certwright.privacy.urls")),
    path("me/", include("certwright.portal.urls")),
    path("staff/", staff_home, name="staff_home"),
    path("experience/", include("certwright.candidates.urls")),
    path("shop/", include("certwright.commerce.urls")),
    path("booking/", include("certwright.scheduling.urls")),
    path("exam/", include("certwright.delivery.urls")),
    path("scoring/", include("certwright.scoring.urls")),
    path("proctor/", include("certwright.proctoring.urls")),
    path("notifications/", include("certwright.notifications.urls")),
    path("reminders/", include("certwright.reminders.urls")),
    path("renewal/", include("certwright.renewal.urls")),
    path("renewal/questions/", include("certwright.renewal.urls_questions")),
    # The technician's certificates (/me/certificates/) and the wallet card behind
    # a share link (/v/<token>/wallet-card.pdf).
    path("", include("certwright.certificates.urls")),
    path("shops/", include("certwright.shops.urls")),
    # Public verification (/verify/, /v/<token>) and the technician's share links.
    path("", include("certwright.verification.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # Prometheus' scrape: the operator's networks only, a 404 for everyone else.
    path("metrics", metrics, name="metrics"),
    # Signed credentials: /.well-known/did.json, /credentials/status/N, downloads.
    path("", include("certwright.badges.urls")),
    # Browsers ask for /favicon.ico on every site whatever the page links to.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("core/favicon.ico"), permanent=True),
        name="favicon",
    ),
]
