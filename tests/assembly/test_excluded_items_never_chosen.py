"""Items the caller excludes never go on the form."""

from certwright.assembly import FormSpec, assemble
from tests.assembly.pools import A1_AREAS, synthetic_pool

from .pools import op


def test_excluded_items_stay_off_even_when_freshest():
    """An excluded item is passed over although it is the best choice otherwise."""
    # given
    pool = [op(1, "A"), op(2, "A", exposure=3), op(3, "A", exposure=4)]
    spec = FormSpec({"A": 1}, pretest=0, exclude=frozenset({1, 2}))
    # when
    form = assemble(pool, spec)
    # then
    assert form.scored == (3,)


def test_excluding_a_form_gives_a_disjoint_form():
    """Excluding every item of one form yields a second form sharing none of them."""
    # given
    pool = synthetic_pool(1500, seed=2)
    first = assemble(pool, FormSpec(A1_AREAS, pretest=10, seed=1))
    used = frozenset(first.scored + first.pretest)
    # when
    second = assemble(pool, FormSpec(A1_AREAS, pretest=10, seed=1, exclude=used))
    # then
    assert used.isdisjoint(second.scored + second.pretest)
