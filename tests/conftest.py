import sys
import tempfile
import warnings
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from licensing.accounts.models import Role
from licensing.reference import loading
from licensing.reference.models import Country, CountryGroup, CountryGroupMembership

from . import outside_files
from .browser import artifacts, chromium, live_site  # noqa: F401 - the browser tests' fixtures, one Chromium a run
from .case_world import case  # noqa: F401 - a fixture: one of each record the pages show
from .celery_worker import celery_worker  # noqa: F401 - a fixture for tests that need a real worker
from .factories import ItemFactory, UserFactory

CHECKOUT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _outside_files_guard(tmp_path_factory) -> outside_files.OutsideFiles:
    """The guard that sees every file a test opens, installed once (an audit hook cannot be removed)."""
    basetemp = tmp_path_factory.getbasetemp()
    # When the checkout is itself in the temporary directory (a fresh clone in
    # /tmp), only pytest's own directory is allowed there, so temporary files
    # the product makes during the tests go under it too.
    scratch = basetemp / "tmp"
    scratch.mkdir(exist_ok=True)
    tempfile.tempdir = str(scratch)
    guard = outside_files.for_this_process(CHECKOUT, also=(basetemp,))
    sys.addaudithook(guard.audit)
    return guard


@pytest.fixture(autouse=True)
def _nothing_read_outside_the_checkout(_outside_files_guard):
    """Fail the test that opened a file beside the checkout: a fresh clone has nothing there."""
    guard = _outside_files_guard
    guard.take()
    guard.armed = True
    try:
        yield
    finally:
        guard.armed = False
    touched = guard.take()
    if touched:
        pytest.fail(outside_files.describe(touched), pytrace=False)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Uploaded evidence and generated files go to a directory per test.
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with any session still open on it ended before it is dropped.

    A session some test's thread or subprocess left open would otherwise stop
    the drop (PostgreSQL refuses to drop a database in use); each one ended is
    reported with the query it last ran, to find where it came from.
    """
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, state, left(query, 200), pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        for pid, application, state, query, _ in cursor.fetchall():
            warnings.warn(
                f"ended a session left open on the test database: pid {pid} {application!r} {state}: {query}",
                stacklevel=2,
            )
    connection.close()


@pytest.fixture
def today():
    """Today in TIME_ZONE when the test runs, as the services see it (never the day its module was imported)."""
    return timezone.localdate()


@pytest.fixture
def reference_data(db):
    """Countries and EAR country groups, reloaded if a transactional test flushed them."""
    if not CountryGroupMembership.objects.exists():
        loading.load(Country, CountryGroup, CountryGroupMembership)


@pytest.fixture(autouse=True)
def _reference_data_for_database_tests(request):
    # Migrations load the reference tables, but a transactional test's flush
    # removes them; every test that touches the database gets them back.
    if {"db", "transactional_db", "django_db_setup"} & set(request.fixturenames) or request.node.get_closest_marker(
        "django_db"
    ):
        request.getfixturevalue("reference_data")


@pytest.fixture(autouse=True)
def _decision_stamps_written_as_statements_end(request):
    """Stamp customers as each statement ends, since a test's own transaction never commits.

    In production a customer's DecisionStamp is written at commit (see the
    cases migration 0003). A test that is not transactional runs inside one
    transaction that is rolled back, so without this its stamps would never
    change and the access check would never reuse an answer in it.
    """
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        return
    if "db" not in request.fixturenames and not marker:
        return
    request.getfixturevalue("db")
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        names = request.getfixturevalue("_stamp_triggers")
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")


@pytest.fixture(scope="session")
def _stamp_triggers(django_db_setup, django_db_blocker) -> str:
    """The stamp triggers' constraint names, quoted and comma-separated, as SET CONSTRAINTS takes them."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(quote_ident(conname), ', ') FROM pg_constraint "
            "WHERE contype = 't' AND conname LIKE 'exportdesk_stamp_%%'"
        )
        return cursor.fetchone()[0]


@pytest.fixture
def officer(db):
    return UserFactory(username="officer", role=Role.OFFICER)


@pytest.fixture
def officer2(db):
    return UserFactory(username="officer2", role=Role.OFFICER)


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", role=Role.REVIEWER)


@pytest.fixture
def reviewer2(db):
    return UserFactory(username="reviewer2", role=Role.REVIEWER)


@pytest.fixture
def legal(db):
    return UserFactory(username="legal", role=Role.LEGAL)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN, is_superuser=True)


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", role=Role.AUDITOR)


@pytest.fixture
def outsider(db):
    """A signed-in account with no role at all."""
    return UserFactory(username="outsider", role="", is_staff=False)


@pytest.fixture
def item(db):
    return ItemFactory()
