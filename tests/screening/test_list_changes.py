"""A new list version: what it changed, and the subjects those changes affect screened first, before everyone."""

import pytest
from django.core.exceptions import ValidationError

from licensing.audit.models import Event
from licensing.cases.models import Decision
from licensing.screening.matching.blocking import ChangeBlocker
from licensing.screening.matching.index import IndexedEntry
from licensing.screening.models import Hit, ListChange, Rescreen, SubjectScreening
from licensing.screening.services.adjudication import adjudicate_hit
from licensing.screening.services.priority import screen_changes_first
from licensing.screening.services.screening import screen_subject

from ..factories import CustomerFactory, approved_determination, letter, transaction
from .conftest import DENIED_COMPANY, import_csl, listed_rows

NEW_PARTY = "Kestrel Dynamics Avionics GmbH"


def added_row(name=NEW_PARTY, alt_names=""):
    """A new Entity List entry: a copy of a listed row under its own id."""
    row = dict(next(r for r in listed_rows() if r["source"].startswith("Entity List")))
    row.update(_id="new-entity-0001", entity_number="", name=name, alt_names=alt_names, addresses="Bremen, DE")
    return row


@pytest.fixture
def customer_of(listed, item, officer, reviewer):
    """A screened customer with an approved determination and a transaction decided without any hit."""
    letter(item)

    def make(name, country="DE", decided=Decision.LICENCE_REQUIRED):
        customer = CustomerFactory(legal_name=name, country_of_incorporation_id=country)
        approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=listed.published_on)
        screen_subject(customer)
        record = transaction(customer, item)
        assert record.decision == decided
        return customer, record

    return make


