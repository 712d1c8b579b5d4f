"""The outbox: a follow-up task is a row written with the change, sent after commit, kept while the broker is away."""

import datetime
import logging
import re
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from licensing.accounts.permissions import ClientRole
from licensing.api.task_names import TOUCH_API_TOKEN
from licensing.api.tasks import touch_api_token
from licensing.api.tokens import issue_api_token
from licensing.celery import app as celery_app
from licensing.outbox import services
from licensing.outbox.models import OutboxMessage
from licensing.outbox.tasks import relay_outbox

from ..celery_worker import forget_connections, wait_until

ROOT = Path(__file__).resolve().parents[2]
# Nothing listens on port 1: connecting is refused at once, as with a Redis that is down.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"
MEMORY_BROKER = "memory://localhost/"


class Broker:
    """Points this process's task sends at a broker: kombu's in-memory one (readable here) or an unreachable one."""

    def use(self, url: str) -> None:
        celery_app.conf.update(broker_url=url, task_always_eager=False)
        forget_connections()

    def sent(self) -> list[tuple[str, str]]:
        """Drain the in-memory queue: (task name, arguments as Celery wrote them), in the order sent."""
        found = []
        with celery_app.connection_for_write() as connection:
            queue = connection.SimpleQueue("celery")
            while True:
                try:
                    message = queue.get_nowait()
                except queue.Empty:
                    break
                found.append((message.headers["task"], message.headers["argsrepr"]))
                message.ack()
            queue.close()
        return found


@pytest.fixture
def broker(db):
    previous = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    broker = Broker()
    broker.use(MEMORY_BROKER)
    broker.sent()
    yield broker
    celery_app.conf.update(**previous)
    forget_connections()


