"""When the bank cannot fill a form, the refusal names the content area that lacks
items and stores nothing."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.itembank.form_building import form_assemble
from certwright.itembank.models import Form, ItemVersion
from certwright.itembank.services import ItemBankError, form_publish
from tests.support.itembank import DAY, synthetic_bank


def test_a_short_area_is_named(db: Any) -> None:
    """With area C's operational items retired but one, the message names area C
    and the numbers."""
    # given
    synthetic_bank(count=240)
    keep = ItemVersion.objects.filter(area="C", status="operational").first()
    assert keep is not None
    ItemVersion.objects.filter(area="C", status="operational").exclude(
        pk=keep.pk
    ).update(status="retired")
    # when
    with pytest.raises(ItemBankError) as refused:
        form_assemble(test="A1", day=DAY, seed=1)
    # then
    message = str(refused.value.message)
    assert refused.value.code == "infeasible"
    assert message.startswith("A1 initial form:")
    assert "area C needs 4 operational items, only 1 usable" in message
    assert not Form.objects.exists()


def test_the_exposure_limit_is_named(db: Any) -> None:
    """Items used up by the exposure limit are counted as such in the message."""
    # given
    synthetic_bank(count=60)
    first = form_assemble(test="A1", kind="recert", day=DAY, seed=1)
    form_publish(form_id=first.pk)
    # when
    with pytest.raises(ItemBankError, match="over the exposure limit"):
        form_assemble(test="A1", kind="initial", day=DAY, seed=2, max_exposure=1)
    # then
    assert Form.objects.count() == 1
