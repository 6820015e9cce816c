"""The response matrix of a form holds its scored sittings, delivered and imported,
one row each and one column per position; voided, unfinished and practice attempts
never count."""

from __future__ import annotations

from typing import Any

import numpy as np

from certwright.itembank.models import Form
from certwright.psychometrics.responses import NOT_SEEN, OMIT
from certwright.scoring.models import Sources
from certwright.scoring.selectors import form_response_matrix
from tests.support.scoring import KEYS, SCORED, attempt_make, form_build, sittings_add


def test_delivered_and_imported_sittings_in_position_order(
    scoring_form: Form, django_assert_num_queries: Any
) -> None:
    """Each scored attempt is a row of its choices in position order (a cleared
    answer and a never-answered item are omits); imported rows follow."""
    # given
    first = attempt_make(scoring_form, [0, 1, 2, 3, 0, 1, 2, 3])
    second = attempt_make(scoring_form, [1, None, 2, 0, 3, 1, 0, 0], status="expired")
    silent = attempt_make(scoring_form, None)  # submitted without a single answer
    imported = [[0, 0, 0, 0, 0, 0, NOT_SEEN, OMIT]]
    sittings_add(scoring_form, imported)

    # when
    with django_assert_num_queries(3):  # the form's columns, delivered, imported
        matrix = form_response_matrix(scoring_form.pk)

    # then
    assert list(matrix.attempt_ids) == sorted([first.pk, second.pk, silent.pk])
    rows = {
        int(a): matrix.choices[i].tolist() for i, a in enumerate(matrix.attempt_ids)
    }
    assert rows[first.pk] == [0, 1, 2, 3, 0, 1, 2, 3]
    assert rows[second.pk] == [1, OMIT, 2, 0, 3, 1, 0, 0]
    assert rows[silent.pk] == [OMIT] * 8
    assert matrix.choices[3].tolist() == imported[0]
    assert (matrix.n, matrix.n_delivered, matrix.n_imported) == (4, 3, 1)
    assert matrix.key.tolist() == KEYS
    assert matrix.scored.tolist() == SCORED
    assert matrix.areas == ("A", "A", "B", "B", "C", "C", "A", "B")
    assert matrix.choices.dtype == np.uint8


def test_voided_unfinished_and_practice_attempts_are_left_out(
    scoring_form: Form,
) -> None:
    """Only submitted and expired certification attempts count."""
    # given
    counted = attempt_make(scoring_form, [0] * 8)
    attempt_make(scoring_form, [1] * 8, status="voided")
    attempt_make(scoring_form, [2] * 8, status="in_progress")
    attempt_make(scoring_form, [3] * 8, status="paused")
    attempt_make(scoring_form, [3] * 8, kind="practice")

    # when
    matrix = form_response_matrix(scoring_form.pk)

    # then
    assert matrix.attempt_ids.tolist() == [counted.pk]
    assert matrix.choices.tolist() == [[0] * 8]


def test_other_forms_answers_and_the_source_filter(scoring_form: Form) -> None:
    """Answers to another form never leak in, and a filter keeps one source."""
    # given
    other = form_build(publish=False)
    attempt_make(scoring_form, [0] * 8)
    sittings_add(scoring_form, [[1] * 8, [2] * 8])
    sittings_add(other, [[3] * 8])

    # when
    delivered = form_response_matrix(scoring_form.pk, sources=Sources.DELIVERED)
    imported = form_response_matrix(scoring_form.pk, sources=Sources.IMPORTED)

    # then
    assert delivered.choices.tolist() == [[0] * 8]
    assert imported.choices.tolist() == [[1] * 8, [2] * 8]
    assert imported.n_delivered == 0
