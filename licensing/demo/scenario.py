"""The demonstration scenario: one customer or person for each branch of the decision.

Every step goes through the same services the product uses, and every step
looks first at what exists, so building the scenario twice changes nothing.
"""

import datetime
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from licensing.accounts.models import Role, User
from licensing.cases.models import Licence, LicenceApplication
from licensing.cases.services import applications, licences
from licensing.cases.services.transactions import record_transaction
from licensing.determinations import services as determinations
from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import Customer, CustomerAddress, Person, StatusRecord
from licensing.parties.services import record_status, save_customer, save_person, set_customer_status
from licensing.reference.models import Activity, ControlledItem, Country, LicenceRequirement
from licensing.screening.models import Feed, ListImport, ListVersion
from licensing.screening.services import imports, screening

DEMO_USERS = (
    ("officer", Role.OFFICER, "Olivia", "Officer"),
    ("officer2", Role.OFFICER, "Oscar", "Second-Officer"),
    ("reviewer", Role.REVIEWER, "Rita", "Reviewer"),
    ("legal", Role.LEGAL, "Leo", "Legal"),
    ("admin", Role.ADMIN, "Ada", "Admin"),
    ("auditor", Role.AUDITOR, "Aude", "Auditor"),
)

LETTER_DATE = datetime.date(2026, 9, 15)

# The shipped sample of the Consolidated Screening List (the full snapshot
# beside it takes some 25 seconds to load into SQLite, too long for `make run`).
SCREENING_SNAPSHOT = Path(__file__).resolve().parent.parent / "screening" / "data" / "csl" / "consolidated-sample.csv"
SCREENING_SNAPSHOT_ON = datetime.date(2026, 7, 31)


