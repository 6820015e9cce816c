"""Outgoing e-mail in the admin: staff see what was sent, what failed and why, and
can send failed mail again. Rows are read-only: they are the record of what left."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from certwright.notifications.models import OutboundAttachment, OutboundEmail
from certwright.notifications.services import outbound_email_retry


class OutboundAttachmentInline(admin.TabularInline):
    model = OutboundAttachment
    fields = ("filename", "mimetype")
    readonly_fields = ("filename", "mimetype")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "status",
        "template",
        "recipients",
        "subject",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "template")
    search_fields = ("subject", "to", "last_error")
    date_hierarchy = "created_at"
    inlines = [OutboundAttachmentInline]
    actions = ["retry"]
    readonly_fields = (
        "to",
        "subject",
        "template",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "headers",
        "text_body",
        "html_body",
    )

    @admin.display(description="to")
    def recipients(self, obj: OutboundEmail) -> str:
        return ", ".join(obj.to)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Send the selected failed e-mails again")
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        count = sum(
            outbound_email_retry(outbound_id=pk, actor=request.user)  # type: ignore[arg-type]
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"{count} e-mail(s) queued again.", messages.SUCCESS)
