"""What a model call asks: the activity and destination, from the seat's location and where the call comes from."""

import pytest

from licensing.gateway.question import CallQuestion, call_question
from licensing.reference.models import Activity


@pytest.mark.parametrize(
    ("seat_located_in", "recorded", "called_from", "asked"),
    [
        # No seat, no location read: an export to the customer's recorded country.
        (None, "DE", None, CallQuestion(Activity.EXPORT, None)),
        # A seat in the United States: a release there, decided on nationality.
        ("US", "US", None, CallQuestion(Activity.DEEMED_EXPORT, None)),
        # A call from the United States never makes anyone a U.S. person.
        ("US", "US", "US", CallQuestion(Activity.DEEMED_EXPORT, None)),
        (None, "DE", "US", CallQuestion(Activity.EXPORT, None)),
        # A call from the recorded country is decided as recorded.
        ("DE", "DE", "DE", CallQuestion(Activity.EXPORT, None)),
        # A call from elsewhere is an export to where it comes from, a seat in the U.S. or not.
        (None, "DE", "IR", CallQuestion(Activity.EXPORT, "IR")),
        ("US", "US", "CN", CallQuestion(Activity.EXPORT, "CN")),
    ],
)
def test_a_call_asks_about_the_release_its_seat_and_origin_make(seat_located_in, recorded, called_from, asked):
    assert call_question(seat_located_in=seat_located_in, recorded_country=recorded, called_from=called_from) == asked
