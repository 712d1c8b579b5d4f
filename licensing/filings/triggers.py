"""What a status change of an application means for its filings; called from workflow.effects."""

from licensing.cases.models import LicenceApplication

from .services.filings import queue_filings_on_approval


def after_application_transition(obj, *, actor) -> None:
    """Queue the documents for BIS when an application enters approved for filing.

    Runs inside the approval's transaction: the filing records exist if and
    only if the approval commits, and their renders are queued on commit.
    """
    if isinstance(obj, LicenceApplication) and obj.status == LicenceApplication.Status.APPROVED_FOR_FILING:
        queue_filings_on_approval(application=obj, actor=actor)
