"""The guard that no test reads outside the checkout: what it refuses, what it allows, and that it sees real opens."""

import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from .outside_files import OutsideFiles, describe, for_this_process

CHECKOUT = Path(__file__).resolve().parent.parent


def test_a_sibling_of_the_checkout_is_refused():
    guard = for_this_process(CHECKOUT)

    assert guard.refuses(CHECKOUT.parent / "team-data" / "csl" / "consolidated.csv")
    assert guard.refuses(CHECKOUT / ".." / "team-data" / "ofac" / "sdn.csv")
    assert guard.refuses(CHECKOUT.parent)


def test_the_checkout_the_virtualenv_and_the_temporary_directory_are_allowed():
    guard = for_this_process(CHECKOUT)

    assert not guard.refuses(CHECKOUT / "licensing" / "screening" / "data" / "csl" / "consolidated-sample.csv")
    assert not guard.refuses(Path(sys.prefix) / "lib" / "python3.11" / "site-packages" / "django" / "__init__.py")
    assert not guard.refuses(Path(tempfile.gettempdir()) / "upload.pdf")
    assert not guard.refuses("/usr/share/zoneinfo/America/New_York")


def test_a_clone_in_the_temporary_directory_lets_no_sibling_through_but_its_own_places():
    # A fresh clone at /tmp/clone: /tmp holds the checkout's parent, so only the places named are allowed there.
    guard = OutsideFiles(checkout="/tmp/clone", allowed=("/tmp/clone/.venv", "/tmp/pytest-of-ci/pytest-7"))

    assert guard.refuses("/tmp/shared/data/consolidated.csv")
    assert not guard.refuses("/tmp/clone/licensing/screening/data/ofac/sdn.csv.gz")
    assert not guard.refuses("/tmp/clone/.venv/lib/python3.11/site-packages/django/__init__.py")
    assert not guard.refuses("/tmp/pytest-of-ci/pytest-7/test_upload0/scan.pdf")
    assert not guard.refuses("/usr/lib/x86_64-linux-gnu/libpango-1.0.so.0")


def test_an_armed_guard_records_an_open_of_a_sibling_and_the_test_is_told_which(_outside_files_guard):
    sibling = CHECKOUT.parent / "team-data" / f"never-there-{uuid.uuid4().hex}.csv"

    # The guard installed for this session is armed during every test: the open is seen before it fails.
    with pytest.raises(FileNotFoundError):
        open(sibling)  # noqa: SIM115, PTH123 - the builtin open, as a careless test would call it
    touched = _outside_files_guard.take()

    assert touched == [("open", str(sibling))]
    assert str(sibling) in describe(touched)


def test_a_disarmed_guard_records_nothing():
    guard = for_this_process(CHECKOUT)

    guard.audit("open", (str(CHECKOUT.parent / "team-data" / "ofac" / "sdn.csv"), "r", 0))

    assert guard.take() == []


def test_opens_inside_the_checkout_are_not_recorded():
    guard = for_this_process(CHECKOUT)
    guard.armed = True

    guard.audit("open", (str(CHECKOUT / "README.md"), "r", 0))
    guard.audit("open", (3, "r", 0))

    assert guard.take() == []
