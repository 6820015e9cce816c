"""Admin for users, organizations, sharing and API tokens.

Changes go through the services, so each one writes its audit event; the admin
never creates a token (its secret would have nowhere safe to be shown) and never
deletes a grant (revoke keeps the history).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from certwright.accounts.models import (
    ApiToken,
    Membership,
    Organization,
    OrganizationWatch,
    ShareGrant,
    WatchReport,
)
from certwright.accounts.services import (
    ACCESS_FLAGS,
    api_token_revoke,
    membership_add,
    membership_remove,
    organization_create,
    organization_update,
    share_revoke,
    user_delete,
    user_flags_record,
    user_groups_set,
)
from certwright.core.admin_mixins import ReadOnlyMixin


def _staff(request: HttpRequest) -> AbstractBaseUser | None:
    user = request.user
    return user if isinstance(user, AbstractBaseUser) else None


class MembershipInline(admin.TabularInline[Membership, Organization]):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


class ShareGrantInline(admin.TabularInline[ShareGrant, Organization]):
    model = ShareGrant
    extra = 0
    fields = ["technician", "granted_at", "revoked_at"]
    readonly_fields = ["technician", "granted_at", "revoked_at"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ShareGrant]:
        return super().get_queryset(request).filter(revoked_at__isnull=True)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ["name", "kind", "code", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    readonly_fields = ["code", "created_at"]
    inlines = [MembershipInline, ShareGrantInline]

    def has_delete_permission(
        self, request: HttpRequest, obj: Organization | None = None
    ) -> bool:
        # No service deletes an organization: its memberships and grants are the
        # history of who saw which technician. Rename it instead.
        return False

    def save_model(
        self,
        request: HttpRequest,
        obj: Organization,
        form: ModelForm[Any],
        change: bool,
    ) -> None:
        if change:
            organization_update(
                organization_id=obj.pk,
                name=obj.name,
                kind=obj.kind,
                actor=_staff(request),
            )
            return
        created = organization_create(
            name=obj.name, kind=obj.kind, actor=_staff(request)
        )
        obj.pk, obj.code, obj.created_at = created.pk, created.code, created.created_at
        obj._state.adding = False
        obj._state.db = created._state.db

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        # New, changed and removed memberships all go through the services, which
        # write the audit event (and give the employer role).
        instances = formset.save(commit=False)
        for deleted in formset.deleted_objects:
            membership_remove(
                organization_id=form.instance.pk,
                user=deleted.user,
                actor=_staff(request),
            )
        for membership in instances:
            membership_add(
                organization_id=form.instance.pk,
                user=membership.user,
                role=membership.role,
                actor=_staff(request),
            )


@admin.register(ShareGrant)
class ShareGrantAdmin(admin.ModelAdmin[ShareGrant]):
    list_display = ["technician", "organization", "granted_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = [
        "technician__certification_id",
        "technician__name",
        "organization__name",
        "organization__code",
    ]
    list_select_related = ["technician", "organization"]
    readonly_fields = ["technician", "organization", "granted_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A grant is the technician's consent: they give it on their sharing page.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected grants")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ShareGrant]) -> None:
        count = 0
        for grant in queryset.filter(revoked_at__isnull=True):
            share_revoke(grant_id=grant.pk, actor=_staff(request))
            count += 1
        self.message_user(request, f"{count} grant(s) revoked.", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__email"]
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    exclude = ["hashed_secret"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token_id=token.pk, actor=_staff(request))
            count += 1
        self.message_user(request, f"{count} token(s) revoked.", messages.SUCCESS)


User = get_user_model()


# The employer's watch, read-only: the organization chooses it on its own page
# (``organization_watch_set``), and the reports are what the digest and the
# revocation e-mail have already said, kept so each change is said once.
@admin.register(OrganizationWatch)
class OrganizationWatchAdmin(ReadOnlyMixin, admin.ModelAdmin[OrganizationWatch]):
    list_display = (
        "organization", "weekly_digest", "revocation_email", "last_digest_at",
        "updated_at",
    )  # fmt: skip
    list_filter = ("weekly_digest", "revocation_email")
    search_fields = ("organization__name", "organization__code")


@admin.register(WatchReport)
class WatchReportAdmin(ReadOnlyMixin, admin.ModelAdmin[WatchReport]):
    list_display = ("organization", "technician", "test", "kind", "reported_at")
    list_filter = ("kind",)
    date_hierarchy = "reported_at"
    raw_id_fields = ("technician",)
    search_fields = ("organization__name", "technician__certification_id", "test")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user page, with what decides access audited: the flags (active,
    staff, superuser) and the groups, which are the roles, change through the
    accounts services and leave an event each; so does deleting an account."""

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        before: dict[str, bool] = {}
        if change:
            before = User.objects.filter(pk=obj.pk).values(*ACCESS_FLAGS).first() or {}
        super().save_model(request, obj, form, change)
        user_flags_record(user=obj, before=before, actor=_staff(request))

    def save_related(
        self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool
    ) -> None:
        # The form would write the groups itself; the service does, with events.
        groups = form.cleaned_data.pop("groups", None)
        super().save_related(request, form, formsets, change)
        if groups is not None:
            user_groups_set(
                user=form.instance,
                names={group.name for group in groups},
                actor=_staff(request),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        user_delete(user=obj, actor=_staff(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for user in queryset:
            user_delete(user=user, actor=_staff(request))
