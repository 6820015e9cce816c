"""An item's exposure is the number of published forms using any version of it:
drafts and retired forms do not count, and one form counts once."""

from __future__ import annotations

from certwright.itembank.selectors import item_exposure
from certwright.itembank.services import form_publish, form_retire
from tests.itembank.conftest import MakeForm, MakeVersion


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
