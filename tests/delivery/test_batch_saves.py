"""A batch save (the player's queue after a reconnect) applies ``answer_save``'s
rules to every answer in one statement: one ack per answer, in order; an answer
refused on its own does not stop the others; a replay stores nothing twice; what
concerns the whole attempt refuses the whole batch, exactly as a single save is
refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from prometheus_client import REGISTRY

from certwright.delivery.answers import (
    MAX_BATCH_ANSWERS,
    MAX_CLIENT_SEQ,
    AnswerIn,
    SaveAck,
    SaveRefusal,
    answer_save,
    answers_save_many,
)
from certwright.delivery.attempts import (
    attempt_pause,
    attempt_submit,
    attempt_void,
    practice_attempt_create,
)
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import AttemptStatus, Response
from certwright.itembank.models import FormItem
from tests.delivery.test_practice_tests import _entitle
from tests.support.delivery import KEYS, SEATS, form_create, form_items, launch, save

pytestmark = pytest.mark.django_db


def batch(attempt, *answers, by=None, device=None, feedback=False):
    """The candidate (or ``by``) sends (item, choice, seq[, flagged]) answers."""
    return answers_save_many(
        attempt_id=attempt.pk,
        answers=[
            AnswerIn(
                form_item_id=a[0].pk if isinstance(a[0], FormItem) else a[0],
                choice=a[1],
                client_seq=a[2],
                flagged=a[3] if len(a) > 3 else False,
            )
            for a in answers
        ],
        by=by or attempt.technician.user,
        device=device if device is not None else SEATS.get(attempt.pk),
        feedback=feedback,
    )


def stored(attempt) -> dict[int, tuple[int | None, bool, int]]:
    return {
        r.form_item_id: (r.choice, r.flagged, r.client_seq)
        for r in Response.objects.filter(attempt=attempt)
    }


def test_a_batch_is_one_statement_and_acknowledges_each_answer(
    started, django_assert_num_queries
):
    """Three answers from an offline queue: one statement stores them all, and the
    acks come back in the order sent, each as a single save's."""
    items = form_items(started)
    a, b, c = items["A1-001"], items["A1-002"], items["A1-003"]
    user = started.technician.user
    # when the queue is sent in one batch
    with django_assert_num_queries(1):
        acks = batch(started, (a, 2, 5, True), (b, None, 6), (c, 3, 7), by=user)
    # then every answer is applied and acknowledged, in order
    assert acks == [
        SaveAck(started.pk, a.pk, 5, 2, True, True),
        SaveAck(started.pk, b.pk, 6, None, False, True),
        SaveAck(started.pk, c.pk, 7, 3, False, True),
    ]
    assert stored(started) == {
        a.pk: (2, True, 5),
        b.pk: (None, False, 6),
        c.pk: (3, False, 7),
    }


def test_a_replayed_batch_stores_nothing_twice(started):
    """The acknowledgement was lost and the batch is sent again: one row per item,
    each ack says not applied, with the stored answer."""
    items = form_items(started)
    a, b = items["A1-001"], items["A1-002"]
    # given a batch that was saved
    first = batch(started, (a, 1, 1), (b, 2, 2))
    # when the same batch arrives again
    again = batch(started, (a, 1, 1), (b, 2, 2))
    # then nothing changed and the replay is acknowledged as stale
    assert [x.applied for x in first] == [True, True]
    assert [(x.applied, x.choice, x.client_seq) for x in again] == [
        (False, 1, 1),
        (False, 2, 2),
    ]
    assert Response.objects.filter(attempt=started).count() == 2
    assert stored(started) == {a.pk: (1, False, 1), b.pk: (2, False, 2)}


def test_an_older_answer_in_a_batch_is_acknowledged_with_the_newer_one(started):
    """One item already holds a newer answer (saved from the other tab): that
    entry is not applied and its ack carries the stored answer; the rest apply."""
    items = form_items(started)
    a, b = items["A1-001"], items["A1-002"]
    # given a newer answer to A stored already
    save(started, a, seq=9, choice=3)
    # when a batch carries an older answer to A and a new one to B
    acks = batch(started, (a, 0, 4), (b, 1, 5))
    # then A keeps the newer answer, B is saved
    assert acks == [
        SaveAck(started.pk, a.pk, 9, 3, False, False),
        SaveAck(started.pk, b.pk, 5, 1, False, True),
    ]
    assert stored(started) == {a.pk: (3, False, 9), b.pk: (1, False, 5)}


