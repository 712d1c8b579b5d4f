"""The application parties of many transactions, and their hits, read in two queries, as `load_facts` reads them.

Deciding many transactions of one question (customer, person, item,
country, activity), only the parties of each transaction's application
and the hits on them differ: the decision's statement reads the
transaction for nothing else. `for_transaction` gives a transaction's facts
from its question's (loaded once, with no transaction) and these rows,
the same facts `load_facts` would give it. The two queries repeat the
statement's "party" and party "hit" branches for a list of transactions.
"""

# The statements are composed from the models' own table names and the project's constants; ids are parameters.
# ruff: noqa: S608

import dataclasses
from collections import defaultdict

from django.db import connection

from licensing.parties.models import Customer, Person
from licensing.screening.models import Hit, ListEntry, ListVersion, SubjectScreening

from .facts import _ENTRY, _HIT, _PARTY, _VERSION, DecisionFacts, _hits, _parties, _quoted, _table
from .models import ApplicationParty, LicenceApplication

_PARTIES = (
    f"SELECT CAST(la.transaction_id AS TEXT), {', '.join(_PARTY.columns())}, "
    "COALESCE(lp.given_name || ' ' || lp.family_name, lc.legal_name), s.fingerprint "
    f"FROM {_table(ApplicationParty)} ap "
    f"JOIN {_table(LicenceApplication)} la ON la.id = ap.application_id "
    f"LEFT JOIN {_table(Customer)} lc ON lc.id = ap.customer_id "
    f"LEFT JOIN {_table(Person)} lp ON lp.id = ap.person_id "
    f"LEFT JOIN {_table(SubjectScreening)} s ON s.party_id = ap.id "
    f"WHERE la.transaction_id = ANY(%s) AND ap.role <> '{ApplicationParty.Role.APPLICANT}'"
)
_PARTY_HITS = (
    f"SELECT CAST(la.transaction_id AS TEXT), {', '.join([*_HIT.columns(), *_ENTRY.columns(), *_VERSION.columns()])} "
    f"FROM {_table(Hit)} h JOIN {_table(ListEntry)} e ON e.id = h.entry_id "
    f"JOIN {_table(ListVersion)} v ON v.id = e.version_id "
    f"JOIN {_table(ApplicationParty)} ap ON ap.id = h.party_id "
    f"JOIN {_table(LicenceApplication)} la ON la.id = ap.application_id "
    f"WHERE h.status IN ({_quoted((*Hit.AWAITING, Hit.Status.CONFIRMED))}) AND la.transaction_id = ANY(%s)"
)


@dataclasses.dataclass(frozen=True)
class PartyFacts:
    """Each transaction's application parties and the hits on them, by transaction id."""

    parties: dict[int, list[ApplicationParty]]
    hits: dict[int, list[Hit]]

    def for_transaction(self, question: DecisionFacts, transaction_id: int) -> DecisionFacts:
        """The facts `load_facts` gives the transaction, from those of its question loaded with no transaction."""
        parties, hits = self.parties.get(transaction_id, []), self.hits.get(transaction_id, [])
        if not parties and not hits:
            return question
        screening = dataclasses.replace(
            question.screening,
            parties=parties,
            hits=sorted([*question.screening.hits, *hits], key=lambda hit: hit.pk),
        )
        return dataclasses.replace(question, screening=screening)


def load_party_facts(transaction_ids: list[int]) -> PartyFacts:
    """Read the application parties of these transactions, and the hits in effect on them."""
    party_rows, hit_rows = defaultdict(list), defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_PARTIES, [transaction_ids])
        for transaction_id, *row in cursor.fetchall():
            party_rows[int(transaction_id)].append(row)
        cursor.execute(_PARTY_HITS, [transaction_ids])
        for transaction_id, *row in cursor.fetchall():
            hit_rows[int(transaction_id)].append(row)
    return PartyFacts(
        parties={pk: _parties(rows) for pk, rows in party_rows.items()},
        hits={pk: _hits(rows) for pk, rows in hit_rows.items()},
    )
