"""What a model call asks the decision: the activity and the destination, from the seat and where the call comes from.

A rule of the gateway, kept out of the endpoint so it reads on its own and is
tested as a table: the endpoint finds the facts (the key's seat, the client's
country) and asks this.
"""

from dataclasses import dataclass

from licensing.reference.models import Activity


@dataclass(frozen=True)
class CallQuestion:
    activity: str
    # None: the customer's (or seat's) recorded country, as the access check defaults it.
    country: str | None


def decided_on_nationality(seat_located_in: str | None) -> bool:
    """Whether a call is a release to a seat in the United States: a deemed export, decided on nationality."""
    return seat_located_in == "US"


def call_question(
    *, seat_located_in: str | None, recorded_country: str | None, called_from: str | None
) -> CallQuestion:
    """Decide what a call asks: a release to a seat in the United States, or an export to where it comes from."""
    # A seat in the United States is a release to a person there: decided on nationality.
    activity = Activity.DEEMED_EXPORT if decided_on_nationality(seat_located_in) else Activity.EXPORT
    # A call from elsewhere than recorded is an export to where it comes from (the rules refuse E:1 and E:2).
    # An address never makes anyone a U.S. person: a call from the United States stays decided as recorded.
    if called_from is not None and called_from not in (recorded_country, "US"):
        return CallQuestion(Activity.EXPORT, called_from)
    return CallQuestion(activity, None)
