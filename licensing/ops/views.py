"""Liveness and readiness for load balancers and orchestrators.

Readiness turns on the database alone (it answers, its schema is current):
without it nothing can be served. Redis is reported, not required: while
it is unreachable the rate limits count per process and writes leave their
follow-up tasks in the outbox, so the status is "degraded" (still 200) and
the checks name what is missing. Refusing traffic then would turn a Redis
outage into a whole outage.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from licensing.api.deadline import database_deadline
from licensing.celery import app
from licensing.gateway.location import database_version, location_enabled, table_date, table_too_old
from licensing.outbox.models import OutboxMessage

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """Answer 200 while the process can serve requests at all."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Answer 200 when the database answers and its schema is current, naming whatever else is degraded."""
    checks = {}
    try:
        # A frozen database answers nothing, not even to its own timeouts.
        # Only the probe is bounded: loading the migration graph is work
        # of this process, slow on a busy machine, not a sign of the database.
        with database_deadline(DATABASE_SECONDS), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if not pending else f"{len(pending)} pending"
        checks["outbox"] = _outbox_check()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready", and is reported
        logger.warning("readiness: database check failed: %s", error)
        checks["database"] = f"failed: {error.__class__.__name__}"
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = _broker_check()
    checks["rate_limits"] = _rate_limits_check()
    location = _location_table()
    if location_enabled():
        checks["location_table"] = "ok" if not location["too_old"] else _STALE_TABLE.format(**location)
    ready = all(checks.get(name) == "ok" for name in REQUIRED)
    status = "not ready" if not ready else "ready" if all(value == "ok" for value in checks.values()) else "degraded"
    return JsonResponse({"status": status, "checks": checks, "location_table": location}, status=200 if ready else 503)


# How long the database may take to answer the readiness checks.
DATABASE_SECONDS = 2
# What a web process cannot serve without; every other check only degrades it.
REQUIRED = ("database", "migrations")
# A message the relay (every few seconds) has not sent after this long means the broker is not taking them.
OUTBOX_LAG_SECONDS = 60


# A stale table does not stop the process serving: the gateway holds the calls it would have placed.
_STALE_TABLE = "older than {max_age_days} days (dated {dated}): gateway calls not decided on nationality alone are held"


def _location_table() -> dict:
    """The gateway's location table: which, of when, how old, and whether calls are placed by it."""
    today = timezone.localdate()
    dated = table_date()
    return {
        "database": database_version(),
        "dated": dated.isoformat() if dated else "unknown",
        "age_days": (today - dated).days if dated else None,
        "max_age_days": settings.GATEWAY_LOCATION_MAX_AGE_DAYS,
        "too_old": table_too_old(today),
        "read": location_enabled(),
    }


def _outbox_check() -> str:
    cutoff = timezone.now() - timedelta(seconds=OUTBOX_LAG_SECONDS)
    waiting = OutboxMessage.objects.unsent().filter(created_at__lt=cutoff).count()
    return "ok" if not waiting else f"{waiting} tasks waiting longer than {OUTBOX_LAG_SECONDS} s to be sent"


def _rate_limits_check() -> str:
    try:
        cache.get("readyz:probe")
    except Exception as error:  # noqa: BLE001 - reported, not raised
        logger.warning("readiness: the rate-limit cache is unreachable: %s", error)
        return f"per-process: Redis unreachable ({error.__class__.__name__})"
    return "ok"


def _broker_check() -> str:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as error:  # noqa: BLE001 - reported, not raised
        logger.warning("readiness: broker check failed: %s", error)
        return f"failed: {error.__class__.__name__}"
