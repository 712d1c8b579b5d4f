"""Messages enqueued together: one insert for many, each still its own message, sent after commit in order."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from licensing.outbox import services
from licensing.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db
TASK = "licensing.outbox.tasks.relay_outbox"


def test_the_block_writes_its_messages_in_one_insert_and_sends_each_after_commit(
    django_capture_on_commit_callbacks, monkeypatch
):
    sent: list[int] = []
    monkeypatch.setattr(services, "send", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        with CaptureQueriesContext(connection) as queries, services.enqueued_together():
            for n in range(3):
                services.enqueue(TASK, n)
            with services.enqueued_together():
                services.enqueue(TASK, 3)
            assert not OutboxMessage.objects.exists()
        inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "outbox_outboxmessage"')]
        assert len(inserts) == 1

    messages = list(OutboxMessage.objects.order_by("pk"))
    assert [m.args for m in messages] == [[0], [1], [2], [3]]
    assert sent == [m.pk for m in messages]


def test_a_block_left_by_an_error_writes_nothing():
    with pytest.raises(ValueError), transaction.atomic(), services.enqueued_together():
        services.enqueue(TASK, 1)
        raise ValueError("the change failed")
    assert not OutboxMessage.objects.exists()
    services.enqueue(TASK, 2)
    assert OutboxMessage.objects.count() == 1
