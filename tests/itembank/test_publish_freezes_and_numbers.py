"""Publishing a form numbers it per test and kind, gives it a cut score and a
raw-to-scaled table, and freezes it and every item version on it."""

from __future__ import annotations

import pytest

from certwright.audit.models import Event, EventKind
from certwright.itembank.models import FormStatus, ItemStatus, ItemVersion
from certwright.itembank.services import (
    ItemBankError,
    default_cut_score,
    form_publish,
    form_scale_set,
)
from tests.support.itembank import MakeForm, MakeVersion


def test_publish_freezes_the_form_and_its_versions(
    make_version: MakeVersion, make_form: MakeForm
) -> None:
    """A published form is numbered 1, frozen, with the default cut and table, and
    every version on it carries frozen_at."""
    # given
    scored = [make_version(f"A1-{i:03}") for i in range(1, 11)]
    pretest = [make_version("A1-900", status=ItemStatus.PRETEST)]
    form = make_form(scored, pretest)
    # when
    published = form_publish(form_id=form.pk, actor="cli")
    # then
    assert published.status == FormStatus.PUBLISHED
    assert published.number == 1
    assert published.cut_score == default_cut_score(10) == 7
    assert published.scale is not None
    assert len(published.scale) == 11
    assert published.scale[7] == 500
    assert published.scale[6] < 500
    assert published.scale == sorted(published.scale)
    assert ItemVersion.objects.filter(frozen_at__isnull=True).count() == 0
    assert Event.objects.filter(kind=EventKind.FORM_PUBLISHED).count() == 1


def test_numbers_count_per_test_and_kind(
    make_version: MakeVersion, make_form: MakeForm
) -> None:
    """The second published A1 initial form is number 2; an A1 recert form starts
    again at 1."""
    # given
    versions = [make_version(f"A1-{i:03}") for i in range(1, 4)]
    first = make_form(versions)
    second = make_form(versions)
    recert = make_form(versions, kind="recert")
    # when
    numbers = [form_publish(form_id=f.pk).number for f in (first, second, recert)]
    # then
    assert numbers == [1, 2, 1]


def test_a_published_form_cannot_be_published_or_rescaled(
    make_version: MakeVersion, make_form: MakeForm
) -> None:
    """Once published, the form's cut score and table are refused changes."""
    # given
    form = make_form([make_version("A1-001"), make_version("A1-002")])
    form_publish(form_id=form.pk)
    # when / then
    with pytest.raises(ItemBankError, match="frozen"):
        form_scale_set(form_id=form.pk, cut_score=1, scale=[200, 600, 800])
    with pytest.raises(ItemBankError, match="already"):
        form_publish(form_id=form.pk)


def test_the_equating_seam_supplies_the_table(
    make_version: MakeVersion, make_form: MakeForm
) -> None:
    """A cut score and table set on the draft are the ones published; a table of
    the wrong length is refused and the draft keeps none."""
    # given
    form = make_form([make_version(f"A1-{i:03}") for i in range(1, 4)])
    # when
    with pytest.raises(ItemBankError, match="4 entries"):
        form_scale_set(form_id=form.pk, cut_score=2, scale=[1, 2, 3])
    form.refresh_from_db()
    assert form.scale is None
    form_scale_set(form_id=form.pk, cut_score=2, scale=[100, 300, 500, 700])
    published = form_publish(form_id=form.pk)
    # then
    assert (published.cut_score, published.scale) == (2, [100, 300, 500, 700])


def test_an_item_no_longer_operational_blocks_publishing(
    make_version: MakeVersion, make_form: MakeForm
) -> None:
    """A scored item retired after assembly stops the publication, naming it; the
    form stays a draft and nothing is frozen."""
    # given
    good, gone = make_version("A1-001"), make_version("A1-002")
    form = make_form([good, gone])
    ItemVersion.objects.filter(pk=gone.pk).update(status=ItemStatus.RETIRED)
    # when
    with pytest.raises(ItemBankError, match="A1-002 v1"):
        form_publish(form_id=form.pk)
    # then
    form.refresh_from_db()
    assert form.status == FormStatus.DRAFT
    assert form.number is None
    assert not ItemVersion.objects.filter(frozen_at__isnull=False).exists()
