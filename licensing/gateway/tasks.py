"""The gateway's scheduled work: what Redis counted of metered licences, copied into PostgreSQL."""

from licensing.periodic import periodic_task

from . import metering


@periodic_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def reconcile_metered_usage(self):
    """Copy the gateway's counts of metered licences from Redis into their usage records."""
    return metering.reconcile_metered_usage()