def test_an_answer_refused_on_its_own_does_not_stop_the_others(started, exam_form):
    """An item not on the form, a choice out of range, a sequence number past what
    JavaScript counts, a flag that is not a boolean, an item that is not an id:
    each gets its own refusal (the code a single save would raise); the valid
    answers beside them are saved."""
    items = form_items(started)
    a, b = items["A1-001"], items["A1-002"]
    other_form = FormItem.objects.exclude(form_id=started.form_id).first()
    foreign = other_form.pk if other_form else max(i.pk for i in items.values()) + 99
    # when one batch holds two good answers and five bad ones
    acks = answers_save_many(
        attempt_id=started.pk,
        answers=[
            AnswerIn(form_item_id=a.pk, choice=1, flagged=False, client_seq=1),
            AnswerIn(form_item_id=foreign, choice=1, flagged=False, client_seq=2),
            AnswerIn(form_item_id=b.pk, choice=7, flagged=False, client_seq=3),
            AnswerIn(
                form_item_id=items["A1-003"].pk,
                choice=1,
                flagged=False,
                client_seq=MAX_CLIENT_SEQ + 1,
            ),
            AnswerIn(
                form_item_id=items["A1-004"].pk,
                choice=1,
                flagged="yes",  # type: ignore[arg-type]
                client_seq=5,
            ),
            AnswerIn(
                form_item_id="A1-005",  # type: ignore[arg-type]
                choice=1,
                flagged=False,
                client_seq=6,
            ),
            AnswerIn(
                form_item_id=items["A1-005"].pk, choice=0, flagged=True, client_seq=7
            ),
        ],
        by=started.technician.user,
        device=SEATS[started.pk],
    )
    # then the good ones are applied and each bad one says why
    assert isinstance(acks[0], SaveAck)
    assert acks[0].applied
    assert isinstance(acks[6], SaveAck)
    assert acks[6].applied
    refusals = [r for r in acks[1:6] if isinstance(r, SaveRefusal)]
    assert len(refusals) == 5
    assert [(r.code, r.form_item_id, r.client_seq) for r in refusals] == [
        ("item", foreign, 2),
        ("choice", b.pk, 3),
        ("seq", items["A1-003"].pk, MAX_CLIENT_SEQ + 1),
        ("flagged", items["A1-004"].pk, 5),
        ("item", None, 6),
    ]
    assert "not part of this exam" in refusals[0].message
    assert "0 to 3" in refusals[1].message
    assert stored(started) == {a.pk: (1, False, 1), items["A1-005"].pk: (0, True, 7)}


def test_a_batch_of_refused_answers_alone_stores_nothing(started):
    """Every answer refused on its own: acks are refusals, nothing is written."""
    items = form_items(started)
    acks = batch(started, (items["A1-001"], 9, 1), (10**9, 0, 2))
    assert [r.code for r in acks] == ["choice", "item"]
    assert stored(started) == {}


@pytest.mark.parametrize(
    ("size", "message"),
    [(0, "no answer"), (MAX_BATCH_ANSWERS + 1, f"at most {MAX_BATCH_ANSWERS}")],
)
def test_an_empty_or_oversized_batch_is_refused_whole(started, size, message):
    item = form_items(started)["A1-001"]
    with pytest.raises(DeliveryError) as refused:
        batch(started, *[(item.pk + n, 0, n + 1) for n in range(size)])
    assert refused.value.code == "batch"
    assert message in refused.value.messages[0]
    assert stored(started) == {}


def test_a_batch_naming_an_item_twice_is_refused_whole(started):
    """One answer per item (the player keeps the newest): a repeat is refused
    before anything is written, so no answer is half-applied."""
    items = form_items(started)
    a, b = items["A1-001"], items["A1-002"]
    with pytest.raises(DeliveryError) as refused:
        batch(started, (a, 0, 1), (b, 1, 2), (a, 2, 3))
    assert refused.value.code == "batch"
    assert "one answer per question" in refused.value.messages[0]
    assert stored(started) == {}


def _single_refusal(attempt, item, **kwargs) -> DeliveryError:
    with pytest.raises(DeliveryError) as refused:
        save(attempt, item, seq=50, choice=1, **kwargs)
    return refused.value


def _batch_refusal(attempt, items, **kwargs) -> DeliveryError:
    with pytest.raises(DeliveryError) as refused:
        batch(attempt, *[(item, 1, 50 + n) for n, item in enumerate(items)], **kwargs)
    return refused.value


def _same(batch_error: DeliveryError, single_error: DeliveryError) -> None:
    assert batch_error.code == single_error.code
    assert batch_error.messages == single_error.messages


def test_a_paused_exam_refuses_the_batch_as_a_save(started, proctor):
    items = list(form_items(started).values())
    attempt_pause(attempt_id=started.pk, actor=proctor, reason="fire drill")
    single = _single_refusal(started, items[0])
    whole = _batch_refusal(started, items[:3])
    assert whole.code == "paused"
    _same(whole, single)
    assert stored(started) == {}


@pytest.mark.parametrize("ending", ["submit", "void"])
def test_a_finished_exam_refuses_the_batch_as_a_save(
    started, candidate, proctor, ending
):
    items = list(form_items(started).values())
    # given one answer, then the end of the exam
    save(started, items[0], seq=1, choice=0)
    if ending == "submit":
        attempt_submit(
            attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
        )
    else:
        attempt_void(attempt_id=started.pk, reason="phone in use", actor=proctor)
    # when a batch arrives (a replay of the acknowledged answer among new ones)
    whole = _batch_refusal(started, items[:3])
    # then it is refused whole, as a single save, and nothing changed
    assert whole.code == "finished"
    _same(whole, _single_refusal(started, items[1]))
    assert stored(started) == {items[0].pk: (0, False, 1)}


