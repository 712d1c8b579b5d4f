"""A triaged subject whose facts change is proposed again, so its bucket and its reasons are never stale.

Only subjects already in the campaign (with a current proposal) are triaged
again; the same outcome on the same facts writes nothing.
"""

import logging
from typing import Any

from django.db import transaction

from licensing.audit.models import Event
from licensing.parties.models import Customer, Person
from licensing.restoration.models import Proposal
from licensing.restoration.services.triage import NoActiveRuleSet, triage_subject, triage_subjects
from licensing.screening.models import Hit

log = logging.getLogger(__name__)


def _subjects(target: Any) -> list[Customer | Person]:
    if isinstance(target, Hit):
        target = target.customer or target.person
    if isinstance(target, Person):
        # An individual customer is triaged through its account holder's statuses.
        holder_of = target.customer if target.relationship == Person.Relationship.ACCOUNT_HOLDER else None
        return [target] if holder_of is None else [target, holder_of]
    return [target] if isinstance(target, Customer) else []


def retriage_screened_subjects(event: Event, target: Any) -> None:
    """Triage again, in the screening's transaction, the screened subjects already in the campaign.

    A first screening, or one of new names or addresses, takes a subject out
    of *awaiting screening*: clean, into the bucket its other facts give; on a
    hit, into *blocked by screening*.
    """
    customers = list(
        Proposal.objects.current()
        .filter(customer_id__in=event.after.get("customers", []))
        .values_list("customer_id", flat=True)
    )
    persons = list(
        Proposal.objects.current()
        .filter(person_id__in=event.after.get("persons", []))
        .values_list("person_id", flat=True)
    )
    if not customers and not persons:
        return
    try:
        # A savepoint: triage that cannot run leaves the screening itself recorded.
        with transaction.atomic():
            triage_subjects(customers, persons)
    except NoActiveRuleSet:
        log.warning("subjects screened while no triage rule set is active; triage them later")


def retriage_changed_subject(event: Event, target: Any) -> None:
    """Triage again the customer or person the event changed (or a hit's subject), if it has been triaged."""
    for subject in _subjects(target):
        if not Proposal.objects.current().for_subject(subject).exists():
            continue
        try:
            # A savepoint: triage that cannot run leaves the change itself recorded.
            with transaction.atomic():
                triage_subject(subject)
        except NoActiveRuleSet:
            log.warning("%s changed while no triage rule set is active; triage it later", subject)
