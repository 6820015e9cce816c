"""A response file is imported whole or not at all; every problem is reported with
its line number, and nothing is stored."""

from __future__ import annotations

import pytest

from certwright.audit.models import Event
from certwright.itembank.models import Form
from certwright.psychometrics.responses import NOT_SEEN, OMIT
from certwright.scoring.models import ExternalSitting
from certwright.scoring.selectors import form_response_matrix
from certwright.scoring.services import ScoringError, responses_import

HEADER = "sitting,test,kind,form,item,choice,taken_on\n"


def _sitting(ref: str, choices: str, *, pretest: bool = True) -> str:
    """Rows for S-001..S-006 (and the pretest S-007/S-008 when ``pretest``)."""
    codes = [f"S-00{i}" for i in range(1, 9 if pretest else 7)]
    return "".join(
        f"{ref},A1,initial,1,{code},{letter},2025-10-04\n"
        for code, letter in zip(codes, choices, strict=False)
    )


def test_a_good_file_stores_one_row_per_sitting(scoring_form: Form) -> None:
    """Letters become option codes, a blank an omit, a missing pretest row
    'not seen'; the import is audited."""
    # given
    text = HEADER + _sitting("FT-1", "ABCDAB") + "FT-1,A1,initial,1,S-007,,2025-10-04\n"
    text += _sitting("FT-2", "DDDDDDAA")

    # when
    summary = responses_import(text=text, source="field test 2025", actor="test")

    # then
    assert summary.sittings == 2
    matrix = form_response_matrix(scoring_form.pk)
    assert matrix.choices.tolist() == [
        [0, 1, 2, 3, 0, 1, OMIT, NOT_SEEN],
        [3, 3, 3, 3, 3, 3, 0, 0],
    ]
    sitting = ExternalSitting.objects.get(reference="FT-1")
    assert (sitting.source, str(sitting.taken_on)) == ("field test 2025", "2025-10-04")
    assert Event.objects.filter(kind="responses.imported").count() == 1


def test_bad_lines_are_all_named_and_nothing_is_stored(scoring_form: Form) -> None:
    """Unknown forms, items and letters, a duplicate answer and a sitting missing
    a scored item are each reported with their line; no sitting is stored."""
    # given
    text = (
        HEADER
        + _sitting("OK-1", "ABCDABCD")  # lines 2-9: fine on its own
        + "X-1,A1,initial,9,S-001,A,\n"  # line 10: no form 9
        + "X-2,A1,initial,1,NOPE,A,\n"  # line 11: not on the form
        + "X-3,A1,initial,1,S-001,E,\n"  # line 12: not a letter
        + "OK-1,A1,initial,1,S-001,B,\n"  # line 13: answered twice
        + "X-4,A1,initial,1,S-001,A,yesterday\n"  # line 14: bad date
        + _sitting("SHORT", "ABC", pretest=False)  # line 15: lacks S-004..S-006
    )

    # when
    with pytest.raises(ScoringError) as refused:
        responses_import(text=text, source="vendor", actor="test")

    # then
    message = refused.value.messages[0]
    for expected in (
        "line 10: no A1 initial form '9'",
        "line 11: item 'NOPE' is not on A1 initial form 1",
        "line 12: choice 'E' is not A, B, C, D or blank",
        "line 13: sitting OK-1 answers S-001 twice",
        "line 14: taken_on 'yesterday' is not a date",
        "line 15: sitting SHORT has no row for scored item(s) S-004, S-005, S-006",
    ):
        assert expected in message
    assert not ExternalSitting.objects.exists()
    assert not Event.objects.filter(kind="responses.imported").exists()


def test_a_missing_column_and_a_second_import_are_refused(scoring_form: Form) -> None:
    """A header without the needed columns is refused before any row; importing the
    same sittings from the same source again is refused and adds nothing."""
    # given
    responses_import(
        text=HEADER + _sitting("FT-1", "ABCDABCD"), source="vendor", actor="test"
    )

    # when / then
    with pytest.raises(ScoringError, match="line 1: the header lacks column"):
        responses_import(text="sitting,item,choice\nA,S-001,A\n", source="v", actor="t")
    with pytest.raises(ScoringError, match="line 2: sitting FT-1 was already imported"):
        responses_import(
            text=HEADER + _sitting("FT-1", "ABCDABCD"), source="vendor", actor="test"
        )
    assert ExternalSitting.objects.count() == 1
