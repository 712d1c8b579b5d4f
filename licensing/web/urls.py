from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import (
    applications,
    attestations,
    audit,
    batches,
    comments,
    customers,
    deadlines,
    determinations,
    filings,
    home,
    licences,
    ownership_rule,
    persons,
    policy,
    restoration,
    screening,
    transactions,
)

# The pages most kinds of record have, by their path under the record's prefix.
PAGE_PATHS = {
    "list": "",
    "create": "new/",
    "detail": "<int:pk>/",
    "edit": "<int:pk>/edit/",
    "transition": "<int:pk>/do/<str:name>/",
}


def record_pages(prefix: str, views, record: str, *pages: str, **own_pages: str) -> list:
    """Route the pages of one kind of record, each to the view `<record>_<page>` in views and under that name.

    `pages` names common pages (PAGE_PATHS); `own_pages` gives the record's other pages with their paths.
    """
    paths = {**{page: PAGE_PATHS[page] for page in pages}, **own_pages}
    return [
        path(f"{prefix}/{route}", getattr(views, f"{record}_{page}"), name=f"{record}_{page}")
        for page, route in paths.items()
    ]


def application_lines(segment: str, line: str) -> list:
    """Add, change and remove one kind of line of an application (its items, its parties)."""
    edit = getattr(applications, f"application_{line}")
    remove = getattr(applications, f"application_{line}_remove")
    return [
        path(f"applications/<int:pk>/{segment}/", edit, name=f"application_{line}_add"),
        path(f"applications/<int:pk>/{segment}/<int:line_pk>/", edit, name=f"application_{line}"),
        path(f"applications/<int:pk>/{segment}/<int:line_pk>/remove/", remove, name=f"application_{line}_remove"),
    ]


# Screening, filings and deadlines pages keep their own prefix and namespace, e.g. screening:queue, filings:pdf.
screening_pages = [
    path("", screening.queue, name="queue"),
    path("hits/<int:pk>/", screening.hit_detail, name="hit"),
    path("hits/<int:pk>/adjudicate/", screening.hit_adjudicate, name="hit_adjudicate"),
    path("lists/", screening.lists, name="lists"),
    path("imports/<int:pk>/", screening.import_detail, name="import"),
    path("rescreens/", screening.rescreen_start, name="rescreen_start"),
    path("rescreens/<int:pk>/", screening.rescreen_progress, name="rescreen"),
    path("search/", screening.search, name="search"),
    path("<str:kind>/<int:pk>/", screening.subject, name="subject"),
]

filings_pages = [
    path("", filings.index, name="index"),
    path("applications/<int:pk>/", filings.application_filings, name="application"),
    path("applications/<int:pk>/generate", filings.generate, name="generate"),
    path("applications/<int:pk>/legal-hold", filings.legal_hold, name="legal_hold"),
    path("applications/<int:pk>/legal-hold/release", filings.legal_hold, {"release": True}, name="release_hold"),
    path("applications/<int:pk>/transfer", filings.known_transfer, name="known_transfer"),
    path("applications/<int:pk>/destroy", filings.destroy, name="destroy"),
    path("<int:pk>/pdf", filings.filing_pdf, name="pdf"),
    path("<int:pk>/retry", filings.retry, name="retry"),
    path("exports/", filings.exports, name="exports"),
    path("exports/<int:pk>/", filings.export_detail, name="export"),
    path("exports/<int:pk>/progress", filings.export_progress, name="export_progress"),
    path("exports/<int:pk>/download", filings.export_download, name="export_download"),
]

deadlines_pages = [
    path("", deadlines.index, name="index"),
    path("<int:pk>/", deadlines.detail, name="detail"),
    path("<int:pk>/settle", deadlines.settle, name="settle"),
    path("preferences", deadlines.preferences, name="preferences"),
    path("calendar", deadlines.calendar_address, name="calendar-address"),
    path("calendar/<str:secret>.ics", deadlines.calendar_feed, name="calendar-feed"),
    path("notifications/<int:pk>/read", deadlines.notification_read, name="notification-read"),
]


attestation_pages = [
    path("", attestations.attestation_list, name="list"),
    path("<int:pk>/", attestations.attestation_detail, name="detail"),
    path("<int:pk>/revoke", attestations.attestation_revoke, name="revoke"),
    path("<int:pk>/documents/<int:document_pk>", attestations.attestation_document, name="document"),
    path("send/<str:kind>/<int:pk>", attestations.attestation_send, name="send"),
    path("send/needs-attestation", attestations.attestation_send_bucket, name="send_bucket"),
    path("runs/<int:pk>/", attestations.attestation_run, name="run"),
]