def test_a_change_that_commits_sends_its_task_once_committed(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = services.enqueue(relay_outbox)
            # Nothing leaves before the change commits.
            assert broker.sent() == []

    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.attempts == 1
    assert broker.sent() == [("licensing.outbox.tasks.relay_outbox", "()")]


def test_a_change_that_is_rolled_back_sends_nothing(broker, django_capture_on_commit_callbacks):
    class Refused(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Refused), transaction.atomic():
            services.enqueue(touch_api_token, 1, "2026-01-01T00:00:00+00:00")
            raise Refused

    assert not OutboxMessage.objects.exists()
    assert broker.sent() == []


def test_an_unreachable_broker_leaves_the_message_waiting_and_the_change_saved(
    broker, django_capture_on_commit_callbacks
):
    broker.use(UNREACHABLE_BROKER)

    with django_capture_on_commit_callbacks(execute=True):
        message = services.enqueue(touch_api_token, 7, "2026-01-01T00:00:00+00:00")

    message.refresh_from_db()
    assert message.sent_at is None
    assert message.attempts == 1
    assert "OperationalError" in message.last_error


def test_an_api_write_answers_success_while_the_broker_is_down_and_its_follow_up_waits(
    broker, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    from licensing.parties.models import Customer

    broker.use(UNREACHABLE_BROKER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_api_token(actor=None, name='b', role=ClientRole.BILLING)[1]}")
    body = {
        "kind": "entity",
        "legal_name": "Acme Analytics GmbH",
        "aliases": [],
        "country_of_incorporation": "DE",
        "headquarters_country": "DE",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.put("/api/v1/customers/C-1", body, format="json")

    assert response.status_code in (200, 201), response.content
    customer = Customer.objects.get(external_id="C-1")
    waiting = OutboxMessage.objects.unsent().get(task="licensing.screening.tasks.screen_subject_task")
    assert waiting.args == ["customer", customer.pk]


def test_the_relay_sends_waiting_messages_oldest_first(broker):
    now = timezone.now()
    for minutes_ago, token_id in ((1, 3), (3, 1), (2, 2)):
        OutboxMessage.objects.create(
            task=touch_api_token.name,
            args=[token_id, "2026-01-01T00:00:00+00:00"],
            created_at=now - datetime.timedelta(minutes=minutes_ago),
        )

    assert services.relay() == 3

    assert [args for _, args in broker.sent()] == [
        "[1, '2026-01-01T00:00:00+00:00']",
        "[2, '2026-01-01T00:00:00+00:00']",
        "[3, '2026-01-01T00:00:00+00:00']",
    ]
    assert not OutboxMessage.objects.unsent().exists()


def test_the_relay_sends_nothing_twice(broker):
    OutboxMessage.objects.create(task=relay_outbox.name)
    assert services.relay() == 1
    broker.sent()

    assert services.relay() == 0
    assert broker.sent() == []


def test_the_relay_keeps_messages_while_the_broker_is_down_and_catches_up_when_it_returns(broker):
    for _ in range(3):
        OutboxMessage.objects.create(task=relay_outbox.name)
    broker.use(UNREACHABLE_BROKER)

    assert services.relay() == 0
    # It stops at the first failure: the others would fare no better.
    assert sorted(OutboxMessage.objects.values_list("attempts", flat=True)) == [0, 0, 1]

    broker.use(MEMORY_BROKER)
    call_command("relay_outbox", stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process

    assert not OutboxMessage.objects.unsent().exists()
    assert len(broker.sent()) == 3


def test_a_message_naming_no_task_waits_without_holding_up_the_others(broker):
    stuck = OutboxMessage.objects.create(task="licensing.gone.tasks.removed", created_at=timezone.now())
    OutboxMessage.objects.create(task=relay_outbox.name, created_at=timezone.now() + datetime.timedelta(seconds=1))

    assert services.relay() == 1

    stuck.refresh_from_db()
    assert stuck.sent_at is None
    assert "no task named" in stuck.last_error


def test_without_a_broker_the_task_runs_in_the_process_once_the_change_commits(db, django_capture_on_commit_callbacks):
    from licensing.api.models import ApiToken

    assert celery_app.conf.task_always_eager
    token, _ = issue_api_token(actor=None, name="billing", role=ClientRole.BILLING)
    used_at = timezone.now().replace(microsecond=0)

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = services.enqueue(touch_api_token, token.pk, used_at.isoformat())
            assert ApiToken.objects.get(pk=token.pk).last_used_at is None

    assert ApiToken.objects.get(pk=token.pk).last_used_at == used_at
    message.refresh_from_db()
    assert message.sent_at is not None
    # The relay finds nothing left to run.
    assert services.relay() == 0


def test_bookkeeping_never_waits_for_a_broker_that_is_down(broker, caplog):
    broker.use(UNREACHABLE_BROKER)
    started = time.monotonic()

    with caplog.at_level(logging.WARNING, logger="licensing.outbox.services"):
        services.send_best_effort(touch_api_token, 1, "2026-01-01T00:00:00+00:00")
        assert time.monotonic() - started < 0.5
        # Dropped, and said so, once the sending thread has tried.
        wait_until(lambda: "could not send" in caplog.text, timeout=15, message="the drop to be logged")

    assert not OutboxMessage.objects.exists()


def test_bookkeeping_reaches_a_broker_that_answers(broker):
    services.send_best_effort(touch_api_token, 1, "2026-01-01T00:00:00+00:00")

    sent = wait_until(broker.sent, timeout=10, message="the bookkeeping task to reach the broker")
    assert sent == [(touch_api_token.name, "(1, '2026-01-01T00:00:00+00:00')")]
    assert not OutboxMessage.objects.exists()


def test_arguments_that_are_not_json_are_refused_in_the_caller(broker):
    with pytest.raises(TypeError), transaction.atomic():
        services.enqueue(touch_api_token, object(), "2026-01-01")
    assert not OutboxMessage.objects.exists()


def test_the_relay_is_installed_in_the_beat_schedule(db):
    from importlib import import_module

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    # Installed by a migration; installed again here, since a test that
    # flushes the database takes the migration's rows with it.
    PeriodicTask.objects.all().delete()
    import_module("licensing.outbox.migrations.0002_beat_schedule").install(apps, None)

    entry = PeriodicTask.objects.get(task="licensing.outbox.tasks.relay_outbox")
    assert entry.interval.every == 5 and entry.interval.period == "seconds"
    assert entry.enabled


def test_no_product_module_sends_a_task_except_through_the_outbox():
    sends = re.compile(r"\.(delay|apply_async|send_task)\(")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "licensing").rglob("*.py"))
        if "outbox" not in path.relative_to(ROOT).parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if sends.search(line)
    ]
    assert found == []


def test_a_task_enqueued_by_its_name_is_sent_like_one_enqueued_as_a_task(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            by_name = services.enqueue(TOUCH_API_TOKEN, 1, "2026-01-01T00:00:00+00:00")
            as_task = services.enqueue(touch_api_token, 1, "2026-01-01T00:00:00+00:00")

    assert by_name.task == as_task.task == touch_api_token.name
    assert broker.sent() == [(touch_api_token.name, "[1, '2026-01-01T00:00:00+00:00']")] * 2


def test_without_a_broker_a_task_enqueued_by_its_name_runs_in_the_process(db, django_capture_on_commit_callbacks):
    from licensing.api.models import ApiToken

    token, _ = issue_api_token(actor=None, name="billing", role=ClientRole.BILLING)
    used_at = timezone.now().replace(microsecond=0)

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            services.enqueue(TOUCH_API_TOKEN, token.pk, used_at.isoformat())

    assert ApiToken.objects.get(pk=token.pk).last_used_at == used_at


def test_bookkeeping_named_by_its_task_reaches_a_broker_that_answers(broker):
    services.send_best_effort(TOUCH_API_TOKEN, 1, "2026-01-01T00:00:00+00:00")

    sent = wait_until(broker.sent, timeout=10, message="the bookkeeping task to reach the broker")
    assert sent == [(touch_api_token.name, "(1, '2026-01-01T00:00:00+00:00')")]


def test_bookkeeping_naming_no_task_is_dropped_and_said_so(db, caplog):
    with caplog.at_level(logging.WARNING, logger="licensing.outbox.services"):
        services.send_best_effort("licensing.api.tasks.no_such_task", 1)

    assert "no task named 'licensing.api.tasks.no_such_task'" in caplog.text
    assert not OutboxMessage.objects.exists()
