from django.core.management import call_command

from licensing.accounts.models import User
from licensing.audit.models import Event
from licensing.cases.models import Decision, LicenceApplication, Transaction
from licensing.determinations.models import ForeignPersonDetermination


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, Event, Transaction, LicenceApplication, ForeignPersonDetermination)
    }


def test_seed_demo_covers_every_branch_and_running_it_twice_changes_nothing(db, capsys):
    call_command("seed_demo", password="demo-password-123")
    output = capsys.readouterr().out
    for username in ("officer", "reviewer", "legal", "admin", "auditor"):
        assert username in output
    assert "demo-password-123" in output
    decisions = set(Transaction.objects.values_list("decision", flat=True))
    assert decisions == set(Decision.values)
    assert User.objects.get(username="reviewer").check_password("demo-password-123")

    first = _counts()
    call_command("seed_demo", password="demo-password-123")
    assert _counts() == first
