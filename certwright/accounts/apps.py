from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "certwright.accounts"
    label = "accounts"
    # Not "Accounts": allauth's e-mail addresses already sit under that heading in
    # the admin, and two sections of one name left staff guessing.
    verbose_name = _("Organizations and API tokens")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account.decorators import secure_admin_login
        from django.contrib import admin

        from certwright.accounts import receivers  # noqa: F401  (connects them)

        # The admin's own login form would skip allauth, and with it 2FA, the
        # lock-out and the rate limits: send it to allauth's sign-in instead (the
        # recipe from allauth's documentation). Signed-in non-staff get a 403.
        admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
