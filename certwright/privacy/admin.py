"""Erasure in the admin: an action on the technician, with a page that asks for
the reason before ``person_erase`` runs. The technician's admin is credentials';
it is registered again here with the action, as accounts does for the user."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from certwright.candidates.models import Technician
from certwright.certificates.views import request_actor
from certwright.credentials.admin import TechnicianAdmin
from certwright.privacy.services import REASON_MAX, person_erase

admin.site.unregister(Technician)


@admin.register(Technician)
class ErasableTechnicianAdmin(TechnicianAdmin):
    actions = (*TechnicianAdmin.actions, "erase_person")

    @admin.action(description="Erase the person (at their request)…")
    def erase_person(
        self, request: HttpRequest, queryset: QuerySet[Technician]
    ) -> HttpResponse | None:
        technicians = list(queryset[:2])
        if len(technicians) != 1:
            self.message_user(
                request, "Erase one person at a time.", level=messages.ERROR
            )
            return None
        technician = technicians[0]
        reason = ""
        # "post" confirms, as on Django's own delete page: the first request
        # shows the reason page; a refused one shows it again with the reason kept.
        if request.POST.get("post") == "yes":
            reason = request.POST.get("reason", "")
            try:
                pseudonym = person_erase(
                    technician, reason=reason, actor=request_actor(request)
                )
            except ValidationError as exc:
                self.message_user(
                    request,
                    "; ".join(m for ms in exc.message_dict.values() for m in ms),
                    level=messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    f"{technician.certification_id} erased; kept as {pseudonym}.",
                )
                return None
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": "Erase a person",
            "opts": self.model._meta,
            "technician": technician,
            "reason": reason,
            "reason_max": REASON_MAX,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/privacy/erase_person.html", context)
