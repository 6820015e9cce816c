"""The admin for technicians, their facts and their derived state.

Facts are append-only here too: existing fact rows are read-only and a new one is
added through a form that calls the recording service (validation, event, recompute
after commit); an experience record's service is candidates', which owns the record
and its own admin (the review queue, in ``certwright.candidates.admin``). Derived
rows are read-only everywhere. The technician page ends with a "Why" panel computed
live from the stored facts (``?as_of=YYYY-MM-DD`` for another day), so explanations
never have to be stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse

from certwright.audit.selectors import event_list
from certwright.candidates.ids import certification_id_normalize
from certwright.candidates.models import ExperienceRecord, Technician
from certwright.candidates.services import (
    experience_errors,
    experience_record_add,
    technician_create,
    technician_update,
)
from certwright.core.admin_mixins import ReadOnlyMixin
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.credentials.models import (
    Certification,
    RecomputeRun,
    RenewalCredit,
    Revocation,
    TestResult,
    TitleHolding,
)
from certwright.credentials.recompute import technicians_recompute
from certwright.credentials.selectors import technician_explanation
from certwright.credentials.services import (
    renewal_credit_errors,
    renewal_credit_record,
    result_errors,
    result_record,
    revocation_errors,
    revocation_record,
)

EVENTS_SHOWN = 50


def _test_choices() -> list[tuple[str, str]]:
    program = current_program()
    return [(code, f"{code} – {t.name}") for code, t in sorted(program.tests.items())]


class _FactForm(forms.ModelForm):
    """A new fact's form: the recording service's own checks, shown per field."""

    def fact_errors(self, data: dict[str, Any]) -> dict[str, str]:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and not self.errors:
            for name, message in self.fact_errors(data).items():
                self.add_error(name if name in self.fields else None, message)
        return data


class ResultForm(_FactForm):
    test = forms.ChoiceField(choices=_test_choices)

    class Meta:
        model = TestResult
        fields = ("test", "date", "kind", "outcome", "source", "external_id")

    def fact_errors(self, data: dict[str, Any]) -> dict[str, str]:
        return result_errors(
            program=current_program(),
            test=data.get("test"),
            date=data.get("date"),
            kind=data.get("kind"),
            outcome=data.get("outcome"),
        )


class ExperienceForm(_FactForm):
    class Meta:
        model = ExperienceRecord
        fields = ("kind", "employer", "role", "start", "end", "full_time", "approved")

    def fact_errors(self, data: dict[str, Any]) -> dict[str, str]:
        return experience_errors(
            program=current_program(),
            kind=data.get("kind"),
            start=data.get("start"),
            end=data.get("end"),
        )


class CreditForm(_FactForm):
    test = forms.ChoiceField(choices=_test_choices)

    class Meta:
        model = RenewalCredit
        fields = ("test", "date", "source")

    def fact_errors(self, data: dict[str, Any]) -> dict[str, str]:
        return renewal_credit_errors(
            program=current_program(), test=data.get("test"), date=data.get("date")
        )


class RevocationForm(_FactForm):
    test = forms.ChoiceField(
        choices=lambda: [("", "every certification"), *_test_choices()], required=False
    )

    class Meta:
        model = Revocation
        fields = ("test", "date", "reason")

    def fact_errors(self, data: dict[str, Any]) -> dict[str, str]:
        return revocation_errors(
            program=current_program(),
            test=data.get("test") or None,
            date=data.get("date"),
            reason=data.get("reason"),
        )


class _FactInline(admin.TabularInline):
    extra = 0
    show_change_link = False
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Existing facts render read-only; the "add another" row stays a form.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ResultInline(_FactInline):
    model = TestResult
    form = ResultForm
    fields = ("test", "date", "kind", "outcome", "source", "external_id", "created_at")
    readonly_fields = ("created_at",)


class ExperienceInline(_FactInline):
    model = ExperienceRecord
    form = ExperienceForm
    fields = ("kind", "employer", "role", "start", "end", "full_time", "approved",
              "approved_by", "approved_at")  # fmt: skip
    readonly_fields = ("approved_by", "approved_at")


class CreditInline(_FactInline):
    model = RenewalCredit
    form = CreditForm
    fields = ("test", "date", "source", "created_at")
    readonly_fields = ("created_at",)


class RevocationInline(_FactInline):
    model = Revocation
    form = RevocationForm
    fields = ("test", "date", "reason", "by", "created_at")
    readonly_fields = ("by", "created_at")


class _DerivedInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or ()


class CertificationInline(_DerivedInline):
    model = Certification
    fields = ("test", "status", "passed_on", "certified_on", "expires_on",
              "computed_as_of")  # fmt: skip
    verbose_name_plural = "certifications (derived)"


class TitleInline(_DerivedInline):
    model = TitleHolding
    fields = ("title_id", "held", "since", "until", "computed_as_of")
    verbose_name_plural = "titles (derived)"


def _recompute(
    modeladmin: admin.ModelAdmin, request: HttpRequest, ids: list[int]
) -> None:
    result = technicians_recompute(technician_ids=ids, actor=request.user)  # type: ignore[arg-type]
    modeladmin.message_user(
        request,
        f"Recomputed {result.processed} technicians; {result.changed} changed.",
        messages.SUCCESS,
    )


@admin.register(Technician)
class TechnicianAdmin(admin.ModelAdmin):
    list_display = ("certification_id", "name", "email", "next_change_on", "stale")
    search_fields = ("certification_id", "name", "email")
    fields = ("certification_id", "name", "family_name", "email", "user", "created_at",
              "next_change_on", "facts_version", "derived_version")  # fmt: skip
    readonly_fields = ("certification_id", "created_at", "next_change_on",
                       "facts_version", "derived_version")  # fmt: skip
    raw_id_fields = ("user",)
    inlines = (ResultInline, ExperienceInline, CreditInline, RevocationInline,
               CertificationInline, TitleInline)  # fmt: skip
    actions: tuple[str, ...] = ("recompute_selected",)
    change_form_template = "admin/credentials/technician_change_form.html"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A technician's facts and events are the certification record: kept.
        return False

    @admin.display(boolean=True, description="stale")
    def stale(self, obj: Technician) -> bool:
        return obj.is_stale

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Technician], search_term: str
    ) -> tuple[QuerySet[Technician], bool]:
        # An ID typed the way people type it ("cw 4h7k...", O for 0) still finds it.
        normalized = certification_id_normalize(search_term)
        if normalized:
            return queryset.filter(certification_id=normalized), False
        return super().get_search_results(request, queryset, search_term)

    @admin.action(description="Recompute selected technicians")
    def recompute_selected(
        self, request: HttpRequest, queryset: QuerySet[Technician]
    ) -> None:
        _recompute(self, request, list(queryset.values_list("id", flat=True)))

    def save_model(
        self, request: HttpRequest, obj: Technician, form: Any, change: bool
    ) -> None:
        if change:
            technician_update(
                technician_id=obj.pk,
                name=obj.name,
                email=obj.email,
                # Left empty: the last word of the name.
                family_name=obj.family_name or None,
                actor=request.user,  # type: ignore[arg-type]
            )
            return
        created = technician_create(
            name=obj.name,
            email=obj.email,
            user_id=obj.user_id,
            family_name=obj.family_name or None,
            actor=request.user,  # type: ignore[arg-type]
        )
        # The admin redirects to the object it saved: hand it the service's row.
        obj.pk = created.pk
        obj.certification_id = created.certification_id

    def save_formset(
        self, request: HttpRequest, form: Any, formset: BaseInlineFormSet, change: bool
    ) -> None:
        technician: Technician = form.instance
        actor = request.user
        for fact in formset.save(commit=False):
            if fact.pk is not None:
                continue  # existing facts are read-only
            if isinstance(fact, TestResult):
                result_record(
                    technician_id=technician.pk,
                    test=fact.test,
                    date=fact.date,
                    kind=fact.kind,
                    outcome=fact.outcome,
                    source=fact.source or "admin",
                    external_id=fact.external_id or None,
                    actor=actor,  # type: ignore[arg-type]
                )
            elif isinstance(fact, ExperienceRecord):
                experience_record_add(
                    technician_id=technician.pk,
                    kind=fact.kind,
                    start=fact.start,
                    end=fact.end,
                    full_time=fact.full_time,
                    employer=fact.employer,
                    role=fact.role,
                    approved=fact.approved,
                    actor=actor,  # type: ignore[arg-type]
                )
            elif isinstance(fact, RenewalCredit):
                renewal_credit_record(
                    technician_id=technician.pk,
                    test=fact.test,
                    date=fact.date,
                    source=fact.source or "admin",
                    actor=actor,  # type: ignore[arg-type]
                )
            elif isinstance(fact, Revocation):
                revocation_record(
                    technician_id=technician.pk,
                    test=fact.test or None,
                    date=fact.date,
                    reason=fact.reason,
                    actor=actor,  # type: ignore[arg-type]
                )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = dict(extra_context or {})
        technician = self.get_object(request, object_id)
        if technician is not None:
            as_of = today()
            given = request.GET.get("as_of")
            if given:
                try:
                    as_of = dt.date.fromisoformat(given)
                except ValueError:
                    self.message_user(
                        request,
                        f"as_of={given!r} is not a date (YYYY-MM-DD); showing today.",
                        messages.WARNING,
                    )
            context["why"] = technician_explanation(
                technician_id=technician.pk, program=current_program(), as_of=as_of
            )
            context["why_is_today"] = as_of == today()
            context["why_stale"] = technician.is_stale
            context["events"] = list(
                event_list(technician_id=technician.pk)[:EVENTS_SHOWN]
            )
            context["events_limit"] = EVENTS_SHOWN
        return super().change_view(request, object_id, form_url, context)


class _ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


@admin.register(TestResult)
class TestResultAdmin(_ReadOnlyAdmin):
    list_display = (
        "technician",
        "test",
        "date",
        "kind",
        "outcome",
        "source",
        "external_id",
    )
    # No filter by test or date hierarchy: each is a DISTINCT over ~2M results.
    list_filter = ("outcome", "kind")
    search_fields = ("technician__certification_id", "external_id", "source")
    list_select_related = ("technician",)
    show_full_result_count = False


@admin.register(Certification)
class CertificationAdmin(_ReadOnlyAdmin):
    # valid_through (the last day certified) is what every page shows; expires_on,
    # the rules core's exclusive end, stays beside it for checking the derivation.
    list_display = ("technician", "test", "status", "passed_on", "certified_on",
                    "valid_through", "expires_on", "computed_as_of")  # fmt: skip
    list_filter = ("status", "test")
    search_fields = ("technician__certification_id", "technician__name")
    list_select_related = ("technician",)
    show_full_result_count = False


@admin.register(TitleHolding)
class TitleHoldingAdmin(_ReadOnlyAdmin):
    list_display = (
        "technician",
        "title_id",
        "held",
        "since",
        "until",
        "computed_as_of",
    )
    list_filter = ("held", "title_id")
    search_fields = ("technician__certification_id", "technician__name")
    list_select_related = ("technician",)
    show_full_result_count = False


@admin.register(RecomputeRun)
class RecomputeRunAdmin(_ReadOnlyAdmin):
    list_display = ("id", "scope", "as_of", "status", "processed", "changed",
                    "started_at", "finished_at")  # fmt: skip
    list_filter = ("status", "scope")
