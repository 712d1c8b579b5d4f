import datetime

import pytest

from licensing.accounts.models import Role
from tests.api.conftest import Cases
from tests.factories import UserFactory, letter


@pytest.fixture
def admin2(db):
    """A second administrator: the one who approves what `admin_user` drafted."""
    return UserFactory(username="admin2", role=Role.ADMIN)


@pytest.fixture
def cases(officer, reviewer, item, today):
    return Cases(officer, reviewer, item, today)


@pytest.fixture
def letter_for_foreign_persons(today, item):
    """An is-informed letter: every release of the item to a foreign person needs a licence."""
    return letter(item, effective_from=today - datetime.timedelta(days=365))
