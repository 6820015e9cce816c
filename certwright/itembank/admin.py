"""Staff admin for the item bank: items and their versions, enemies, forms.

Nothing here writes a model itself: creating an item, editing a version (a frozen
one gets a new version), review, promotion, retirement, enemies, assembly and
publication all go through the services, so each has its audit event. Opening an
item or a version records an ``item.viewed`` event (who saw what), and answer keys
are shown only to program staff (``selectors.can_see_keys``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from certwright.audit.services import Actor
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.itembank import services
from certwright.itembank.images import validate_item_image
from certwright.itembank.models import (
    OPTION_LETTERS,
    Form,
    FormItem,
    FormKind,
    Item,
    ItemPool,
    ItemStatus,
    ItemVersion,
)
from certwright.itembank.selectors import can_see_keys, item_enemies

KEY_CHOICES = [(n, letter) for n, letter in enumerate(OPTION_LETTERS)]


def _actor(request: HttpRequest) -> Actor:
    user = request.user
    return user if isinstance(user, AbstractBaseUser) else None


def _each(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    objects: Sequence[Any],
    action: Callable[[Any], object],
) -> None:
    """Run ``action`` on each object; refusals are reported one by one."""
    done = 0
    for obj in objects:
        try:
            action(obj)
        except services.ItemBankError as error:
            model_admin.message_user(request, f"{obj}: {error.message}", messages.ERROR)
        else:
            done += 1
    if done:
        model_admin.message_user(request, _("%d done.") % done, messages.SUCCESS)


def _test_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} {t.name}") for code, t in current_program().tests.items()]


# --- items ---------------------------------------------------------------------------


def _option_field(letter: str) -> forms.CharField:
    return forms.CharField(
        label=_("option %(l)s") % {"l": letter}, widget=forms.Textarea({"rows": 2})
    )


class _Content(forms.ModelForm):
    """The four options as four fields, and the key as a letter."""

    option_a = _option_field("A")
    option_b = _option_field("B")
    option_c = _option_field("C")
    option_d = _option_field("D")
    key = forms.TypedChoiceField(label=_("key"), choices=KEY_CHOICES, coerce=int)

    def content(self) -> dict[str, Any]:
        """The cleaned content as the services take it."""
        data = self.cleaned_data
        changes = {f: data[f] for f in ("stem", "rationale", "area", "task")}
        changes["options"] = [data[f"option_{x.lower()}"] for x in OPTION_LETTERS]
        if "key" in data:
            changes["key"] = data["key"]
        if "image" in self.changed_data:
            changes["image"] = data["image"] or ""
        return changes


class ContentForm(_Content):
    """An item version's content (editing goes through item_version_edit)."""

    class Meta:
        model = ItemVersion
        fields = ["stem", "rationale", "area", "task", "image"]

    def clean_image(self) -> Any:
        # The import's rule for figures: a raster image checked by content.
        image = self.cleaned_data.get("image")
        validate_item_image(image)
        return image

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = list(self.instance.options or []) if self.instance.pk else []
        for letter, text in zip(OPTION_LETTERS, options, strict=False):
            self.fields[f"option_{letter.lower()}"].initial = text
        if self.instance.pk and "key" in self.fields:
            self.fields["key"].initial = self.instance.key


class ItemCreateForm(_Content):
    """A new item: its test and code, and the content of its first version."""

    test = forms.ChoiceField(label=_("test"), choices=_test_choices)
    code = forms.CharField(label=_("code"), max_length=40)
    pool = forms.ChoiceField(
        label=_("pool"),
        choices=ItemPool.choices,
        initial=ItemPool.EXAM,
        required=False,  # exam unless chosen
        help_text=Item._meta.get_field("pool").help_text,
    )
    stem = forms.CharField(label=_("stem"), widget=forms.Textarea)
    rationale = forms.CharField(
        label=_("rationale"), widget=forms.Textarea, required=False
    )
    area = forms.CharField(label=_("content area"), max_length=10)
    task = forms.CharField(label=_("task"), max_length=300, required=False)

    class Meta:
        model = Item
        fields: list[str] = []


