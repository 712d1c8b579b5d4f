import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from licensing.audit.chain import GENESIS_HASH
from licensing.audit.models import Event, EventIsImmutable
from licensing.audit.sealing import seal_events
from licensing.audit.services import attributed_to_api_token, record_event

from ..factories import CustomerFactory


def test_events_link_into_a_chain(three_events):
    first, second, third = three_events
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert first.sequence < second.sequence < third.sequence


def test_verify_audit_passes_an_untouched_log(three_events, capsys):
    call_command("verify_audit")
    assert "3 events verified" in capsys.readouterr().out


def test_verify_audit_finds_an_edited_row(three_events):
    # Edit the row behind the application's back, as someone with database access could.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_event SET reason = %s WHERE id = %s", ["nothing happened", three_events[1].pk])
    with pytest.raises(
        CommandError, match=rf"Broken link at sequence {three_events[1].sequence} .*content does not match"
    ):
        call_command("verify_audit")


def test_verify_audit_finds_a_deleted_row(three_events):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_event WHERE id = %s", [three_events[1].pk])
    with pytest.raises(
        CommandError,
        match=rf"Broken link at sequence {three_events[2].sequence} .*does not link to the event before it",
    ):
        call_command("verify_audit")


@pytest.mark.parametrize("tampering", ["remove the token", "add a token"])
def test_verify_audit_finds_a_changed_token_attribution(db, tampering):
    token, _ = issue_api_token(actor=None, name="billing", role=ClientRole.BILLING)
    customer = CustomerFactory()
    with attributed_to_api_token(token_id=token.pk, label="api:billing"):
        by_token = record_event(actor=None, verb="customer.updated", target=customer, after={"n": 1})
    by_system = record_event(actor=None, verb="customer.updated", target=customer, after={"n": 2})
    seal_events()
    call_command("verify_audit")

    # Change who a change is put down to, as someone with database access could.
    row, value = (by_token, None) if tampering == "remove the token" else (by_system, token.pk)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_event SET api_token_id = %s WHERE id = %s", [value, row.pk])
    with pytest.raises(CommandError, match=rf"Broken link at sequence {row.sequence} .*content does not match"):
        call_command("verify_audit")


def test_events_cannot_be_changed_or_deleted_through_the_orm(three_events):
    event = three_events[0]
    event.reason = "rewritten"
    with pytest.raises(EventIsImmutable):
        event.save()
    with pytest.raises(EventIsImmutable):
        event.delete()
    with pytest.raises(EventIsImmutable):
        Event.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(EventIsImmutable):
        Event.objects.all().delete()
    assert Event.objects.count() == 3
