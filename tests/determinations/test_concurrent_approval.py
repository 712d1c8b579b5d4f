"""Two reviewers at once: PostgreSQL row locks keep one approved determination per subject."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from licensing.audit.chain import verify_chain
from licensing.audit.models import Event
from licensing.determinations import services
from licensing.determinations.models import ForeignPersonDetermination
from licensing.workflow.machine import TransitionError

from ..factories import CustomerFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


def _race(calls):
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _in_review(subject, officer):
    draft = services.prepare_determination(actor=officer, subject=subject, effective_on=timezone.localdate())
    return services.submit_determination(actor=officer, determination=draft)


@pytest.mark.django_db(transaction=True)
def test_the_same_determination_approved_twice_at_once_is_approved_once(officer, reviewer, reviewer2):
    determination = _in_review(CustomerFactory(), officer)
    outcomes = _race(
        [
            lambda: services.approve_determination(actor=reviewer, determination=determination),
            lambda: services.approve_determination(actor=reviewer2, determination=determination),
        ]
    )
    successes = [o for o in outcomes if isinstance(o, ForeignPersonDetermination)]
    refusals = [o for o in outcomes if isinstance(o, TransitionError)]
    assert (len(successes), len(refusals)) == (1, 1), outcomes
    assert Event.objects.filter(verb="determination.approve").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_drafts_for_one_subject_approved_at_once_leave_one_in_force(officer, reviewer, reviewer2):
    subject = CustomerFactory()
    first, second = _in_review(subject, officer), _in_review(subject, officer)
    outcomes = _race(
        [
            lambda: services.approve_determination(actor=reviewer, determination=first),
            lambda: services.approve_determination(actor=reviewer2, determination=second),
        ]
    )
    assert all(isinstance(o, ForeignPersonDetermination) for o in outcomes), outcomes
    statuses = sorted(ForeignPersonDetermination.objects.for_subject(subject).values_list("status", flat=True))
    assert statuses == ["approved", "superseded"]
    assert verify_chain(Event.objects.order_by("sequence")).ok
