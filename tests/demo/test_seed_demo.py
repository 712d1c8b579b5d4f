import pytest
from django.core.management import call_command

from licensing.accounts.models import User
from licensing.audit.models import Event
from licensing.cases.models import Decision, LicenceApplication, Transaction
from licensing.determinations.models import ForeignPersonDetermination
from licensing.screening.models import Hit, ListImport, SubjectScreening


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Event,
            Transaction,
            LicenceApplication,
            ForeignPersonDetermination,
            ListImport,
            SubjectScreening,
            Hit,
        )
    }


# Transactional, so each step commits and the Celery tasks (in-process) run
# after it as under `make run`: re-decisions, screenings, new draft applications.
@pytest.mark.django_db(transaction=True)
def test_seed_demo_covers_every_branch_and_running_it_twice_changes_nothing(capsys):
    call_command("seed_demo", password="demo-password-123")
    output = capsys.readouterr().out
    for username in ("officer", "reviewer", "legal", "admin", "auditor"):
        assert username in output
    assert "demo-password-123" in output
    decisions = set(Transaction.objects.values_list("decision", flat=True))
    assert decisions == set(Decision.values)
    assert User.objects.get(username="reviewer").check_password("demo-password-123")
    assert Hit.objects.filter(status=Hit.Status.OPEN, customer__external_id="CUST-CN-HEBEISEMI").exists()

    first = _counts()
    call_command("seed_demo", password="demo-password-123")
    assert _counts() == first