def build(*, password: str) -> dict:
    """Build the scenario; return the users by role name."""
    with transaction.atomic():
        users = _users(password)
        items = _items()
        _letter(items)
    # Before any customer exists, so each customer and person is screened as it is created.
    _screening_list(users["admin"])
    officer, reviewer = users["officer"], users["reviewer"]
    today = timezone.localdate()
    f1 = items["frontier-1"]

    # A U.S. company: a U.S. person, so no licence is needed.
    acme = _entity("CUST-US-ACME", "Acme Analytics, Inc.", "US", "1 Market Street", "Austin, TX", "78701")
    _determined(acme, officer, reviewer, today)
    _transaction("TX-1001", acme, None, f1, Activity.EXPORT, "US", "Internal analytics assistant")

    # A German university: a foreign entity; the letter requires a licence.
    tum = _entity("CUST-DE-UNIRH", "Universität Rheinland", "DE", "Kaiserstraße 12", "Bonn", "53113")
    _determined(tum, officer, reviewer, today)
    _transaction("TX-1002", tum, None, f1, Activity.EXPORT, "DE", "Research on multilingual summarisation")

    # A Japanese start-up with an approved licence: authorised under it.
    kitsune = _entity("CUST-JP-KITSUNE", "Kitsune AI K.K.", "JP", "2-1 Marunouchi", "Tokyo", "100-0005")
    _determined(kitsune, officer, reviewer, today)
    _transaction("TX-1003", kitsune, None, f1, Activity.EXPORT, "JP", "Customer-support agents")
    _licensed("TX-1003", "D1234567", "Z000101", officer, reviewer, today - datetime.timedelta(days=30))
    _transaction("TX-1004", kitsune, None, f1, Activity.EXPORT, "JP", "Customer-support agents")

    # A Canadian firm whose licence has expired: a new licence is required.
    maple = _entity("CUST-CA-MAPLE", "Maple Leaf Inference Ltd.", "CA", "100 King St W", "Toronto, ON", "M5X 1A9")
    _determined(maple, officer, reviewer, today)
    _transaction("TX-1005", maple, None, f1, Activity.EXPORT, "CA", "Legal document review")
    _licensed("TX-1005", "D0999001", "Z000102", officer, reviewer, datetime.date(2022, 3, 1))
    _transaction("TX-1006", maple, None, f1, Activity.EXPORT, "CA", "Legal document review")

    # A U.S. university lab with foreign-national researchers: deemed exports.
    lab = _entity("CUST-US-GLU", "Great Lakes University AI Lab", "US", "500 S State St", "Ann Arbor, MI", "48109")
    _determined(lab, officer, reviewer, today)
    priya = _person(lab, "EMP-1", "Priya", "Raman", [("citizenship", "IN", "1994-05-02")])
    _determined(priya, officer, reviewer, today)
    _transaction("TX-2001", lab, priya, f1, Activity.DEEMED_EXPORT, "US", "Fine-tuning research")
    # A dual national: Russian by birth, Israeli since 2015; 734.13(b) attributes to Israel.
    dual = _person(
        lab, "EMP-2", "Daniel", "Levin", [("citizenship", "RU", "1990-01-10"), ("citizenship", "IL", "2015-06-01")]
    )
    _determined(dual, officer, reviewer, today)
    _transaction("TX-2002", lab, dual, f1, Activity.DEEMED_EXPORT, "US", "Evaluation research")
    # A fresh green card after a Chinese citizenship: a U.S. person now.
    wei = _person(
        lab,
        "EMP-3",
        "Wei",
        "Zhang",
        [("citizenship", "CN", "1992-08-20"), ("permanent_residency", "US", str(today - datetime.timedelta(days=20)))],
    )
    _determined(wei, officer, reviewer, today)
    _transaction("TX-2003", lab, wei, f1, Activity.DEEMED_EXPORT, "US", "Interpretability research")
    # Weeks from a green card: still foreign, and not yet determined, so held.
    carlos = _person(lab, "EMP-4", "Carlos", "Mendes", [("citizenship", "BR", "1991-03-03")])
    _transaction("TX-2004", lab, carlos, f1, Activity.DEEMED_EXPORT, "US", "Robotics research")
    # A determination that has passed its review date: held until reviewed again.
    nora = _person(lab, "EMP-5", "Nora", "Lindqvist", [("citizenship", "SE", "1988-11-30")])
    _determined(nora, officer, reviewer, today - datetime.timedelta(days=500))
    _transaction("TX-2005", lab, nora, f1, Activity.DEEMED_EXPORT, "US", "Speech research")

    # A destination in Country Group E:1: refused outright.
    pars = _entity("CUST-IR-PARS", "Pars Data Services", "IR", "Vali Asr Ave", "Tehran", "")
    _transaction("TX-3001", pars, None, f1, Activity.EXPORT, "IR", "Data centre services")

    # A UK customer nobody has determined yet: held, with a task opened.
    aurora = _entity("CUST-GB-AURORA", "Aurora Robotics Ltd", "GB", "10 Station Road", "Cambridge", "CB1 2JD")
    _transaction("TX-3002", aurora, None, f1, Activity.EXPORT, "GB", "Warehouse robotics")

    # A blocked reseller: refused whatever else is true.
    northwind = _entity("CUST-AE-NORTHWIND", "Northwind Reseller FZE", "AE", "Jebel Ali Free Zone", "Dubai", "")
    if northwind.status != Customer.Status.BLOCKED:
        set_customer_status(
            actor=None,
            customer=northwind,
            status=Customer.Status.BLOCKED,
            reason="Diversion red flags (Supp. 3 to Part 732); refer to counsel.",
        )
    _transaction("TX-3003", northwind, None, f1, Activity.REEXPORT, "AE", "Resale")

    # A name close to an alias of an Entity List entry (CETC 13, Shijiazhuang):
    # an open hit holds the transaction until an officer adjudicates it.
    hebei = _entity(
        "CUST-CN-HEBEISEMI",
        "Hebei Semiconductor Research Institute Co., Ltd.",
        "CN",
        "88 Huai'an East Road",
        "Shijiazhuang, Hebei",
        "050000",
    )
    _transaction("TX-3004", hebei, None, f1, Activity.EXPORT, "CN", "Wafer inspection models")
    return users


def _users(password: str) -> dict:
    users = {}
    for username, role, first, last in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                role=role,
                first_name=first,
                last_name=last,
                email=f"{username}@exportdesk.example",
                is_staff=True,
                is_superuser=(role == Role.ADMIN),
            )
            user.set_password(password)
            user.save()
        users[username] = user
    return users


def _screening_list(admin) -> None:
    """Import the shipped list snapshot unless a version as recent is in force."""
    # An import that finds the list unchanged still leaves its own record, so
    # a list already in force is not even read again.
    in_force = ListVersion.objects.in_force().filter(feed=Feed.CSL, published_on__gte=SCREENING_SNAPSHOT_ON)
    if in_force.exists():
        return
    run = imports.request_import(
        actor=admin,
        feed=Feed.CSL,
        sources={"list": str(SCREENING_SNAPSHOT)},
        published_on=SCREENING_SNAPSHOT_ON,
        enqueue=False,
    )
    run = imports.run_import(run.pk)
    if run.status != ListImport.Status.IMPORTED:
        # Without a list in force every transaction would be held as unscreened.
        raise RuntimeError(f"The demo's screening list was not imported ({run.status}): {run.error}")


def _items() -> dict:
    specs = {
        "frontier-1": ("Meridian Frontier-1 model weights", "Frontier language model, 1.2T parameters"),
        "frontier-2": ("Meridian Frontier-2 model weights", "Frontier multimodal model, 2.4T parameters"),
    }
    items = {}
    for code, (name, description) in specs.items():
        items[code], _ = ControlledItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "eccn": "4E091",
                "description": description,
                "manufacturer": "Meridian Frontier AI, Inc.",
            },
        )
    return items


