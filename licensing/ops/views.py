"""Liveness and readiness for load balancers and orchestrators."""

import logging

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """Answer 200 while the process can serve requests at all."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Answer 200 only when the database answers, its schema is current and the broker is reachable."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if not pending else f"{len(pending)} pending"
    except Exception as error:  # noqa: BLE001 - any failure means "not ready", and is reported
        logger.warning("readiness: database check failed: %s", error)
        checks["database"] = f"failed: {error.__class__.__name__}"
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = _broker_check()
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)


def _broker_check() -> str:
    from licensing.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as error:  # noqa: BLE001 - reported, not raised
        logger.warning("readiness: broker check failed: %s", error)
        return f"failed: {error.__class__.__name__}"
