"""``certwright demo load``: eleven technicians covering every state, idempotent, and a
seeded population derived by one bulk recompute."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.management import call_command
from django.db.models import F

from certwright import rules
from certwright.candidates.ids import certification_id_normalize
from certwright.candidates.models import Technician
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.credentials.demo import LOAD_DOMAIN, demo_load
from certwright.credentials.models import Certification, TitleHolding
from certwright.credentials.selectors import technicians_facts

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo_load()
    return {t.email.split("@")[0]: t for t in Technician.objects.all()}


def _certs(technician):
    return dict(
        Certification.objects.filter(technician=technician).values_list(
            "test", "status"
        )
    )


def _title(technician, title_id):
    return TitleHolding.objects.filter(technician=technician, title_id=title_id).first()


def test_the_personas_cover_every_state(loaded):
    """Certified, pending, expired and revoked certifications and held and lost
    titles all appear among the demo technicians."""

    def _dates(slug, test):
        c = Certification.objects.get(technician=loaded[slug], test=test)
        assert c.passed_on
        assert c.certified_on
        assert c.expires_on
        return c.status, c.passed_on, c.certified_on, c.expires_on

    # then each persona is in its state
    assert set(_certs(loaded["maria-master"]).values()) == {"certified"}
    assert _title(loaded["maria-master"], "master-automobile").held
    lost = _title(loaded["lost-master"], "master-automobile")
    assert (lost.held, _certs(loaded["lost-master"])["A5"]) == (False, "expired")
    assert _certs(loaded["pending"]) == {"A1": "pending_experience"}
    apprentice = _dates("apprentice", "A4")
    assert apprentice[0] == "certified"
    assert apprentice[2] > apprentice[1]  # certified when experience was met
    recert = _dates("recertified", "A1")
    assert recert[0] == "certified"
    assert recert[2] < recert[1]  # certified since before the recertification
    renewing = _dates("renewing", "A6")
    assert renewing[3].year == renewing[1].year + 6  # 5 years + a 1-year extension
    assert _certs(loaded["revoked"]) == {"A1": "certified", "A4": "revoked"}
    assert _title(loaded["medium-heavy"], "master-medium-heavy-vehicle").held
    assert _certs(loaded["expired"]) == {"A8": "expired"}
    assert _certs(loaded["awaiting-review"]) == {"A5": "pending_experience"}
    assert _certs(loaded["candidate"]) == {}
    assert all(certification_id_normalize(t.certification_id) for t in loaded.values())


def test_the_demo_candidate_would_be_certified_by_a_pass_today(loaded):
    """Priya (candidate@example.com's technician) has passed nothing yet, may buy
    the initial A1, and has the experience: an A1 pass today is a certification
    today, which is what the exam-day demo shows."""
    # given Priya's recorded facts and today's program
    priya = loaded["candidate"]
    assert priya.name == "Priya Raman"
    program, day = current_program(), today()
    facts = technicians_facts([priya.pk])[priya.pk]
    # then she may buy the initial A1 today
    assert rules.eligibility(program, facts, "A1", "initial", day).allowed
    # when an A1 pass is added today
    passed = dataclasses.replace(
        facts,
        results=(
            *facts.results,
            rules.TestResult(test="A1", date=day, kind="initial", outcome="pass"),
        ),
    )
    # then A1 is certified from today, not pending experience
    a1 = rules.evaluate(program, passed, day, explain=False).certifications["A1"]
    assert (a1.status, a1.certified_on) == ("certified", day)


def test_loading_twice_adds_nothing(loaded, capsys):
    """A second load finds every persona and leaves the data as it was."""
    # given the loaded demo
    before = (Technician.objects.count(), Certification.objects.count())
    # when loaded again through the command
    call_command("demo", "load")
    # then nothing was added
    assert (Technician.objects.count(), Certification.objects.count()) == before
    assert "11 demo technicians were already loaded" in capsys.readouterr().out


def test_a_population_is_seeded_derived_and_grows_idempotently(db):
    """``--technicians N`` loads N seeded technicians, derives them in bulk to what
    the rules say, and a second load of the same size adds none."""
    # when a small population is loaded
    report = demo_load(technicians=30, seed=7)
    # then it has 30 technicians with facts, none left stale
    population = Technician.objects.filter(email__endswith=f"@{LOAD_DOMAIN}")
    assert population.count() == 30 == report.population_created
    assert report.facts_created > 30
    assert not Technician.objects.exclude(facts_version=F("derived_version")).exists()
    # then the derived rows are the rules' answer
    program, day = current_program(), today()
    ids = list(population.values_list("id", flat=True))
    facts = technicians_facts(ids)
    for tid in ids:
        expected = rules.evaluate(program, facts[tid], day, explain=False)
        stored = dict(
            Certification.objects.filter(technician_id=tid).values_list(
                "test", "status"
            )
        )
        assert stored == {c: s.status for c, s in expected.certifications.items()}
    # when loaded again with the same size
    again = demo_load(technicians=30, seed=7)
    # then nothing was added
    assert again.population_created == 0
    assert population.count() == 30
