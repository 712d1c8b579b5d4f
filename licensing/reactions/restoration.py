"""A customer's signed attestation puts its subject through triage again, on the facts it just added."""

import logging

from django.db import transaction

from licensing.attestations.models import Attestation
from licensing.audit.models import Event
from licensing.restoration.services.triage import NoActiveRuleSet, triage_subject

log = logging.getLogger(__name__)


def retriage_attested_subject(event: Event, attestation: Attestation) -> None:
    """Triage the attested subject again, in the submission's transaction; the answers themselves approve nothing."""
    try:
        # A savepoint: triage that cannot run leaves the customer's signed answers recorded all the same.
        with transaction.atomic():
            triage_subject(attestation.subject)
    except NoActiveRuleSet:
        log.warning("attestation %s submitted while no triage rule set is active; triage it later", attestation.pk)
