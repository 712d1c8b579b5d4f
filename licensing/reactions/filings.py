"""Filing documents follow an application's approval for filing, and its filing with BIS."""

from licensing.audit.models import Event
from licensing.cases.models import LicenceApplication
from licensing.filings.services.filings import queue_filed_versions, queue_filings_on_approval


def queue_on_approval(event: Event, application: LicenceApplication) -> None:
    """Queue the documents for BIS when an application has just been approved for filing.

    The filing records are written in the approval's transaction, so they
    exist if and only if it commits; their renders are sent after commit.
    """
    if application.status == LicenceApplication.Status.APPROVED_FOR_FILING:
        queue_filings_on_approval(application=application, actor=event.actor)


def queue_filed_versions_on_submission(event: Event, application: LicenceApplication) -> None:
    """Render the documents again as filed, with the SNAP-R control number and date, once BIS has them.

    Written in the submission's transaction like the approval's; until this
    version is ready, every render of the application says DRAFT.
    """
    queue_filed_versions(application=application, actor=event.actor)