def import_without_running_tasks(write_csl, rows, django_capture_on_commit_callbacks):
    """Import a version; the follow-up tasks (changes first, then everyone) are captured, not run."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = import_csl(write_csl(rows))
    assert run.version is not None, run.error
    return run.version, callbacks


def test_a_new_version_records_entries_added_removed_and_changed(listed, write_csl, django_capture_on_commit_callbacks):
    rows = [r for r in listed_rows() if r["name"] != DENIED_COMPANY] + [added_row()]
    rosneft = next(r for r in rows if r["name"] == "ROSNEFT TRADE LIMITED")
    rosneft["alt_names"] = rosneft["alt_names"] + "; ROSNEFT TRADING SA"
    version, _ = import_without_running_tasks(write_csl, rows, django_capture_on_commit_callbacks)
    changes = {(c.kind, c.name): c for c in ListChange.objects.filter(version=version)}
    assert set(changes) == {
        (ListChange.Kind.ADDED, NEW_PARTY),
        (ListChange.Kind.REMOVED, DENIED_COMPANY),
        (ListChange.Kind.CHANGED, "ROSNEFT TRADE LIMITED"),
    }
    changed = changes[(ListChange.Kind.CHANGED, "ROSNEFT TRADE LIMITED")]
    assert changed.fields == ["alt_names"]
    assert changed.matchable and changed.previous.version == listed and changed.entry.version == version
    assert changes[(ListChange.Kind.REMOVED, DENIED_COMPANY)].entry is None
    assert version.change_counts == {"added": 1, "removed": 1, "changed": 1, "can_add_hits": 2}
    event = Event.objects.get(verb="screening.list_version_in_force", target_id=str(version.pk))
    assert event.after["changes"]["added"] == 1


def test_a_change_the_matcher_does_not_read_cannot_add_hits(listed, write_csl, django_capture_on_commit_callbacks):
    rows = listed_rows()
    rows[0]["remarks"] = "Updated remarks."
    version, _ = import_without_running_tasks(write_csl, rows, django_capture_on_commit_callbacks)
    change = ListChange.objects.get(version=version)
    assert (change.kind, change.fields, change.matchable) == (ListChange.Kind.CHANGED, ["remarks"], False)


def test_an_added_entry_holds_its_customer_through_the_changes_screened_first(
    customer_of, write_csl, django_capture_on_commit_callbacks
):
    customer, record = customer_of("Kestrel Dynamics Avionics")
    bystander, _ = customer_of("Universität Rheinland")
    version, callbacks = import_without_running_tasks(
        write_csl, [*listed_rows(), added_row()], django_capture_on_commit_callbacks
    )
    # The import queued the changes first, then everyone.
    assert len(callbacks) == 2
    with django_capture_on_commit_callbacks(execute=True):
        result = screen_changes_first(version.pk)
    assert not Rescreen.objects.filter(version=version).exists()
    assert (result.candidates, result.screened, result.hits_opened) == (1, 1, 1)
    hit = Hit.objects.get(customer=customer)
    assert (hit.entry.name, hit.entry.version, hit.status) == (NEW_PARTY, version, Hit.Status.OPEN)
    assert Event.objects.filter(verb="screening.hit_opened", target_id=str(hit.pk)).exists()
    record.refresh_from_db()
    assert record.decision == Decision.HOLD
    assert NEW_PARTY in record.decision_reasons[0]
    assert not Hit.objects.filter(customer=bystander).exists()
    version.refresh_from_db()
    assert version.change_counts["screened_first"]["screened"] == 1
    # Run again (a retried task), it does nothing.
    assert screen_changes_first(version.pk) is None


def test_a_changed_alias_holds_its_customer_through_the_changes_screened_first(
    customer_of, write_csl, django_capture_on_commit_callbacks
):
    customer, record = customer_of("Rosneft Oceanic Marketing")
    rows = listed_rows()
    rosneft = next(r for r in rows if r["name"] == "ROSNEFT TRADE LIMITED")
    rosneft["alt_names"] = rosneft["alt_names"] + "; ROSNEFT OCEANIC MARKETING"
    version, _ = import_without_running_tasks(write_csl, rows, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        result = screen_changes_first(version.pk)
    assert result.screened == 1
    hit = Hit.objects.get(customer=customer)
    assert hit.matched_name == "ROSNEFT OCEANIC MARKETING"
    record.refresh_from_db()
    assert record.decision == Decision.HOLD


def test_a_removed_entry_flags_its_open_hit_which_keeps_holding_until_an_officer_closes_it(
    customer_of, officer, write_csl, django_capture_on_commit_callbacks
):
    customer, record = customer_of(DENIED_COMPANY, country="ID", decided=Decision.HOLD)
    hit = Hit.objects.get(customer=customer)
    rows = [r for r in listed_rows() if r["name"] != DENIED_COMPANY]
    version, _ = import_without_running_tasks(write_csl, rows, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        result = screen_changes_first(version.pk)
    assert result.screened == 1
    hit.refresh_from_db()
    assert hit.status == Hit.Status.OPEN
    assert hit.flagged_at is not None and "no longer on any list in force" in hit.flag_reason
    assert Event.objects.filter(verb="screening.hit_flagged", target_id=str(hit.pk)).count() == 1
    # The full re-screen leaves it flagged and holding: a feed that dropped an entry releases no one.
    with django_capture_on_commit_callbacks(execute=True):
        screen_subject(customer)
    hit.refresh_from_db()
    assert hit.status == Hit.Status.OPEN
    assert Event.objects.filter(verb="screening.hit_flagged", target_id=str(hit.pk)).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        adjudicate_hit(actor=officer, hit=hit, outcome="no_longer_listed", reason="Delisted in the Federal Register")
    hit.refresh_from_db()
    assert hit.status == Hit.Status.DELISTED
    record.refresh_from_db()
    assert record.decision == Decision.LICENCE_REQUIRED


def test_only_a_flagged_hit_may_be_closed_as_no_longer_listed(customer_of, officer):
    customer, _ = customer_of(DENIED_COMPANY, country="ID", decided=Decision.HOLD)
    with pytest.raises(ValidationError, match="left the lists"):
        adjudicate_hit(actor=officer, hit=Hit.objects.get(customer=customer), outcome="no_longer_listed", reason="x")
    assert Hit.objects.get(customer=customer).status == Hit.Status.OPEN


@pytest.mark.parametrize(
    ("subject", "could_match"),
    [
        ("Kestrel Dynamics Avionics", True),
        ("Kestrell Dynamics Avionic", True),
        ("KestrelDynamics Avionics", True),
        ("Dynamics Avionics", True),
        ("Blue Heron Dynamics", False),
        ("Universität Rheinland", False),
    ],
)
def test_the_blocker_finds_subjects_that_could_match_a_changed_name(subject, could_match):
    entry = IndexedEntry(
        id=1, key="EL:1", list_code="EL", type="entity", countries=frozenset(), names=((NEW_PARTY, False),)
    )
    weights = {"kestrel": 9.0, "dynamics": 4.0, "avionics": 6.0}
    blocker = ChangeBlocker(
        [entry],
        lambda token: weights.get(token, 9.0),
        subject_weight=lambda word: weights.get(word, 0.0),
        threshold=0.8,
    )
    assert blocker.could_match([subject]) is could_match


def test_the_import_page_and_the_api_show_the_changes(
    listed, officer, client, write_csl, django_capture_on_commit_callbacks
):
    rows = [r for r in listed_rows() if r["name"] != DENIED_COMPANY] + [added_row()]
    with django_capture_on_commit_callbacks(execute=True):
        run = import_csl(write_csl(rows))
    client.force_login(officer)
    page = client.get(f"/screening/imports/{run.pk}/").content.decode()
    assert "1 added, 1 removed, 0 changed; 1 can give a subject a new hit." in page
    assert NEW_PARTY in page and DENIED_COMPANY in page
    assert "Screened first: 0 subjects that could match the changes" in page
    body = client.get(f"/api/v1/screening/versions/{run.version.pk}/changes").json()
    assert body["counts"] == {"added": 1, "removed": 1, "changed": 0, "can_add_hits": 1}
    assert body["replaces"]["id"] == listed.pk
    assert body["screened_first"]["changed_entries"] == 2
    assert {(c["kind"], c["name"]) for c in body["results"]} == {("added", NEW_PARTY), ("removed", DENIED_COMPANY)}
    removed = client.get(f"/api/v1/screening/versions/{run.version.pk}/changes", {"kind": "removed"}).json()
    assert [c["name"] for c in removed["results"]] == [DENIED_COMPANY]
    bad = client.get(f"/api/v1/screening/versions/{run.version.pk}/changes", {"kind": "renamed"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "kind"


def test_a_screening_recorded_before_the_words_were_kept_is_still_found(
    customer_of, write_csl, django_capture_on_commit_callbacks
):
    customer, _ = customer_of("Kestrel Dynamics Avionics")
    screening = SubjectScreening.objects.get(customer=customer)
    assert screening.name_words == "kestrel dynamics avionics"
    SubjectScreening.objects.filter(pk=screening.pk).update(name_words="")
    version, _ = import_without_running_tasks(
        write_csl, [*listed_rows(), added_row()], django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = screen_changes_first(version.pk)
    assert result.candidates == 1
    assert Hit.objects.get(customer=customer).entry.name == NEW_PARTY


def test_the_hit_page_shows_the_flag_and_offers_closing_only_a_flagged_hit(
    customer_of, officer, client, write_csl, django_capture_on_commit_callbacks
):
    customer, _ = customer_of(DENIED_COMPANY, country="ID", decided=Decision.HOLD)
    hit = Hit.objects.get(customer=customer)
    client.force_login(officer)
    page = client.get(f"/screening/hits/{hit.pk}/").content.decode()
    assert "no_longer_listed" not in page
    rows = [r for r in listed_rows() if r["name"] != DENIED_COMPANY]
    version, _ = import_without_running_tasks(write_csl, rows, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        screen_changes_first(version.pk)
    page = client.get(f"/screening/hits/{hit.pk}/").content.decode()
    assert "Flagged for review" in page and "no longer on any list in force" in page
    assert 'value="no_longer_listed"' in page
    response = client.post(
        f"/screening/hits/{hit.pk}/adjudicate/", {"outcome": "no_longer_listed", "reason": "Removed by notice"}
    )
    assert response.status_code == 302
    hit.refresh_from_db()
    assert hit.status == Hit.Status.DELISTED
