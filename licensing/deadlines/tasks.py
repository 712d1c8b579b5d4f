"""Celery tasks: each takes ids, calls one service, and may run twice without harm."""

from celery import shared_task

from licensing.periodic import periodic_task

from . import recompute, reminders
from .task_names import DELIVER_DIGEST_EMAIL, DELIVER_REMINDER_EMAIL


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def recompute_case_deadlines(self, application_id: int):
    """Recompute the deadlines of one case after a change to it."""
    return len(recompute.recompute_case(application_id=application_id))


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def recompute_determination_deadlines(self, determination_id: int):
    """Recompute the review-by deadline of one determination after a change to it."""
    return len(recompute.recompute_determination(determination_id=determination_id))


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def recompute_visa_deadlines(self, person_id: int):
    """Recompute the expiry clocks of one person's visas after a visa is recorded."""
    return len(recompute.recompute_visas(person_id=person_id))


@periodic_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def refresh_all_deadlines(self):
    """Recompute every live case and determination (nightly, by beat)."""
    return recompute.refresh_deadlines()


@periodic_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def send_due_reminders(self):
    """Mark lapsed deadlines, then claim and enqueue the reminders due today (hourly, by beat)."""
    recompute.refresh_deadlines(lapsed_only=True)
    return len(reminders.claim_due_reminders())


@shared_task(name=DELIVER_REMINDER_EMAIL, bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def deliver_reminder_email(self, reminder_id: int):
    """E-mail one claimed reminder, unless that was done already."""
    return reminders.deliver_reminder(reminder_id=reminder_id)


@periodic_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def send_daily_digests(self):
    """Gather the day's digest reminders into one e-mail per reader (daily, by beat)."""
    return len(reminders.claim_digests())


@shared_task(name=DELIVER_DIGEST_EMAIL, bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def deliver_digest_email(self, digest_id: int):
    """E-mail one claimed digest, unless that was done already."""
    return reminders.deliver_digest(digest_id=digest_id)
