"""Lists, detail pages, transitions, comments and assignment, through the views as a browser would post them."""

import csv
import io
import re

import pytest
from django.urls import reverse

from licensing.audit.models import Event
from licensing.cases.models import LicenceApplication, LicenceCondition
from licensing.cases.services import applications
from licensing.determinations.attestation import APPROVAL_ATTESTATION_VERSION
from licensing.determinations.models import DeterminationTask, ForeignPersonDetermination
from licensing.parties.models import Customer
from licensing.web import neighbours

from ..factories import CustomerFactory, transaction
from .rows import add_rows

# The approve button posts the version of the attestation shown beside it.
ATTESTED = {"approve-attestation": APPROVAL_ATTESTATION_VERSION}


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_lists_search_filter_sort_and_page(client, reviewer, officer, item):
    add_rows(60, officer=officer, item=item)
    client.force_login(reviewer)
    page = client.get(reverse("customer_list"), {"sort": "-name"}).content.decode()
    assert "1–50 of 60" in page and 'aria-sort="descending"' in page
    names = re.findall(r"Bulk Customer \d+ GmbH", page)
    assert len(names) == 50 and names == sorted(names, reverse=True)
    second = client.get(reverse("customer_list"), {"sort": "-name", "page": 2}).content.decode()
    assert "51–60 of 60" in second
    wanted = Customer.objects.order_by("?").first()
    found = client.get(reverse("customer_list"), {"q": wanted.external_id}).content.decode()
    assert "1–1 of 1" in found and wanted.legal_name in found
    held = client.get(reverse("transaction_list"), {"decision": "hold"}).content.decode()
    assert "1–15 of 15" in held
    unknown = client.get(reverse("transaction_list"), {"decision": "nonsense", "sort": "nonsense"})
    assert unknown.status_code == 200 and "of 60" in unknown.content.decode()


def test_csv_export_holds_every_matching_row_and_defuses_formulas(client, reviewer, officer, item):
    add_rows(60, officer=officer, item=item)
    CustomerFactory(external_id="CUST-FORMULA", legal_name="=HYPERLINK(1)")
    client.force_login(reviewer)
    response = client.get(reverse("customer_list"), {"format": "csv", "q": "Bulk"})
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][:2] == ["billing_id", "legal_name"] and len(rows) == 61
    formula = _csv(client.get(reverse("customer_list"), {"format": "csv", "q": "FORMULA"}))
    assert formula[1][1] == "'=HYPERLINK(1)"
    for name in ("person_list", "determination_list", "transaction_list", "application_list", "licence_list"):
        assert len(_csv(client.get(reverse(name), {"format": "csv"}))) == 61, name


def test_every_detail_page_shows_facts_timeline_and_comments(client, case, legal):
    client.force_login(legal)
    pages = {
        reverse("customer_detail", args=[case["university"].pk]): "Universität Rheinland",
        reverse("person_detail", args=[case["researcher"].pk]): "Release attributed to</dt><dd>IN",
        reverse("determination_detail", args=[case["determination"].pk]): "a release is attributed to <strong>India",
        reverse("transaction_detail", args=[case["transaction"].pk]): "a licence is required by",
        reverse("application_detail", args=[case["application"].pk]): "25 Signature",
        reverse("licence_detail", args=[case["licence"].pk]): "D1234567",
    }
    for url, fact in pages.items():
        html = client.get(url).content.decode()
        assert fact in html, url
        assert 'id="timeline-h"' in html and 'id="comments-h"' in html, url


def test_four_eyes_is_shown_plainly(client, case, officer2, reviewer):
    url = reverse("determination_detail", args=[case["determination"].pk])
    client.force_login(officer2)
    html = client.get(url).content.decode()
    assert "You prepared this, so a colleague must approve it." in html
    assert "any Administrator or Reviewer other than" in html and str(reviewer) in html
    assert reverse("determination_transition", args=[case["determination"].pk, "approve"]) not in html