def test_a_batch_past_the_deadline_is_refused_and_closes_the_attempt(started, frozen):
    """Past deadline + grace: ``deadline``, nothing stored, the attempt closed
    (as a late single save closes it)."""
    items = list(form_items(started).values())
    frozen.move_to(started.deadline + dt.timedelta(minutes=1))
    whole = _batch_refusal(started, items[:2])
    assert whole.code == "deadline"
    started.refresh_from_db()
    assert started.status == AttemptStatus.EXPIRED
    assert stored(started) == {}
    # a single save now sees the closed attempt
    assert _single_refusal(started, items[0]).code == "finished"


def test_a_batch_within_the_grace_is_saved(started, frozen):
    items = list(form_items(started).values())
    frozen.move_to(started.deadline + dt.timedelta(seconds=2))
    acks = batch(started, (items[0], 1, 1), (items[1], 2, 2))
    assert all(isinstance(a, SaveAck) and a.applied for a in acks)


def test_another_workstation_and_another_candidate_are_refused_as_a_save(
    started, candidate
):
    """Without the seat token (``device``), with another token, or as another
    candidate (404): refused whole, with the single save's code and message."""
    items = list(form_items(started).values())
    for device in ("", "not-the-seat-token"):
        whole = _batch_refusal(started, items[:2], device=device)
        assert whole.code == "device"
        with pytest.raises(DeliveryError) as refused:
            answer_save(
                attempt_id=started.pk,
                form_item_id=items[0].pk,
                choice=1,
                flagged=False,
                client_seq=50,
                by=candidate.user,
                device=device or None,
            )
        single_error = refused.value
        _same(whole, single_error)
    stranger = get_user_model().objects.create_user(
        username="stranger@example.com", password=None
    )
    whole = _batch_refusal(started, items[:2], by=stranger)
    assert whole.code == "not_found"
    _same(whole, _single_refusal(started, items[0], by=stranger))
    assert stored(started) == {}


def test_a_batch_before_the_start_is_refused(authorised, candidate):
    items = list(form_items(authorised).values())
    assert _batch_refusal(authorised, items[:2]).code == "launch"
    launch(authorised, candidate.user)
    assert _batch_refusal(authorised, items[:2]).code == "not_started"
    assert not Response.objects.exists()


def count(outcome: str, reason: str = "") -> float:
    return (
        REGISTRY.get_sample_value(
            "certwright_answer_saves_total", {"outcome": outcome, "reason": reason}
        )
        or 0.0
    )


def test_each_answer_of_a_batch_is_counted(started, proctor):
    """The metric counts answers, not requests: applied, stale and refused each
    by answer; a batch refused whole counts each of its answers."""
    items = list(form_items(started).values())
    before = {
        k: count(*k)
        for k in [
            ("applied",),
            ("stale",),
            ("refused", "choice"),
            ("refused", "paused"),
        ]
    }
    save(started, items[0], seq=10, choice=1)
    batch(
        started,
        (items[0], 2, 3),
        (items[1], 1, 11),
        (items[2], 1, 12),
        (items[3], 8, 13),
    )
    attempt_pause(attempt_id=started.pk, actor=proctor, reason="fire drill")
    with pytest.raises(DeliveryError):
        batch(started, (items[3], 1, 14), (items[4], 1, 15))
    assert count("applied") == before[("applied",)] + 3
    assert count("stale") == before[("stale",)] + 1
    assert count("refused", "choice") == before[("refused", "choice")] + 1
    assert count("refused", "paused") == before[("refused", "paused")] + 2


def test_a_practice_batch_keeps_the_first_answer_and_gives_feedback(candidate, frozen):
    """In practice the first answer counts: a batch changing it is not applied;
    with ``feedback`` each ack carries whether it is right."""
    _entitle(candidate)
    form_create(kind="practice")
    attempt = practice_attempt_create(technician_id=candidate.pk, test="A1")
    items = form_items(attempt)
    a, b = items["A1-001"], items["A1-002"]
    key_a, key_b = KEYS["A1-001"], KEYS["A1-002"]
    # given a first answer to A, the key
    save(attempt, a, seq=1, choice=key_a)
    # when a batch changes A and answers B with its key, asking for feedback
    acks = batch(attempt, (a, (key_a + 1) % 4, 2), (b, key_b, 3), feedback=True)
    # then A keeps its first answer, B is saved, both say "right"
    assert isinstance(acks[0], SaveAck)
    assert isinstance(acks[1], SaveAck)
    assert (acks[0].applied, acks[0].choice) == (False, key_a)
    assert acks[0].feedback is not None
    assert acks[0].feedback["correct"]
    assert acks[1].applied
    assert acks[1].feedback is not None
    assert acks[1].feedback["correct"]
