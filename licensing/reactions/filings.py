"""Filing documents follow an application's approval for filing."""

from licensing.cases.models import LicenceApplication
from licensing.filings.services.filings import queue_filings_on_approval


def queue_on_approval(event, application) -> None:
    """Queue the documents for BIS when an application has just been approved for filing.

    The filing records are written in the approval's transaction, so they
    exist if and only if it commits; their renders are sent after commit.
    """
    if application.status == LicenceApplication.Status.APPROVED_FOR_FILING:
        queue_filings_on_approval(application=application, actor=event.actor)
