"""Search for people and customers that ignores accents and case and matches across name parts.

"Universitat" finds "Universität" and "Ananya Iyer" finds Ananya (given name)
Iyer (family name): every word typed must appear somewhere in the folded
name. The folding is one SQL function, `exportdesk_fold`: on PostgreSQL
`lower(unaccent(...))`, declared immutable so a trigram index on the folded
names serves these searches (migration 0002); on SQLite the same name is a
Python function registered on each connection (`register_sqlite_fold`).
"""

import unicodedata

from django.db.models import F, Func, Q, QuerySet, TextField, Value

FOLD_FUNCTION = "exportdesk_fold"
# Words of a query looked for; more are ignored rather than refused.
MAX_WORDS = 8


def fold(text: str | None) -> str:
    """Python's fold, as SQLite runs it: accents dropped, case folded."""
    if text is None:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class Folded(Func):
    function = FOLD_FUNCTION
    arity = 1
    output_field = TextField()


class Joined(Func):
    """Text fields joined by spaces with `||`: an immutable expression PostgreSQL can index."""

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = TextField()


def person_name(prefix: str = "") -> Folded:
    """The folded given and family names of a person, or of the person at `prefix` (e.g. "person__")."""
    return Folded(Joined(F(f"{prefix}given_name"), F(f"{prefix}family_name")))


def customer_name(prefix: str = "") -> Folded:
    return Folded(F(f"{prefix}legal_name"))


def words_of(q: str) -> list[str]:
    return q.split()[:MAX_WORDS]


def name_matches(q: str, alias: str = "folded_name") -> Q:
    """Every word of `q`, folded, appears in the folded name aliased as `alias`; nothing typed matches nothing."""
    words = words_of(q)
    if not words:
        return Q(pk__in=[])
    condition = Q()
    for word in words:
        condition &= Q(**{f"{alias}__contains": Folded(Value(word))})
    return condition


def search_people(queryset: QuerySet, q: str) -> QuerySet:
    """Persons whose given and family names hold every word typed, whatever the accents."""
    return queryset.alias(folded_name=person_name()).filter(name_matches(q))


def search_customers(queryset: QuerySet, q: str) -> QuerySet:
    """Customers whose legal name holds every word typed, whatever the accents."""
    return queryset.alias(folded_name=customer_name()).filter(name_matches(q))


def register_sqlite_fold(sender, connection, **kwargs) -> None:
    """Give each SQLite connection the fold PostgreSQL has from migration 0002."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)


def with_party_names(queryset: QuerySet, customer: str = "customer__", person: str = "person__") -> QuerySet:
    """A case's queryset with its customer's and person's folded names, for `party_matches`."""
    return queryset.alias(customer_folded=customer_name(customer), person_folded=person_name(person))


def party_matches(q: str) -> Q:
    """The case's customer or person is named by every word of `q` (on a queryset from `with_party_names`)."""
    return name_matches(q, "customer_folded") | name_matches(q, "person_folded")
