"""An item's exposure is the number of published forms using any version of it:
drafts and retired forms do not count, and one form counts once."""

from __future__ import annotations

from certwright.itembank.selectors import item_exposure
from certwright.itembank.services import form_publish, form_retire
from tests.support.itembank import MakeForm, MakeVersion


def test_exposure_counts_live_forms_only(
    make_version: MakeVersion, make_form: MakeForm
) -> None:
    """Two published forms and a draft: the shared item counts 2; after one form
    retires, 1; an item only on the draft is not exposed."""
    # given
    shared, second, drafted = (make_version(f"A1-00{i}") for i in (1, 2, 3))
    first_form = make_form([shared])
    form_publish(form_id=first_form.pk)
    form_publish(form_id=make_form([shared, second]).pk)
    make_form([drafted, shared])
    # when
    before = item_exposure(test="A1")
    form_retire(form_id=first_form.pk)
    after = item_exposure(test="A1")
    # then
    assert before == {shared.item_id: 2, second.item_id: 1}
    assert after == {shared.item_id: 1, second.item_id: 1}


def test_exposure_counts_the_item_not_the_version(
    make_version: MakeVersion, make_form: MakeForm
) -> None:
    """Version 1 on one live form and version 2 on another: the item's exposure is
    2."""
    # given
    from certwright.itembank.models import ItemVersion

    v1 = make_version("A1-001")
    form_publish(form_id=make_form([v1]).pk)
    v2 = ItemVersion.objects.create(
        item=v1.item,
        number=2,
        status="operational",
        stem="Second wording?",
        options=["a", "b", "c", "d"],
        key=0,
        area="A",
    )
    form_publish(form_id=make_form([v2]).pk)
    # when
    exposure = item_exposure(item_ids=[v1.item_id])
    # then
    assert exposure == {v1.item_id: 2}
