"""Background tasks that keep the request id of the request that enqueued them.

A request that sends an e-mail answers at once and the worker sends it later, in
another process: without help its log lines there would say ``-``. A task function
decorated with ``carries_request_id`` (under ``@task()``) takes one more keyword,
``request_id``, and runs with it as the current id (``certwright.conf.logs``);
``enqueue_with_request_id`` fills it in from the request being served. A task queued
before this keyword existed runs with ``-``, as it always did.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django_tasks import TaskResult
from django_tasks.base import Task

from certwright.conf.logs import NO_REQUEST, current_request_id, request_id_var
from certwright.conf.request_id import SANE

P = ParamSpec("P")
T = TypeVar("T")

REQUEST_ID_KWARG = "request_id"


def carries_request_id(func: Callable[P, T]) -> Callable[P, T]:
    """The task runs with the request id it was enqueued with (see module doc)."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> T:
        given = kwargs.pop(REQUEST_ID_KWARG, NO_REQUEST)
        # The row in the queue is data like any other: only a sane id is logged.
        request_id = given if isinstance(given, str) and SANE.fullmatch(given) else "-"
        token = request_id_var.set(request_id)
        try:
            return func(*args, **kwargs)
        finally:
            request_id_var.reset(token)

    return run


def enqueue_with_request_id(
    task: Task[P, T], *args: P.args, **kwargs: P.kwargs
) -> TaskResult[T]:
    """``task.enqueue(...)`` with the current request id passed along (``-`` outside
    a request). The task's function must be wrapped by ``carries_request_id``."""
    passed: dict[str, Any] = {**kwargs, REQUEST_ID_KWARG: current_request_id()}
    return task.enqueue(*args, **passed)