def _letter(items) -> LicenceRequirement:
    letter, created = LicenceRequirement.objects.get_or_create(
        letter_reference="BIS/EA/2026-0915",
        defaults={
            "title": "Is-informed letter: frontier models to foreign persons",
            "issued_on": LETTER_DATE,
            "legal_basis": "15 CFR 744 specific notice (is informed)",
            "activities": list(Activity.values),
            "scope": LicenceRequirement.Scope.FOREIGN_PERSONS,
            "licence_exceptions_excluded": True,
            "application_per_transaction": True,
            "effective_from": LETTER_DATE,
            "text": "A licence is required for any export, reexport or in-country transfer of the "
            "named models to any foreign person or entity, including releases to foreign "
            "nationals in the United States. File one application per transaction.",
        },
    )
    if created:
        letter.items.set(items.values())
    return letter


@transaction.atomic
def _entity(external_id, name, country, line1, city, postal_code) -> Customer:
    existing = Customer.objects.filter(external_id=external_id).first()
    if existing is not None:
        return existing
    customer, _ = save_customer(
        actor=None,
        external_id=external_id,
        kind=Customer.Kind.ENTITY,
        legal_name=name,
        country_of_incorporation_id=country,
        headquarters_country_id=country,
    )
    CustomerAddress.objects.create(
        customer=customer, line1=line1, city=city, postal_code=postal_code, country_id=country
    )
    # Screened now, not only once this commits: its transactions are decided
    # next on this screening, and a caller's transaction (a test's) may never commit.
    screening.screen_subject(customer)
    return customer


@transaction.atomic
def _person(customer, external_id, given, family, statuses) -> Person:
    existing = Person.objects.filter(customer=customer, external_id=external_id).first()
    if existing is not None:
        return existing
    person = save_person(
        actor=None,
        customer=customer,
        external_id=external_id,
        relationship=Person.Relationship.CUSTOMER_USER,
        given_name=given,
        family_name=family,
        employer=customer,
        location_country_id="US",
    )
    for kind, country, acquired in statuses:
        record_status(
            actor=None,
            person=person,
            kind=StatusRecord.Kind(kind),
            country=Country.objects.get(pk=country),
            acquired_on=datetime.date.fromisoformat(acquired),
        )
    # As for a customer: screened before any of its transactions is decided.
    screening.screen_subject(person)
    return person


def _determined(subject, officer, reviewer, effective_on):
    if ForeignPersonDetermination.objects.for_subject(subject).exists():
        return
    draft = determinations.prepare_determination(actor=officer, subject=subject, effective_on=effective_on)
    submitted = determinations.submit_determination(actor=officer, determination=draft)
    determinations.approve_determination(actor=reviewer, determination=submitted)


def _transaction(external_id, customer, person, item, activity, country, end_use):
    record_transaction(
        actor=None,
        external_id=external_id,
        customer=customer,
        person=person,
        item=item,
        activity=activity,
        destination_country_id=country,
        quantity=None,
        value=Decimal("250000.00"),
        currency="USD",
        end_use=end_use,
    )


@transaction.atomic
def _licensed(external_id, licence_number, control_number, officer, reviewer, valid_from):
    """Take a transaction's first application from draft to an issued licence, once."""
    # The licence number is what makes this step done. Looking at "the"
    # application is not enough: issuing a licence re-decides its transaction,
    # and a licence already expired (the Canadian case) opens a new draft
    # application for it, which a second build would take for this one.
    if Licence.objects.filter(number=licence_number).exists():
        return
    application = (
        LicenceApplication.objects.filter(transaction__external_id=external_id).order_by("created_at", "pk").first()
    )
    if application is None or application.status != LicenceApplication.Status.DRAFT:
        return
    application = applications.update_application(
        actor=officer,
        application=application,
        signer_name="Olivia Officer",
        signer_title="Export Compliance Officer",
        assigned_officer=officer,
        # These older cases went without a BIS-711; the pre-filing check wants one recorded if ticked.
        documents_submitted=[],
    )
    # Model weights are one copy per release: blocks 22e and 22f, which billing does not send.
    for line in application.items.filter(quantity__isnull=True):
        applications.save_application_item(
            actor=officer, application=application, line=line, quantity=Decimal(1), units="copy"
        )
    application = applications.submit_application_for_review(actor=officer, application=application)
    application = applications.approve_for_filing(actor=reviewer, application=application)
    application = applications.record_submission(
        actor=officer,
        application=application,
        control_number=control_number,
        submitted_on=valid_from - datetime.timedelta(days=40),
    )
    application = applications.record_registration(
        actor=officer, application=application, registered_on=valid_from - datetime.timedelta(days=38)
    )
    licences.record_approval(
        actor=officer, application=application, licence_number=licence_number, valid_from=valid_from
    )
