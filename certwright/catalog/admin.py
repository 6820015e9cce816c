"""The program browser: the loaded program, read-only.

The program is changed by editing its data files and running ``certwright program
load``, never here, so every admin below refuses add, change and delete.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from certwright.catalog.models import (
    ContentAreaDefinition,
    FeePeriodDefinition,
    ProgramVersion,
    SeriesDefinition,
    TestDefinition,
    TitleDefinition,
)
from certwright.catalog.selectors import program_digest, program_version_get
from certwright.core.admin_mixins import ReadOnlyMixin
from certwright.core.program import current_program

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices


class ProgramVersionFilter(admin.SimpleListFilter):
    """Shows the current program's version unless another one is chosen."""

    title = _("program version")
    parameter_name = "version"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        versions = [(str(v.pk), str(v)) for v in ProgramVersion.objects.all()]
        return [*versions, (self.ALL, str(_("All versions")))]

    def choices(self, changelist: Any) -> Iterator[_ListFilterChoices]:
        # Django's own "All" entry means "no filter"; here no filter means current.
        selected = self.selected()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": selected == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }

    def selected(self) -> str | None:
        """The chosen version's pk, "all", or the current program's version."""
        value = self.value()
        if value:
            return str(value)
        version = program_version_get(current_program())
        return str(version.pk) if version else None

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        selected = self.selected()
        if selected is None or selected == self.ALL:
            return queryset
        return queryset.filter(program_version=selected)


@admin.register(ProgramVersion)
class ProgramVersionAdmin(ReadOnlyMixin, admin.ModelAdmin[ProgramVersion]):
    list_display = [
        "program",
        "version",
        "name",
        "body",
        "short_digest",
        "is_current",
        "loaded_at",
    ]
    list_filter = ["program"]
    search_fields = ["program", "version", "name", "digest"]
    readonly_fields = [
        "program",
        "version",
        "name",
        "body",
        "digest",
        "source",
        "loaded_at",
        "definition",
    ]

    @admin.display(description=_("digest"))
    def short_digest(self, obj: ProgramVersion) -> str:
        return obj.digest[:12]

    @admin.display(description=_("current"), boolean=True)
    def is_current(self, obj: ProgramVersion) -> bool:
        return obj.digest == program_digest(current_program())


@admin.register(SeriesDefinition)
class SeriesDefinitionAdmin(ReadOnlyMixin, admin.ModelAdmin[SeriesDefinition]):
    list_display = ["code", "name", "program_version"]
    list_filter = [ProgramVersionFilter]
    search_fields = ["code", "name"]


class ContentAreaInline(
    ReadOnlyMixin, admin.TabularInline[ContentAreaDefinition, TestDefinition]
):
    model = ContentAreaDefinition
    fields = ("effective", "code", "name", "questions")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(TestDefinition)
class TestDefinitionAdmin(ReadOnlyMixin, admin.ModelAdmin[TestDefinition]):
    list_display = [
        "code",
        "name",
        "series",
        "scored",
        "unscored",
        "minutes",
        "recert_scored",
        "fee_class",
        "experience_years",
        "estimated",
    ]
    list_display_links = ["code", "name"]
    list_filter = [ProgramVersionFilter, "series__name", "fee_class", "estimated"]
    search_fields = ["code", "name"]
    list_select_related = ["series"]
    inlines = [ContentAreaInline]
    fieldsets = [
        (None, {"fields": ["program_version", "code", "name", "series", "note"]}),
        (
            _("Latest blueprint"),
            {
                "fields": [
                    "blueprint_effective",
                    "scored",
                    "unscored",
                    "minutes",
                    "estimated",
                ]
            },
        ),
        (
            _("Rules"),
            {
                "fields": [
                    "recertifiable",
                    "recert_scored",
                    "recert_minutes",
                    "fee_class",
                    "experience_rule",
                    "experience_years",
                    "prerequisites",
                    "validity_years",
                    "offered_from",
                    "offered_until",
                    "languages",
                ]
            },
        ),
    ]


@admin.register(TitleDefinition)
class TitleDefinitionAdmin(ReadOnlyMixin, admin.ModelAdmin[TitleDefinition]):
    list_display = ["code", "name", "rule"]
    list_filter = [ProgramVersionFilter]
    search_fields = ["code", "name", "tests"]


@admin.register(FeePeriodDefinition)
class FeePeriodDefinitionAdmin(ReadOnlyMixin, admin.ModelAdmin[FeePeriodDefinition]):
    list_display = [
        "start",
        "end",
        "currency",
        "registration_cents",
        "recert_cap_cents",
        "renewal_cents",
    ]
    list_filter = [ProgramVersionFilter]
