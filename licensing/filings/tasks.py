"""Background work for filings: each task takes ids, calls one service, and is safe to run twice."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from licensing.cases.models import LicenceApplication
from licensing.periodic import periodic_task

from .documents import MissingInformation
from .models import ExportPackage, Filing
from .packages import PackageIntegrityError
from .services.filings import enqueue_render, generate_filing
from .services.packages import build_package
from .services.retention import refresh_retention
from .task_names import BUILD_EXPORT_PACKAGE, RENDER_FILING

logger = logging.getLogger(__name__)

MAX_RETRIES = 3
# A filing still queued after this long lost its message (the broker was down
# when it was queued, or the queue was flushed); it is queued again.
STALLED_AFTER = datetime.timedelta(minutes=15)


@shared_task(name=RENDER_FILING, bind=True, max_retries=MAX_RETRIES, acks_late=True)
def render_filing(self, filing_id: int):
    """Render one filing's PDF; retried with backoff, then left marked failed with its error."""
    try:
        return generate_filing(filing_id=filing_id).status
    except Filing.DoesNotExist:
        return None
    except MissingInformation:
        # The application lacks something: rendering again cannot help until someone fixes it.
        return Filing.Status.FAILED
    except Exception as error:
        if self.request.retries >= self.max_retries:
            logger.exception("filing %s failed after %s attempts", filing_id, self.request.retries + 1)
            return Filing.Status.FAILED
        return _retry(self, error)


@shared_task(name=BUILD_EXPORT_PACKAGE, bind=True, max_retries=MAX_RETRIES, acks_late=True)
def build_export_package(self, package_id: int):
    """Build one export package; retried with backoff, then left marked failed with its error."""
    try:
        return build_package(package_id=package_id).status
    except ExportPackage.DoesNotExist:
        return None
    except PackageIntegrityError:
        return ExportPackage.Status.FAILED
    except Exception as error:
        if self.request.retries >= self.max_retries:
            logger.exception("export package %s failed after %s attempts", package_id, self.request.retries + 1)
            return ExportPackage.Status.FAILED
        return _retry(self, error)


def _retry(task, error):
    retry = task.retry(exc=error, countdown=2**task.request.retries, throw=False)
    if task.request.is_eager:
        # Run without a broker (the embedded default), a raised Retry would
        # reach the request that queued the task; returned, Celery runs the
        # retry at once instead.
        return retry
    raise retry


@periodic_task()
def refresh_retention_dates():
    """Recompute every case's destroy-after date that is not yet fixed (run daily from the beat schedule)."""
    count = 0
    for application in LicenceApplication.objects.exclude(retention__transaction_ended_on__isnull=False):
        refresh_retention(application=application)
        count += 1
    return count


@periodic_task()
def requeue_stalled_filings():
    """Queue again the filings whose render was never delivered (run every few minutes from beat)."""
    stalled = Filing.objects.filter(status=Filing.Status.QUEUED, requested_at__lt=timezone.now() - STALLED_AFTER)
    ids = list(stalled.values_list("pk", flat=True))
    for filing_id in ids:
        enqueue_render(filing_id)
    return len(ids)
