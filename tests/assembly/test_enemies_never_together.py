"""Enemy items never sit on one form, and a form is found whenever one exists."""

from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from certwright.assembly import AssemblyInfeasible, FormSpec, PoolItem, assemble
from tests.assembly.pools import A1_AREAS, synthetic_pool

from .pools import enemies_together, form_problems, some_form_exists


@st.composite
def pools_and_specs(draw: st.DrawFn) -> tuple[list[PoolItem], FormSpec]:
    areas = ["A", "B", "C"][: draw(st.integers(1, 3))]
    n = draw(st.integers(4, 12))
    pairs = draw(
        st.sets(
            st.tuples(st.integers(1, n), st.integers(1, n)).filter(
                lambda p: p[0] != p[1]
            ),
            max_size=2 * n,
        )
    )
    pool = [
        PoolItem(
            i,
            draw(st.sampled_from(areas)),
            draw(st.sampled_from(["operational", "operational", "pretest"])),
            exposure=draw(st.integers(0, 2)),
            enemies=frozenset({b for a, b in pairs if a == i}),
        )
        for i in range(1, n + 1)
    ]
    limit = draw(st.none() | st.integers(2, 4))
    # Counts the usable items can meet, so enemies decide whether a form exists.
    fits = [i for i in pool if limit is None or i.exposure < limit]
    operational = [i.area for i in fits if i.role == "operational"]
    counts = {a: draw(st.integers(0, min(3, operational.count(a)))) for a in areas}
    pretest = draw(st.integers(0, min(2, len(fits) - len(operational))))
    assume(sum(counts.values()) + pretest > 0)
    spec = FormSpec(
        counts, pretest=pretest, max_exposure=limit, seed=draw(st.integers(0, 2**32))
    )
    return pool, spec


@settings(max_examples=150)
@given(pools_and_specs())
def test_a_form_never_holds_two_enemies_and_exists_when_one_can(case):
    """On random small pools a returned form is valid, and "infeasible" means no form
    exists: blamed on a shortage, or else on enemy pairs that are real pairs."""
    # given
    pool, spec = case
    # when
    try:
        form = assemble(pool, spec)
        error = None
    except AssemblyInfeasible as caught:
        form, error = None, caught
    # then
    if error is None:
        event("assembled")
        assert form is not None
        assert form_problems(pool, spec, form) == []
    else:
        event("infeasible: enemies" if error.enemy_pairs else "infeasible: counts")
        assert not some_form_exists(pool, spec)
        named = set(error.enemy_pairs)
        assert named <= enemies_together(pool, [i.id for i in pool])
        assert bool(named) != bool(error.shortages or error.pretest_shortage)


def test_enemy_dense_bank_gives_a_form_without_enemies():
    """With enemy pairs for half the items, the 60-item form still keeps them apart."""
    # given
    pool = synthetic_pool(1200, enemy_share=0.5, seed=11)
    spec = FormSpec(A1_AREAS, pretest=10, seed=4)
    # when
    form = assemble(pool, spec)
    # then
    assert enemies_together(pool, [*form.scored, *form.pretest]) == set()
    assert form_problems(pool, spec, form) == []
