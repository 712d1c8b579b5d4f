"""A real worker and two real beat processes on Redis send a reminder once, however often the task runs."""

import re

import pytest
import redis
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from licensing.cases.services import applications, licences
from licensing.celery import app as celery_app
from licensing.deadlines.models import Deadline, Kind, Notification, Reminder
from licensing.deadlines.reminders import offset_due
from licensing.deadlines.tasks import deliver_reminder_email, send_due_reminders

from ..celery_worker import forget_connections, redis_url_for_this_run, result_of, start_celery, stop_celery, wait_until
from .conftest import days

BEAT_TASK = "Deadlines test: send due reminders every second"


@pytest.fixture
def celery_on_redis(transactional_db, reference_data, tmp_path, settings):
    """Point this process's task calls at a Redis broker; yield a starter for worker and beat processes."""
    broker = redis_url_for_this_run()
    redis.Redis.from_url(broker).flushdb()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    previous = {key: celery_app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    celery_app.conf.update(broker_url=broker, result_backend=broker, task_always_eager=False)
    forget_connections()
    started = []

    def start(name: str, *arguments: str):
        log_path = tmp_path / f"{name}.log"
        process, log = start_celery(
            *arguments,
            broker=broker,
            extra_env={
                "DJANGO_SETTINGS_MODULE": "tests.deadlines.worker_settings",
                "DEADLINES_TEST_MAIL_DIR": str(mail_dir),
                "EXPORTDESK_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            },
            log_path=log_path,
        )
        started.append((process, log))
        return process, log_path

    try:
        yield start, mail_dir
    finally:
        for process, log in started:
            stop_celery(process, log)
        forget_connections()
        celery_app.conf.update(**previous)


def _messages(mail_dir) -> int:
    return sum(path.read_text().count("Message-ID:") for path in mail_dir.iterdir())


@pytest.mark.slow
def test_beat_running_twice_sends_a_reminder_once(today, celery_on_redis, filed, officer):
    start, mail_dir = celery_on_redis
    officer.email = "officer@exportdesk.example"
    officer.save(update_fields=["email"])
    application = applications.record_registration(actor=officer, application=filed, registered_on=today - days(5))
    licence = licences.record_approval(
        actor=officer,
        application=application,
        licence_number="D300001",
        valid_from=today - days(30),
        valid_until=today + days(7),
    )

    # Four threads, so duplicate runs overlap rather than queue behind each other.
    worker, worker_log = start(
        "worker",
        "worker",
        "--pool=threads",
        "--concurrency=4",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
    )
    # The worker derives the expiry deadline from the approval's events.
    deadline = wait_until(
        lambda: Deadline.objects.for_subject(licence).filter(kind=Kind.LICENCE_EXPIRY).first(),
        timeout=120,
        message="the worker to derive the licence's expiry deadline",
    )
    assert worker.poll() is None, worker_log.read_text()
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name=BEAT_TASK, task="licensing.deadlines.tasks.send_due_reminders", interval=every_second
    )
    beats = [
        start(
            f"beat-{n}",
            "beat",
            "--scheduler",
            "django_celery_beat.schedulers:DatabaseScheduler",
            "--max-interval",
            "1",
            "--loglevel=INFO",
        )
        for n in (1, 2)
    ]
    wait_until(
        lambda: Reminder.objects.filter(emailed_at__isnull=False).exists(),
        timeout=120,
        message="the reminder to be e-mailed",
    )
    # On top of beat running twice: a manual run and a retried delivery.
    result_of(send_due_reminders.delay(), timeout=60)
    result_of(deliver_reminder_email.delay(Reminder.objects.get().pk), timeout=60)

    def runs() -> int:
        return len(re.findall(r"send_due_reminders\[[^\]]+\] succeeded", worker_log.read_text()))

    wait_until(lambda: runs() >= 8, timeout=120, message="eight reminder runs")
    for _, beat_log in beats:
        assert beat_log.read_text().count(f"Sending due task {BEAT_TASK}") >= 2

    assert _messages(mail_dir) == 1
    reminder = Reminder.objects.get()
    assert (reminder.deadline, reminder.recipient) == (deadline, officer)
    assert reminder.offset == offset_due(deadline, today)
    assert Notification.objects.filter(reminder=reminder).count() == 1
    text = "".join(path.read_text() for path in mail_dir.iterdir())
    assert "To: officer@exportdesk.example" in text
    assert "Content-Type: text/html" in text and "Content-Type: text/plain" in text