batch_pages = [
    path("", batches.batch_list, name="list"),
    path("new", batches.batch_prepare, name="prepare"),
    path("<int:pk>/", batches.batch_detail, name="detail"),
    path("<int:pk>/review", batches.batch_start_review, name="start_review"),
    path("<int:pk>/entries/<int:entry_pk>/", batches.batch_entry, name="entry"),
    path("<int:pk>/entries/<int:entry_pk>/verdict", batches.batch_entry_verdict, name="verdict"),
    path("<int:pk>/approve", batches.batch_approve, name="approve"),
]

restoration_pages = [
    path("", restoration.overview, name="overview"),
    path("triage/", restoration.triage_list, name="triage"),
    path("triage/accept", restoration.accept, name="accept"),
    path("triage/<int:pk>/", restoration.proposal_detail, name="proposal"),
    path("triage/<int:pk>/move", restoration.proposal_move, name="proposal_move"),
    path("imports/new", restoration.import_new, name="import_new"),
    path("imports/<int:pk>/", restoration.import_detail, name="import"),
    path("imports/<int:pk>/start", restoration.import_start, name="import_start"),
]


# A record's page is served by the view `<record>_<page>` and reversed by that name, e.g. customer_detail.
urlpatterns = [
    path("screening/", include((screening_pages, "screening"))),
    path("filings/", include((filings_pages, "filings"))),
    path("deadlines/", include((deadlines_pages, "deadlines"))),
    path("attestations/", include((attestation_pages, "attestations"))),
    path("batches/", include((batch_pages, "batches"))),
    path("restoration/", include((restoration_pages, "restoration"))),
    # The customer's form behind an e-mailed link: no sign-in, the signed link is the key.
    path("attest/<str:value>/", attestations.attestation_form, name="attestation_form"),
    path("", home.home, name="home"),
    path("audit/", audit.audit_desk, name="audit_desk"),
    path("audit/verify", audit.audit_verify, name="audit_verify"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    *record_pages(
        "customers",
        customers,
        "customer",
        "list",
        "create",
        "detail",
        "edit",
        address_add="<int:pk>/addresses/",
        status="<int:pk>/status/",
        ownership="<int:pk>/ownership/",
    ),
    *record_pages(
        "persons",
        persons,
        "person",
        "list",
        "create",
        "detail",
        "edit",
        status_add="<int:pk>/statuses/",
        status_end="<int:pk>/statuses/<int:record_pk>/end/",
        evidence_add="<int:pk>/evidence/",
        evidence_download="<int:pk>/evidence/<int:document_pk>/",
        address_add="<int:pk>/addresses/",
        visa_add="<int:pk>/visas/",
    ),
    *record_pages(
        "determinations",
        determinations,
        "determination",
        "list",
        "detail",
        "edit",
        "transition",
        prepare="new/<str:kind>/<int:pk>/",
    ),
    # The queue of determinations still to prepare.
    path("determinations/tasks/", determinations.task_list, name="determination_task_list"),
    path("ownership-rule/", ownership_rule.ownership_rule, name="ownership_rule"),
    path("determinations/tasks/assign/", determinations.task_assign, name="determination_task_assign"),
    *record_pages(
        "transactions",
        transactions,
        "transaction",
        "list",
        "create",
        "detail",
        decide="<int:pk>/decide/",
        replay="<int:pk>/replay/",
    ),
    *record_pages(
        "applications",
        applications,
        "application",
        "list",
        "detail",
        "edit",
        "transition",
        assign="<int:pk>/assign/",
        assign_many="assign/",
        checklist="<int:pk>/checklist/",
        take="<int:pk>/take/",
        consignee_statement_add="<int:pk>/consignee-statements/",
        intent_to_deny_response="<int:pk>/intent-to-deny-response/",
    ),
    *application_lines("items", "item"),
    *application_lines("parties", "party"),
    *record_pages(
        "licences",
        licences,
        "licence",
        "list",
        "detail",
        "transition",
        condition_acknowledge="<int:pk>/conditions/<int:condition_pk>/acknowledge/",
    ),
    # Rule changes: drafted and approved by administrators, with the simulator's runs.
    *record_pages(
        "rule-changes",
        policy,
        "rule_change",
        "list",
        "create",
        "detail",
        simulate="<int:pk>/simulate/",
        approve="<int:pk>/approve/",
        withdraw="<int:pk>/withdraw/",
    ),
    path("rule-changes/simulations/<int:pk>/", policy.simulation_progress, name="simulation_progress"),
    path("rule-changes/simulations/<int:pk>/csv", policy.simulation_csv, name="simulation_csv"),
    # Comments on any case record
    path("comments/<str:kind>/<int:pk>/", comments.comment_add, name="comment_add"),
]