def test_a_reason_is_required_to_reject_and_the_form_says_so(client, case, reviewer):
    determination = case["determination"]
    client.force_login(reviewer)
    url = reverse("determination_transition", args=[determination.pk, "reject"])
    response = client.post(url, {"reject-reason": "  "})
    assert response.status_code == 400
    assert "Reason: This field is required." in response.content.decode()
    determination.refresh_from_db()
    assert determination.status == "in_review"
    response = client.post(url, {"reject-reason": "Passport copy unreadable"})
    assert response["Location"] == reverse("determination_detail", args=[determination.pk])
    determination.refresh_from_db()
    assert determination.status == "rejected"
    assert Event.objects.for_target(determination).last().reason == "Passport copy unreadable"


def test_a_stale_button_explains_itself(client, case, reviewer):
    determination = case["determination"]
    client.force_login(reviewer)
    url = reverse("determination_transition", args=[determination.pk, "approve"])
    assert client.post(url, ATTESTED).status_code == 302
    again = client.post(url, ATTESTED)
    assert again.status_code == 409 and "it is approved" in again.content.decode()


def test_a_system_transition_or_unknown_name_is_refused(client, case, admin_user):
    client.force_login(admin_user)
    licence = case["licence"]
    assert client.post(reverse("licence_transition", args=[licence.pk, "expire"])).status_code == 403
    assert client.post(reverse("licence_transition", args=[licence.pk, "explode"])).status_code == 403
    licence.refresh_from_db()
    assert licence.status == "active"


def test_a_bad_control_number_is_named_and_the_application_stays_approved_for_filing(client, case, officer, reviewer):
    application = applications.approve_for_filing(actor=reviewer, application=case["application"])
    client.force_login(officer)
    url = reverse("application_transition", args=[application.pk, "mark_submitted"])
    response = client.post(url, {"mark_submitted-control_number": "12345"})
    assert response.status_code == 400
    assert "SNAP-R application control number: An Application Control Number is a letter and six digits" in (
        response.content.decode()
    )
    application.refresh_from_db()
    assert application.status == "approved_for_filing" and application.snapr_control_number == ""


def test_a_licence_number_already_used_is_refused_on_approval(client, case, officer, reviewer):
    application = applications.approve_for_filing(actor=reviewer, application=case["application"])
    application = applications.record_submission(actor=officer, application=application, control_number="Z222222")
    applications.record_registration(actor=officer, application=application)
    client.force_login(officer)
    url = reverse("application_transition", args=[application.pk, "record_approval"])
    data = {"record_approval-licence_number": "D1234567", "record_approval-valid_from": "2026-11-01"}
    response = client.post(url, data)
    assert response.status_code == 400 and "Licence with this Number already exists." in response.content.decode()
    application.refresh_from_db()
    assert application.status == "registered"