class ItemChangeForm(forms.ModelForm):
    """An item's enemies (the same test's items), saved through the services."""

    enemies = forms.ModelMultipleChoiceField(
        Item.objects.none(),
        required=False,
        label=_("enemies"),
        help_text=_("Items that must never appear on one form with this one."),
        widget=FilteredSelectMultiple(_("items"), is_stacked=False),
    )

    class Meta:
        model = Item
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item = self.instance
        enemies = self.fields["enemies"]
        assert isinstance(enemies, forms.ModelMultipleChoiceField)
        enemies.queryset = Item.objects.filter(test=item.test).exclude(pk=item.pk)
        self.fields["enemies"].initial = sorted(
            item_enemies(item_id=item.pk).get(item.pk, ())
        )


class RecordsViews:
    """Opening the change page of an item (or a version) records who saw it."""

    def viewed_item(self, object_id: int) -> int | None:
        raise NotImplementedError

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        item_id = self.viewed_item(int(object_id)) if object_id.isdigit() else None
        # Someone refused the page (403 below) saw nothing: no event.
        allowed = self.has_view_or_change_permission(request)  # type: ignore[attr-defined]
        if request.method == "GET" and item_id is not None and allowed:
            services.item_viewed(
                item_id=item_id,
                actor=_actor(request),
                key_shown=can_see_keys(request.user),
            )
        return super().change_view(  # type: ignore[misc]
            request, object_id, form_url, extra_context
        )


