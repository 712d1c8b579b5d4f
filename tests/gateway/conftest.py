# The API's personas and case builders, shared with the gateway's tests.
from ..api.conftest import (  # noqa: F401 - fixtures
    _fresh_rate_limits,
    billing,
    billing_token,
    cases,
    client_with_token,
    letter_covering_many,
    letter_for_foreign_persons,
    read_only,
)