def test_comments_are_added_in_place_with_htmx_and_empty_ones_are_refused(client, case, legal):
    record = case["transaction"]
    url = reverse("comment_add", args=["transaction", record.pk])
    client.force_login(legal)
    empty = client.post(url, {"text": "   "}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 400 and "Add a comment: This field is required." in empty.content.decode()
    added = client.post(url, {"text": "Counsel: end use is consistent."}, HTTP_HX_REQUEST="true")
    html = added.content.decode()
    assert added.status_code == 200 and html.startswith('<section class="card" id="comments"')
    assert "Counsel: end use is consistent." in html and "legal" in html
    page = client.get(reverse("transaction_detail", args=[record.pk])).content.decode()
    assert "Counsel: end use is consistent." in page


def test_a_reviewer_assigns_one_application_and_then_many(client, case, reviewer, officer, officer2, item):
    add_rows(3, officer=officer, item=item)
    client.force_login(reviewer)
    application = case["application"]
    response = client.post(reverse("application_assign", args=[application.pk]), {"officer": officer2.pk})
    assert response["Location"] == reverse("application_detail", args=[application.pk])
    application.refresh_from_db()
    assert application.assigned_officer == officer2
    open_ones = list(LicenceApplication.objects.open().values_list("pk", flat=True))
    back = reverse("application_list") + "?stage=open"
    response = client.post(
        reverse("application_assign_many"), {"selected": open_ones, "officer": officer.pk, "next": back}
    )
    assert response["Location"] == back
    assert set(LicenceApplication.objects.open().values_list("assigned_officer", flat=True)) == {officer.pk}
    event = Event.objects.filter(verb="application.assigned").last()
    assert event.after == {"assigned_officer": "officer"}


def test_decided_applications_and_non_officers_cannot_be_assigned(client, case, reviewer, legal, officer):
    client.force_login(reviewer)
    decided = case["licence"].application
    response = client.post(reverse("application_assign_many"), {"selected": [decided.pk], "officer": officer.pk})
    assert response.status_code == 302
    decided.refresh_from_db()
    assert decided.assigned_officer is None
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Decided applications keep their officer" in m for m in messages)
    client.post(reverse("application_assign", args=[case["application"].pk]), {"officer": legal.pk})
    case["application"].refresh_from_db()
    assert case["application"].assigned_officer is None


def test_determination_tasks_are_bulk_assigned(client, case, reviewer, officer2):
    task = DeterminationTask.objects.get(status="open")
    client.force_login(reviewer)
    page = client.get(reverse("determination_task_list"), {"status": "open"}).content.decode()
    assert f'value="{task.pk}" form="bulk-assign"' in page
    client.post(reverse("determination_task_assign"), {"selected": [task.pk], "officer": officer2.pk})
    task.refresh_from_db()
    assert task.assigned_to == officer2
    client.force_login(officer2)
    assert str(task.subject) in client.get(reverse("home")).content.decode()


def test_the_dashboard_shows_each_users_own_work(client, case, officer, reviewer):
    client.force_login(reviewer)
    html = client.get(reverse("home")).content.decode()
    assert "Awaiting my review" in html and case["application"].reference in html
    assert f"Determination #{case['determination'].pk}" in html
    assert "Holds blocking billing" in html and case["held"].external_id in html
    assert "Waiting for an officer" in html
    client.force_login(officer)
    html = client.get(reverse("home")).content.decode()
    assert "Awaiting my review" not in html and "Waiting for an officer" not in html
    assert "chart-data" in html and "vendor/chart-4.6.1.umd.min.js" in html


def test_the_dashboard_and_detail_pages_work_without_the_deadlines_app(client, case, reviewer, monkeypatch):
    monkeypatch.setattr(neighbours, "deadline_model", lambda: None)
    monkeypatch.setattr(neighbours, "hit_model", lambda: None)
    client.force_login(reviewer)
    html = client.get(reverse("home")).content.decode()
    assert "Deadlines: overdue and this week" not in html and "Screening hits" not in html
    detail = client.get(reverse("application_detail", args=[case["application"].pk])).content.decode()
    assert 'id="deadlines-h"' not in detail


def test_deciding_again_and_acknowledging_a_condition(client, case, officer, reviewer):
    client.force_login(officer)
    held = case["held"]
    assert client.post(reverse("transaction_decide", args=[held.pk])).status_code == 302
    assert Event.objects.for_target(held).filter(verb="transaction.decided", actor=officer).exists()
    licence = case["licence"]
    condition = LicenceCondition.objects.create(licence=licence, position=1, text="No release to D:5 nationals")
    url = reverse("licence_condition_acknowledge", args=[licence.pk, condition.pk])
    assert client.post(url).status_code == 302
    condition.refresh_from_db()
    assert condition.acknowledged_by == officer


@pytest.mark.parametrize("persona", ["legal", "auditor"])
def test_read_only_roles_cannot_acknowledge_or_decide(client, case, persona, request):
    client.force_login(request.getfixturevalue(persona))
    licence = case["licence"]
    condition = LicenceCondition.objects.create(licence=licence, position=1, text="Rider")
    assert client.post(reverse("licence_condition_acknowledge", args=[licence.pk, condition.pk])).status_code == 403
    assert client.post(reverse("transaction_decide", args=[case["held"].pk])).status_code == 403
    condition.refresh_from_db()
    assert condition.acknowledged_at is None


def test_approving_a_determination_redecides_the_held_transaction(
    client, case, reviewer, item, django_capture_on_commit_callbacks
):
    record = transaction(case["lab"], item, person=case["researcher"], activity="deemed_export", country="US")
    assert record.decision == "hold"
    client.force_login(reviewer)
    url = reverse("determination_transition", args=[case["determination"].pk, "approve"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, ATTESTED)
    record.refresh_from_db()
    assert record.decision == "licence_required"
    assert ForeignPersonDetermination.objects.get(pk=case["determination"].pk).approved_by == reviewer
