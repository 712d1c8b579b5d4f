"""Celery's shared_task for work that beat runs on a schedule.

`periodic_task(...)` is `shared_task(periodic=True, ...)`: Celery keeps any
option it does not know as an attribute of the task class, and
tests/ops/test_periodic_tasks.py reads that mark to hold every periodic task
to an entry in beat's schedule (and every entry to a periodic task).
"""

from collections.abc import Callable
from typing import Any

from celery import Task, shared_task


def periodic_task(**options: Any) -> Callable[[Callable[..., Any]], Task[Any, Any]]:
    """A shared_task decorator with the given options, marked periodic."""
    # celery-types' overloads name only Celery's own options, so `periodic`
    # cannot be written at the call sites; here it travels in **options.
    decorator: Callable[[Callable[..., Any]], Task[Any, Any]] = shared_task(**options, periodic=True)
    return decorator
