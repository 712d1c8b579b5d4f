import pytest

from tests.restoration_rules import ensure_seeded_rule_set


@pytest.fixture(autouse=True)
def _seeded_rule_set(request):
    # A transactional test elsewhere empties the tables, the migration's rule set with them.
    marker = request.node.get_closest_marker("django_db")
    if marker is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db" if marker and marker.kwargs.get("transaction") else "db")
    ensure_seeded_rule_set()