class VersionInline(admin.TabularInline[ItemVersion, Item]):
    model = ItemVersion
    extra = 0
    can_delete = False
    show_change_link = True
    fields = readonly_fields = (
        "number",
        "status",
        "area",
        "stem_start",
        "written_by_label",
        "reviewed_by_label",
        "frozen_at",
    )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(self.fields)
        if can_see_keys(request.user):
            fields.insert(4, "key_letter")
        return fields

    get_readonly_fields = get_fields

    @admin.display(description=_("stem"))
    def stem_start(self, obj: ItemVersion) -> str:
        return obj.stem[:80] + ("…" if len(obj.stem) > 80 else "")

    @admin.display(description=_("key"))
    def key_letter(self, obj: ItemVersion) -> str:
        return obj.key_letter

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Item)
class ItemAdmin(RecordsViews, admin.ModelAdmin[Item]):
    list_display = [
        "code",
        "test",
        "pool",
        "latest_status",
        "versions_count",
        "created_at",
    ]
    list_filter = ["test", "pool", "versions__status"]
    search_fields = ["code", "versions__stem"]
    readonly_fields = ["test", "code", "pool", "created_at", "created_by"]
    inlines = [VersionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Item]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_versions=Count("versions"), latest_number=Max("versions__number")
            )
        )

    @admin.display(description=_("versions"), ordering="n_versions")
    def versions_count(self, obj: Item) -> int:
        return getattr(obj, "n_versions", 0)

    @admin.display(description=_("latest status"))
    def latest_status(self, obj: Item) -> str:
        latest = obj.versions.order_by("-number").first()
        return latest.get_status_display() if latest else "-"

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = ItemChangeForm if obj is not None else ItemCreateForm
        return super().get_form(request, obj, change, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Writing an item means writing its key: program staff only.
        return can_see_keys(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_see_keys(request.user) and super().has_change_permission(
            request, obj
        )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return [
                (
                    None,
                    {"fields": ["test", "code", "pool", "created_at", "created_by"]},
                ),
                (_("Enemies"), {"fields": ["enemies"]}),
            ]
        content = ["stem", "option_a", "option_b", "option_c", "option_d", "key"]
        return [
            (None, {"fields": ["test", "code", "pool"]}),
            (_("First version (a draft)"), {"fields": content}),
            (None, {"fields": ["rationale", "area", "task"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return self.inlines if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: Item, form: Any, change: bool
    ) -> None:
        if change:
            wanted = {i.pk for i in form.cleaned_data["enemies"]}
            have = item_enemies(item_id=obj.pk).get(obj.pk, set())
            for other in sorted(wanted - have):
                services.item_enemy_add(
                    item_id=obj.pk, other_id=other, actor=_actor(request)
                )
            for other in sorted(have - wanted):
                services.item_enemy_remove(
                    item_id=obj.pk, other_id=other, actor=_actor(request)
                )
            return
        content = form.content()
        version = services.item_create(
            test=form.cleaned_data["test"],
            code=form.cleaned_data["code"],
            pool=form.cleaned_data.get("pool") or ItemPool.EXAM,
            actor=_actor(request),
            **content,
        )
        created = version.item
        obj.pk, obj.test, obj.code = created.pk, created.test, created.code
        obj.pool = created.pool
        obj.created_at, obj.created_by = created.created_at, created.created_by

    def viewed_item(self, object_id: int) -> int | None:
        return object_id

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ItemVersion)
class ItemVersionAdmin(RecordsViews, admin.ModelAdmin[ItemVersion]):
    form = ContentForm
    list_display = [
        "__str__",
        "status",
        "area",
        "written_by_label",
        "reviewed_by_label",
        "frozen_at",
    ]
    list_filter = ["status", "item__test", "item__pool", "area"]
    search_fields = ["item__code", "stem"]
    list_select_related = ["item"]
    readonly_fields = [
        "item_link",
        "number",
        "status",
        "written_by_label",
        "reviewed_by_label",
        "reviewed_at",
        "created_at",
        "frozen_at",
        "stats",
    ]
    actions = ["review_approve", "promote", "retire"]

    @admin.display(description=_("item"))
    def item_link(self, obj: ItemVersion) -> str:
        url = reverse("admin:itembank_item_change", args=[obj.item_id])
        return format_html('<a href="{}">{}</a>', url, obj.item.code)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        content = ["stem", "option_a", "option_b", "option_c", "option_d"]
        if can_see_keys(request.user):
            content.append("key")
        return [
            (None, {"fields": ["item_link", "number", "status"]}),
            (
                _(
                    "Content (a frozen or reviewed version is not changed: saving "
                    "makes a new draft version)"
                ),
                {"fields": [*content, "rationale", "area", "task", "image"]},
            ),
            (
                _("History"),
                {
                    "fields": [
                        "written_by_label",
                        "reviewed_by_label",
                        "reviewed_at",
                        "created_at",
                        "frozen_at",
                        "stats",
                    ]
                },
            ),
        ]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if not can_see_keys(request.user):
            # No key field at all: a non-staff user can neither read nor set it.
            form.base_fields.pop("key", None)
        return form

    def save_model(
        self, request: HttpRequest, obj: ItemVersion, form: Any, change: bool
    ) -> None:
        target = services.item_version_edit(
            version_id=obj.pk, actor=_actor(request), **form.content()
        )
        # response_change shows the version holding the change.
        obj.pk, obj.number = target.pk, target.number

    def viewed_item(self, object_id: int) -> int | None:
        return (
            ItemVersion.objects.filter(pk=object_id)
            .values_list("item_id", flat=True)
            .first()
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a new item is added on the item page; a new version by editing

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Changing content means seeing the key: program staff only.
        return can_see_keys(request.user) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(
        description=_("Approve (second-person review)"), permissions=["change"]
    )
    def review_approve(
        self, request: HttpRequest, queryset: QuerySet[ItemVersion]
    ) -> None:
        _each(
            self,
            request,
            list(queryset),
            lambda v: services.item_review(version_id=v.pk, actor=_actor(request)),
        )

    @admin.action(
        description=_("Promote (reviewed → pretest, pretest → operational)"),
        permissions=["change"],
    )
    def promote(self, request: HttpRequest, queryset: QuerySet[ItemVersion]) -> None:
        following = {
            ItemStatus.REVIEWED: ItemStatus.PRETEST,
            ItemStatus.PRETEST: ItemStatus.OPERATIONAL,
        }
        _each(
            self,
            request,
            list(queryset),
            lambda v: services.item_status_set(
                version_id=v.pk,
                status=following.get(v.status, ItemStatus.OPERATIONAL),
                actor=_actor(request),
            ),
        )

    @admin.action(description=_("Retire"), permissions=["change"])
    def retire(self, request: HttpRequest, queryset: QuerySet[ItemVersion]) -> None:
        _each(
            self,
            request,
            list(queryset),
            lambda v: services.item_status_set(
                version_id=v.pk, status=ItemStatus.RETIRED, actor=_actor(request)
            ),
        )


# --- forms ---------------------------------------------------------------------------


class AssembleForm(forms.ModelForm):
    """Assemble a new draft form (the form is built when this validates)."""

    test = forms.ChoiceField(label=_("test"), choices=_test_choices)
    kind = forms.ChoiceField(label=_("kind"), choices=FormKind.choices)
    day = forms.DateField(
        label=_("blueprint date"),
        initial=today,
        help_text=_("The blueprint in force on this day is used."),
    )
    seed = forms.IntegerField(label=_("seed"), initial=0)
    max_exposure = forms.IntegerField(
        label=_("exposure limit"),
        required=False,
        min_value=1,
        help_text=_(
            "An item may be on at most this many live forms, this one included."
        ),
    )

    class Meta:
        model = Form
        fields = ["test", "kind"]

    def __init__(self, *args: Any, actor: Actor = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.assembled: Form | None = None

    def _post_clean(self) -> None:
        from certwright.itembank.form_building import form_assemble

        super()._post_clean()  # type: ignore[misc]
        if self.errors:
            return
        data = self.cleaned_data
        try:
            # Last, once everything else is valid; the admin's view runs in one
            # transaction, so nothing assembled outlives a failure after this.
            self.assembled = form_assemble(
                test=data["test"],
                kind=data["kind"],
                day=data["day"],
                seed=data["seed"],
                max_exposure=data.get("max_exposure"),
                actor=self.actor,
            )
        except services.ItemBankError as error:
            self.add_error(None, error.message)


class FormItemInline(admin.TabularInline[FormItem, Form]):
    model = FormItem
    extra = 0
    can_delete = False
    fields = readonly_fields = ("position", "version_link", "area", "scored")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(self.fields)
        if can_see_keys(request.user):
            fields.append("key_letter")
        return fields

    get_readonly_fields = get_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[FormItem]:
        return super().get_queryset(request).select_related("item_version__item")

    @admin.display(description=_("item version"))
    def version_link(self, obj: FormItem) -> str:
        url = reverse("admin:itembank_itemversion_change", args=[obj.item_version_id])
        return format_html('<a href="{}">{}</a>', url, obj.item_version)

    @admin.display(description=_("key"))
    def key_letter(self, obj: FormItem) -> str:
        return obj.item_version.key_letter

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Form)
class FormAdmin(admin.ModelAdmin[Form]):
    list_display = [
        "__str__",
        "test",
        "kind",
        "status",
        "items_count",
        "minutes",
        "cut_score",
        "published_at",
    ]
    list_filter = ["test", "kind", "status"]
    readonly_fields = [
        "test",
        "kind",
        "number",
        "status",
        "blueprint_effective",
        "minutes",
        "cut_score",
        "scale",
        "assembly",
        "created_at",
        "created_by",
        "published_at",
        "published_by",
        "retired_at",
    ]
    inlines = [FormItemInline]
    actions = ["publish", "retire"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Form]:
        return super().get_queryset(request).annotate(n_items=Count("items"))

    @admin.display(description=_("items"), ordering="n_items")
    def items_count(self, obj: Form) -> int:
        return getattr(obj, "n_items", 0)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is not None:
            return super().get_form(request, obj, change, **kwargs)
        actor = _actor(request)

        class Bound(AssembleForm):
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, actor=actor, **kw)

        return Bound

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [
                (
                    _("Assemble a draft form to the blueprint"),
                    {"fields": ["test", "kind", "day", "seed", "max_exposure"]},
                )
            ]
        return [(None, {"fields": self.readonly_fields})]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return self.inlines if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: Form, form: Any, change: bool
    ) -> None:
        assembled = form.assembled
        if assembled is None:  # pragma: no cover - clean() always sets it
            return
        for field in Form._meta.concrete_fields:
            setattr(obj, field.attname, getattr(assembled, field.attname))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Viewing a form is allowed; nothing on it is edited by hand.
        return bool(obj is None and super().has_change_permission(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(
        description=_("Publish (freeze, number, cut score)"), permissions=["add"]
    )
    def publish(self, request: HttpRequest, queryset: QuerySet[Form]) -> None:
        _each(
            self,
            request,
            list(queryset),
            lambda f: services.form_publish(form_id=f.pk, actor=_actor(request)),
        )

    @admin.action(description=_("Retire"), permissions=["add"])
    def retire(self, request: HttpRequest, queryset: QuerySet[Form]) -> None:
        _each(
            self,
            request,
            list(queryset),
            lambda f: services.form_retire(form_id=f.pk, actor=_actor(request)),
        )
