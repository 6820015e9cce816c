"""A form holds exactly the blueprint's count of operational items per area."""

from collections import Counter

from certwright.assembly import FormSpec, assemble, recert_area_counts
from tests.assembly.pools import A1_AREAS, synthetic_pool

from .pools import form_problems, op, pt


def test_initial_form_meets_every_area_count_and_the_pretest_count():
    """From 2,000 items: 50 scored in the blueprint's area counts plus 10 pretest."""
    # given
    pool = synthetic_pool(2000, seed=7)
    spec = FormSpec(A1_AREAS, pretest=10, max_exposure=4, seed=1)
    # when
    form = assemble(pool, spec)
    # then
    assert form_problems(pool, spec, form) == []
    by_id = {i.id: i for i in pool}
    assert Counter(by_id[i].area for i in form.scored) == Counter(A1_AREAS)
    assert len(form.scored) == 50
    assert len(form.pretest) == 10
    assert form.optimal


def test_scored_ids_come_grouped_by_area_in_blueprint_order():
    """Scored ids are listed area by area in blueprint order, ascending within one."""
    # given
    pool = [op(9, "B"), op(1, "B"), op(5, "A"), op(3, "A"), op(7, "C")]
    spec = FormSpec({"B": 2, "A": 2}, pretest=0)
    # when
    form = assemble(pool, spec)
    # then
    assert form.scored == (1, 9, 3, 5)


def test_recert_form_is_shorter_and_has_no_pretest_items():
    """A recertification form meets the scaled counts: 25 scored, no pretest."""
    # given
    pool = synthetic_pool(600, seed=3)
    counts = recert_area_counts({"A": 18, "B": 6, "C": 4, "D": 8, "E": 9}, 25)
    spec = FormSpec(counts, pretest=0)
    # when
    form = assemble(pool, spec)
    # then
    assert form_problems(pool, spec, form) == []
    assert len(form.scored) == 25
    assert form.pretest == ()


def test_items_of_other_areas_are_never_chosen():
    """Operational items of an area outside the blueprint or with a 0 count stay off."""
    # given
    pool = [op(1, "A"), op(2, "A"), op(3, "Z"), op(4, "B"), pt(5, "Z")]
    spec = FormSpec({"A": 2, "B": 0}, pretest=1)
    # when
    form = assemble(pool, spec)
    # then
    assert form.scored == (1, 2)
    assert form.pretest == (5,)
