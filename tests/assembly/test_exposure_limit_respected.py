"""No item goes on more live forms than the exposure limit; fresh items come first."""

from certwright.assembly import FormSpec, assemble
from tests.assembly.pools import A1_AREAS, synthetic_pool

from .pools import form_problems, op, pt


def test_items_at_the_limit_are_never_chosen():
    """An item already on max_exposure live forms stays off, even if it is needed."""
    # given: items 1-3 are on 2 forms each; the limit is 2 (this form included)
    pool = [op(i, "A", exposure=2) for i in (1, 2, 3)] + [op(4, "A", exposure=1)]
    pool += [pt(5, "A", exposure=2), pt(6, "A", exposure=0)]
    spec = FormSpec({"A": 1}, pretest=1, max_exposure=2)
    # when
    form = assemble(pool, spec)
    # then
    assert form.scored == (4,)
    assert form.pretest == (6,)


def test_synthetic_bank_respects_the_limit():
    """On a bank with mixed exposure, every chosen item is under the limit."""
    # given
    pool = synthetic_pool(1500, seed=5)
    by_id = {i.id: i for i in pool}
    spec = FormSpec(A1_AREAS, pretest=10, max_exposure=2, seed=9)
    # when
    form = assemble(pool, spec)
    # then
    assert form_problems(pool, spec, form) == []
    assert max(by_id[i].exposure for i in (*form.scored, *form.pretest)) <= 1


def test_fresh_items_are_preferred():
    """Without a limit, the least-used items are chosen: the exposure sum is minimal."""
    # given: area A has two fresh items and two used ones; B one used, one less used
    pool = [op(1, "A", exposure=3), op(2, "A"), op(3, "A", exposure=1), op(4, "A")]
    pool += [op(5, "B", exposure=4), op(6, "B", exposure=2)]
    spec = FormSpec({"A": 2, "B": 1}, pretest=0)
    # when
    form = assemble(pool, spec)
    # then
    assert form.scored == (2, 4, 6)
