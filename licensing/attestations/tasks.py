from celery import shared_task

from licensing.periodic import periodic_task

from .services.sending import expire_lapsed, remind_unanswered, run_send_run


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_attestation_run(self, run_id: int):
    """Send a bulk run's links, carrying on from where a stopped run left off."""
    return run_send_run(run_id).processed


@periodic_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def remind_unanswered_attestations(self):
    """Record lapsed links as expired, then e-mail a fresh link for each unanswered one gone quiet."""
    expired = expire_lapsed()
    return {"expired": expired, "reminded": remind_unanswered()}
