"""How django-allauth fits Certwright's accounts.

- Sign-up asks for the candidate's full legal name (``forms.SignupForm``) and gives
  the account the candidate role at once.
- While django-axes has an account locked out (from that address), every sign-in
  attempt gets the lock-out page, before allauth's own rate limit is consulted (which
  would otherwise answer with a different message after a few more tries).
- allauth's own e-mails (address verification, password reset, security notices)
  are rendered by allauth's templates but sent like every other Certwright e-mail:
  stored, and delivered after the request's transaction commits by the task queue,
  with retries (``send_mail``); a slow or unreachable SMTP server never fails a
  sign-up or a reset request.
- The technician record, and with it the certification ID, is created when the
  e-mail address is verified (``receivers.email_confirmed``), not at sign-up: an
  address nobody confirms never gets a certification ID.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.forms import BaseForm
from django.http import HttpRequest

from certwright.accounts.forms import name_split
from certwright.core.roles import Role, role_add
from certwright.notifications.services import email_store


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        if not AxesProxyHandler.is_allowed(request, credentials):
            # AxesMiddleware turns the response into the lock-out page.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)

    def save_user(
        self, request: HttpRequest, user: Any, form: BaseForm, commit: bool = True
    ) -> Any:
        user = super().save_user(request, user, form, commit=False)
        name = form.cleaned_data.get("name")
        if name:
            user.first_name, user.last_name = name_split(name)
        if commit:
            with transaction.atomic():
                user.save()
                role_add(user, Role.CANDIDATE, actor=user)
        return user

    def send_mail(
        self, template_prefix: str, email: str, context: dict[str, Any]
    ) -> None:
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                "current_site": get_current_site(request),
                **context,
            },
        )
        html = ""
        if isinstance(message, EmailMultiAlternatives):
            html = next(
                (str(b) for b, kind in message.alternatives if kind == "text/html"),
                "",
            )
        elif message.content_subtype == "html":
            # allauth found only an HTML template; keep a text part for plain readers.
            html = str(message.body)
        email_store(
            to=list(message.to),
            subject=str(message.subject),
            text=str(message.body),
            html=html,
            template=template_prefix.rsplit("/", 1)[-1],
            headers={k: str(v) for k, v in message.extra_headers.items()},
        )

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        # One transaction with the technician record the email_confirmed receiver
        # creates: a verified candidate without a certification ID cannot happen.
        with transaction.atomic():
            return super().confirm_email(request, email_address)


def user_display(user: Any) -> str:
    """How allauth names a person in messages ("Signed in as …"): people sign in
    with their e-mail address and never see the username allauth generates."""
    return str(user.get_full_name() or user.email or user.get_username())
