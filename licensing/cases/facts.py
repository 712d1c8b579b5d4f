"""Everything a decision reads, loaded in one query.

The access check is billing's hot path: it must decide from the current state
of the database and answer in a few milliseconds. Each ORM query costs more in
Python than in PostgreSQL, so the decision's facts come back from one plain SQL
statement: one UNION ALL branch per kind of fact, every value as text, turned
back into model instances here. The rules in `licensing.cases.decision` then
run in Python on what was loaded, and never go back to the database.

The facts carry the decision stamps (`DecisionStamp`) they were read at, and
`read_stamp` reads just those: equal stamps mean the same facts, which is how
the access check knows a remembered answer still stands.

Instances carry only the fields a decision reads; any other field loads on
first access (Django's deferred fields), so a caller that needs more gets the
right value, at the cost of a query.
"""

# The statement is composed once, at import, from the models' own table names
# and the project's constants; every value from a request is a parameter.
# ruff: noqa: S608

import datetime
import decimal
import json
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from django.db import connection, models, transaction
from django.db.models.fields.related import RelatedField

from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import Customer, CustomerAddress, Ownership, Person
from licensing.reference.models import (
    EMBARGO_GROUPS,
    ControlledItem,
    CountryGroupMembership,
    LicenceRequirement,
    RequirementRelaxation,
)
from licensing.screening.models import Hit, ListEntry, ListVersion, SubjectScreening

from .models import ApplicationParty, DecisionStamp, Licence, LicenceApplication, OwnershipRulePeriod

# The customer's and the reference data's DecisionStamp versions, read with
# the facts; None where either is not stamped (always, on SQLite).
Stamp = tuple[str, str] | None


@dataclass(frozen=True)
class ScreeningFacts:
    lists_in_force: bool
    # The fingerprint of the customer's and the person's latest screening
    # (`licensing.screening.subjects`): None if never screened, "" if screened
    # before fingerprints were kept.
    customer_screened_as: str | None
    person_screened_as: str | None
    # Hits in effect (open, clearing, confirmed) on the customer, the person or
    # the parties of the transaction's application, oldest first.
    hits: list[Hit]
    # The customer's addresses, as screening reads them.
    customer_addresses: list[CustomerAddress] = field(default_factory=list)
    # The transaction's application parties that screening covers, each with
    # `screened_as` (as above) and `linked_name` (its customer's or person's name, if linked).
    parties: list[ApplicationParty] = field(default_factory=list)


# How many levels of owners above the customer the ownership rule follows: an
# owner's owners count when the owner is itself owned by listed parties.
OWNERSHIP_DEPTH = 4


@dataclass(frozen=True)
class OwnershipFacts:
    # The period of the ownership rule governing `on`, if any is recorded: the rule applies while it is in force.
    period: OwnershipRulePeriod | None = None
    # Ownership edges up from the customer, to OWNERSHIP_DEPTH levels of owners.
    edges: list[Ownership] = field(default_factory=list)
    # The legal names of the customers among the owners, by id.
    owner_names: dict[int, str] = field(default_factory=dict)
    # Hits in effect on the customers among those owners, as in ScreeningFacts.hits.
    hits: list[Hit] = field(default_factory=list)


@dataclass(frozen=True)
class DecisionFacts:
    on: datetime.date
    customer: Customer | None
    person: Person | None
    item: ControlledItem | None
    # The recipient's approved determination, whether or not it is in force on `on`.
    determination: ForeignPersonDetermination | None
    # Whether any embargo group (E:1, E:2) has members on `on`: without that data nothing can be ruled out.
    embargo_data_in_force: bool
    # (country, group) memberships in force on `on`, for the countries the decision can ask about.
    memberships: frozenset[tuple[str, str]]
    # Requirements in force on `on` for the item, oldest first; each has
    # `group_codes`, the country groups it names.
    requirements: list[LicenceRequirement]
    # Active licences on `on` for the customer, the item and the activity, soonest to expire first.
    licences: list[Licence]
    screening: ScreeningFacts
    # The rows of the caller's companion read (see CompanionRead), if it asked for one.
    companion: list[tuple] = field(default_factory=list)
    # Relaxations in force on `on` (approved rule changes): each lifts one requirement
    # where it applies; each has `customer_ids`, the customer asked about if it names it.
    relaxations: list[RequirementRelaxation] = field(default_factory=list)
    # What the facts were read at: equal stamps, read later, mean the same facts would be read again.
    stamp: Stamp = None
    # What the ownership rule reads: the customer's owners, their hits, and whether the rule is in force.
    ownership: OwnershipFacts = field(default_factory=OwnershipFacts)

    def groups_of(self, country: str) -> set[str]:
        return {group for member, group in self.memberships if member == country}


@dataclass(frozen=True)
class CompanionRead:
    """A read a caller adds to the decision's statement, so that it costs no round trip of its own.

    The access check reads the caller's API token this way. `source` is the
    FROM clause (with WHERE) that `columns`, text expressions, are read from;
    it may use %(companion)s, a parameter of `parameter_type`. Its rows come
    back in `DecisionFacts.companion`.
    """

    name: str
    columns: tuple[str, ...]
    source: str
    parameter_type: str = "text"


class FactsQuery(NamedTuple):
    """The request `load_facts` is asked about, by its external ids: one of many for `load_facts_for_many`."""

    customer: str
    item: str
    person: str | None
    country: str | None
    activity: str
    transaction_id: int | None


def load_facts(
    *,
    customer: str,
    item: str,
    person: str | None,
    country: str | None,
    activity: str,
    transaction_id: int | None,
    on: datetime.date,
    companion: CompanionRead | None = None,
    companion_value=None,
) -> DecisionFacts:
    """Load, in one query, what deciding a request for these external ids needs to know."""
    statement = _statement(companion)
    params = {
        "customer": customer,
        "person": person,
        "item": item,
        "country": country,
        "activity": activity,
        "transaction": transaction_id,
        "on": on.isoformat(),
        "companion": companion_value,
    }
    return _read_facts(statement.rows_by_kind(params), on=on, person=person, companion=companion)


def load_facts_for_many(queries: Sequence[FactsQuery], *, on: datetime.date) -> list[DecisionFacts]:
    """Load what deciding each of these requests needs to know, as `load_facts` would for each, in one query.

    The same statement answers each request (on PostgreSQL run once per request
    inside one query, beside the others) and its rows are read by the same code,
    so a request's facts are the same whether it is asked about alone or among many.
    """
    if not queries:
        return []
    if connection.vendor != "postgresql":
        return [load_facts(**query._asdict(), on=on) for query in queries]
    asked = [
        {
            "customer": query.customer,
            "person": query.person,
            "item": query.item,
            "country": query.country,
            "activity": query.activity,
            "transaction": query.transaction_id,
        }
        for query in queries
    ]
    found = _statement(None).rows_by_kind_for_many(asked, on=on)
    return [
        _read_facts(rows, on=on, person=query.person, companion=None)
        for query, rows in zip(queries, found, strict=True)
    ]


def _read_facts(
    rows: dict[str, list[tuple]], *, on: datetime.date, person: str | None, companion: CompanionRead | None
) -> DecisionFacts:
    """The facts in the statement's rows for one request (`person` is the external id asked about, if any)."""
    customer_row = _single(rows["customer"])
    person_row = _single(rows["person"])
    found_customer = _CUSTOMER.build(customer_row) if customer_row else None
    found_person = _PERSON.build(person_row) if person_row else None
    determination = None
    if rows["determination"]:
        determination = _DETERMINATION.build(_single(rows["determination"]))
        # Its subject is the recipient already loaded: naming it costs no query.
        if found_person is not None:
            determination.person = found_person
        else:
            determination.customer = found_customer
    item_row = _single(rows["item"])
    embargo_data, lists_in_force, customer_screened_as, person_screened_as, customer_version, reference_version, *_ = (
        _single(rows["state"])
    )
    return DecisionFacts(
        on=on,
        embargo_data_in_force=_true(embargo_data),
        customer=found_customer,
        person=found_person,
        item=_ITEM.build(item_row) if item_row else None,
        determination=determination,
        memberships=frozenset((member, group) for member, group, *_ in rows["membership"]),
        requirements=_requirements(rows["requirement"]),
        relaxations=_relaxations(rows["relaxation"], found_customer),
        licences=sorted(
            (_licence(row) for row in rows["licence"]),
            key=lambda licence: (licence.valid_until, licence.pk),
        ),
        screening=ScreeningFacts(
            lists_in_force=_true(lists_in_force),
            customer_screened_as=customer_screened_as,
            # No person asked about: nobody to screen.
            person_screened_as=person_screened_as if person is not None else "",
            hits=_hits(rows["hit"]),
            customer_addresses=sorted(
                (_ADDRESS.build(row[: _ADDRESS.width]) for row in rows["address"]), key=lambda address: address.pk
            ),
            parties=_parties(rows["party"]),
        ),
        companion=_companion_rows(rows, companion),
        stamp=_stamp(customer_version, reference_version),
        ownership=OwnershipFacts(
            period=_PERIOD.build(_single(rows["ownership_period"])) if rows["ownership_period"] else None,
            edges=_edges(rows["owner_edge"]),
            owner_names={int(row[2]): row[_OWNERSHIP.width] for row in rows["owner_edge"] if row[2] is not None},
            hits=_hits(rows["owner_hit"]),
        ),
    )


def read_stamp(*, customer: str, companion: CompanionRead | None = None, companion_value=None) -> tuple[Stamp, list]:
    """The stamp `load_facts` would read now for this customer, and the companion read's rows, in one query."""
    rows = _probe(companion).rows_by_kind({"customer": customer, "companion": companion_value})
    stamp_row = _single(rows["stamp"])
    return _stamp(*stamp_row[:2]) if stamp_row else None, _companion_rows(rows, companion)


def _stamp(customer_version, reference_version) -> Stamp:
    if customer_version is None or reference_version is None:
        return None
    return customer_version, reference_version


def _companion_rows(rows, companion: CompanionRead | None) -> list[tuple]:
    return [row[: len(companion.columns)] for row in rows[_COMPANION]] if companion else []


# The parameters in the order a prepared statement numbers them, with their types.
_PARAMETERS = {
    "customer": "text",
    "person": "text",
    "item": "text",
    "country": "text",
    "activity": "text",
    "transaction": "bigint",
    "on": "date",
}
_COMPANION = "companion"
# The parameters that differ from one request to the next, in `load_facts_for_many`.
_ASKED = ("customer", "person", "item", "country", "activity", "transaction")


class _Statement:
    """One composed statement, and the connections it is prepared on."""

    def __init__(self, name: str, composed: tuple[str, tuple[str, ...]], parameters: dict[str, str]):
        self.sql, self.kinds = composed
        self.parameters = parameters
        self.prepare_sql, self.execute_sql = _prepared(self.sql, name, self.parameters)
        # PostgreSQL spends longer planning the facts statement than running
        # it, so each connection prepares a statement once and then only
        # executes it. The set holds the driver's connections (a reconnect
        # starts afresh), weakly so closed ones go.
        self.prepared_on: weakref.WeakSet = weakref.WeakSet()

    def rows_by_kind(self, params: dict) -> dict[str, list[tuple]]:
        """Each kind of row the statement returns (every kind present), with its columns after the kind."""
        rows: dict[str, list] = {kind: [] for kind in self.kinds}
        for row in self.fetch(params):
            rows[row[0]].append(row[1:])
        return rows

    def rows_by_kind_for_many(self, many: list[dict], *, on: datetime.date) -> list[dict[str, list[tuple]]]:
        """`rows_by_kind` for each of many requests' values (`on` shared), in one query; PostgreSQL, no companion."""
        found: list[dict[str, list]] = [{kind: [] for kind in self.kinds} for _ in many]
        # One JSON document of the requests: a single parameter, quoted once, however many they are.
        params: dict[str, Any] = {"asked": json.dumps(many), "on": on}
        with transaction.atomic(), connection.cursor() as cursor:
            # A subquery per request makes the estimate large enough for PostgreSQL to compile the plan
            # to machine code (JIT), which takes far longer than running it: this statement is run
            # without, and the caller's transaction gets its own setting back.
            cursor.execute("SELECT current_setting('jit')")
            [(jit,)] = cursor.fetchall()
            cursor.execute("SELECT set_config('jit', 'off', true)")
            cursor.execute(self.many_sql, params)
            rows = cursor.fetchall()
            cursor.execute("SELECT set_config('jit', %s, true)", [jit])
        for ordinal, kind, *columns in rows:
            found[ordinal - 1][kind].append(tuple(columns))
        return found

    @cached_property
    def many_sql(self) -> str:
        """The statement once per request of a list: each request's values are a row of `asked`.

        The statement itself is unchanged, run as a lateral subquery whose
        parameters are that row's columns; its rows come back numbered by request.
        """
        sql = self.sql
        for name in _ASKED:
            sql = sql.replace(f"%({name})s", f"asked.{name}_asked")
        columns = ", ".join(f"{name} {_PARAMETERS[name]}" for name in _ASKED)
        names = ", ".join(f"{name}_asked" for name in _ASKED)
        return (
            f"SELECT asked.n, facts.* FROM ROWS FROM (jsonb_to_recordset(CAST(%(asked)s AS jsonb)) AS ({columns})) "
            f"WITH ORDINALITY AS asked({names}, n) CROSS JOIN LATERAL ({sql}) facts"
        )

    def fetch(self, params: dict) -> list[tuple]:
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.execute(self.sql, params)
                return cursor.fetchall()
            driver_connection = connection.connection
            if driver_connection not in self.prepared_on:
                cursor.execute(self.prepare_sql)
                self.prepared_on.add(driver_connection)
            cursor.execute(self.execute_sql, [params[name] for name in self.parameters])
            return cursor.fetchall()

    def explain_sql(self) -> str:
        """EXPLAIN of the prepared statement, for benchmarks: pass the values in `parameters` order."""
        return "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + self.execute_sql


_STATEMENTS: dict[tuple[str, CompanionRead | None], _Statement] = {}


def _statement(companion: CompanionRead | None) -> _Statement:
    """The facts statement, with the companion read if one is given."""
    return _cached_statement("exportdesk_decision_facts", _compose, _PARAMETERS, companion)


def _probe(companion: CompanionRead | None) -> _Statement:
    """The stamp statement, with the companion read if one is given."""
    return _cached_statement("exportdesk_decision_stamp", _compose_probe, {"customer": "text"}, companion)


def _cached_statement(name: str, compose, parameters: dict[str, str], companion: CompanionRead | None) -> _Statement:
    key = (name, companion)
    statement = _STATEMENTS.get(key)
    if statement is None:
        if companion is not None:
            name += f"_with_{companion.name}"
            parameters = {**parameters, _COMPANION: companion.parameter_type}
        statement = _STATEMENTS.setdefault(key, _Statement(name, compose(companion), parameters))
    return statement


@dataclass(frozen=True)
class _Part:
    """Some fields of one model, read as text columns under a table alias."""

    model: type[models.Model]
    alias: str
    names: tuple[str, ...]

    @cached_property
    def fields(self) -> list[models.Field]:
        # In the model's own order: `Model.from_db` matches values to fields by position.
        return [f for f in self.model._meta.concrete_fields if f.attname in self.names]

    @cached_property
    def attnames(self) -> list[str]:
        return [f.attname for f in self.fields]

    @cached_property
    def converters(self) -> list:
        return [_converter(f) for f in self.fields]

    @property
    def width(self) -> int:
        return len(self.names)

    def columns(self) -> list[str]:
        return [_as_text(f'{self.alias}."{f.column}"', f) for f in self.fields]

    def build(self, values):
        converted = [
            None if value is None else convert(value) for convert, value in zip(self.converters, values, strict=False)
        ]
        return self.model.from_db(connection.alias, self.attnames, converted)


_CUSTOMER = _Part(
    Customer,
    "c",
    (
        "id",
        "external_id",
        "legal_name",
        "aliases",
        "status",
        "status_reason",
        "country_of_incorporation_id",
        "headquarters_country_id",
    ),
)
_PERSON = _Part(
    Person, "p", ("id", "customer_id", "external_id", "given_name", "family_name", "employer_id", "location_country_id")
)
_ITEM = _Part(ControlledItem, "i", ("id", "code", "name", "eccn"))
_DETERMINATION = _Part(
    ForeignPersonDetermination,
    "d",
    (
        "id",
        "customer_id",
        "person_id",
        "status",
        "outcome",
        "basis",
        "attribution_country_id",
        "effective_on",
        "review_by",
    ),
)
_REQUIREMENT = _Part(
    LicenceRequirement,
    "r",
    ("id", "title", "legal_basis", "activities", "scope", "application_per_transaction", "effective_from"),
)
_RELAXATION = _Part(
    RequirementRelaxation,
    "x",
    ("id", "requirement_id", "kind", "country_group_id", "item_id", "effective_from", "change_number"),
)
_LICENCE = _Part(
    Licence,
    "l",
    (
        "id",
        "number",
        "application_id",
        "status",
        "customer_id",
        "person_id",
        "item_id",
        "activity",
        "country_id",
        "covers_employees",
        "valid_from",
        "valid_until",
        "authorised_quantity",
        "authorised_value",
        "quantity_used",
        "value_used",
        "authorised_calls",
        "authorised_tokens",
        "issued_at",
    ),
)
_HIT = _Part(
    Hit,
    "h",
    (
        "id",
        "customer_id",
        "person_id",
        "party_id",
        "entry_id",
        "status",
        "score",
        "subject_name",
        "matched_name",
        "first_matched_at",
    ),
)
_ENTRY = _Part(
    ListEntry,
    "e",
    (
        "id",
        "version_id",
        "list_code",
        "source",
        "name",
        "federal_register_notice",
        "license_requirement",
        "license_policy",
    ),
)
_VERSION = _Part(ListVersion, "v", ("id", "feed", "published_on"))
_OWNERSHIP = _Part(Ownership, "o", ("id", "owned_id", "owner_id", "owner_name", "percentage", "verified_on"))
_PERIOD = _Part(OwnershipRulePeriod, "op", ("id", "status", "effective_from", "effective_until", "legal_basis"))
_ADDRESS = _Part(
    CustomerAddress,
    "ca",
    ("id", "customer_id", "kind", "line1", "line2", "city", "region", "postal_code", "country_id"),
)
_PARTY = _Part(
    ApplicationParty,
    "ap",
    (
        "id",
        "application_id",
        "role",
        "customer_id",
        "person_id",
        "name",
        "address",
        "city",
        "postal_code",
        "country_id",
    ),
)


def _requirements(rows) -> list[LicenceRequirement]:
    # One row per (requirement, country group it names); none named gives one row with no group.
    by_id: dict[int, LicenceRequirement] = {}
    for row in rows:
        values, group = row[: _REQUIREMENT.width], row[_REQUIREMENT.width]
        requirement = by_id.get(int(values[0]))
        if requirement is None:
            requirement = _REQUIREMENT.build(values)
            requirement.group_codes = set()
            by_id[requirement.pk] = requirement
        if group is not None:
            requirement.group_codes.add(group)
    return sorted(by_id.values(), key=lambda r: (r.effective_from, r.pk))


def _relaxations(rows, customer: Customer | None) -> list[RequirementRelaxation]:
    relaxations = []
    for row in rows:
        relaxation = _RELAXATION.build(row[: _RELAXATION.width])
        names_customer = _true(row[_RELAXATION.width])
        relaxation.customer_ids = {customer.pk} if names_customer and customer is not None else set()
        relaxations.append(relaxation)
    return sorted(relaxations, key=lambda relaxation: (relaxation.effective_from, relaxation.pk))


def _licence(row) -> Licence:
    licence = _LICENCE.build(row[: _LICENCE.width])
    transaction_id = row[_LICENCE.width]
    licence.application_transaction_id = int(transaction_id) if transaction_id is not None else None
    return licence


def _parties(rows) -> list[ApplicationParty]:
    parties = []
    for row in rows:
        party = _PARTY.build(row[: _PARTY.width])
        party.linked_name, party.screened_as = row[_PARTY.width : _PARTY.width + 2]
        parties.append(party)
    return sorted(parties, key=lambda party: party.pk)


def _hits(hit_rows) -> list[Hit]:
    hits = []
    for row in hit_rows:
        hit = _HIT.build(row[: _HIT.width])
        entry = _ENTRY.build(row[_HIT.width : _HIT.width + _ENTRY.width])
        entry.version = _VERSION.build(row[_HIT.width + _ENTRY.width :])
        hit.entry = entry
        hits.append(hit)
    return sorted(hits, key=lambda hit: hit.pk)


def _edges(rows) -> list[Ownership]:
    # An owner reached at two levels brings its edges twice: keep one of each.
    edges: dict[int, Ownership] = {}
    for row in rows:
        edge = _OWNERSHIP.build(row[: _OWNERSHIP.width])
        edges[edge.pk] = edge
    return sorted(edges.values(), key=lambda edge: edge.pk)


def _single(rows):
    if len(rows) > 1:
        raise ValueError(f"expected at most one row, got {len(rows)}")
    return rows[0] if rows else None


def _true(text) -> bool:
    return text in ("1", "true", "t")


def _as_text(expression: str, model_field: models.Field) -> str:
    # PostgreSQL spells a boolean as text 'true', SQLite as '1': make both '1' or '0'.
    if isinstance(model_field, models.BooleanField):
        return f"CASE WHEN {expression} THEN '1' ELSE '0' END"
    return f"CAST({expression} AS TEXT)"


def _converter(model_field: models.Field):
    """Return the function that turns the field's text column back into its Python value."""
    target = model_field.target_field if isinstance(model_field, RelatedField) else model_field
    if isinstance(target, models.JSONField):
        return json.loads
    if isinstance(target, models.BooleanField):
        return _true
    if isinstance(target, (models.AutoField, models.IntegerField)):
        return int
    if isinstance(target, models.DecimalField):
        # SQLite gives "2" where PostgreSQL gives "2.00": keep the field's places, as the ORM does.
        places = decimal.Decimal(1).scaleb(-target.decimal_places)
        return lambda text: decimal.Decimal(text).quantize(places)
    if isinstance(target, models.FloatField):
        return float
    if isinstance(target, models.DateTimeField):
        return target.to_python
    if isinstance(target, models.DateField):
        return datetime.date.fromisoformat
    if isinstance(target, (models.CharField, models.TextField)):
        return str
    raise TypeError(f"no conversion from text for {model_field!r}")


def _table(model) -> str:
    return model._meta.db_table


def _through(relation) -> str:
    return relation.through._meta.db_table


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN '1' ELSE '0' END"


def _quoted(values) -> str:
    # Only the project's own constants (statuses, group codes) are inlined; input is always a parameter.
    return ", ".join(f"'{value}'" for value in values)


_MEMBERSHIP_IN_FORCE = "m.effective_from <= %(on)s AND (m.effective_until IS NULL OR m.effective_until > %(on)s)"


def _compose(companion: CompanionRead | None) -> tuple[str, tuple[str, ...]]:
    """Build the statement: CTEs for the parties asked about, then one branch per kind of fact.

    PostgreSQL runs it from a generic plan, made once without the values, so
    every branch must find its rows through an index whatever the values turn
    out to be: parties are matched with `= (SELECT id FROM c)`, never `IN`
    (planned as a hash over the whole table), and alternatives are separate
    branches rather than an `OR`, which no single index can serve. A
    determination for each of 100,000 customers would otherwise be read in
    full on every check (the benchmark loads that volume).
    """
    # SQLite has no LATERAL: there the ownership walk joins plainly (it has no generic plan to steer).
    lateral = connection.vendor == "postgresql"
    hit_statuses = _quoted((*Hit.AWAITING, Hit.Status.CONFIRMED))
    customer_id, person_id, item_id = "(SELECT id FROM c)", "(SELECT id FROM p)", "(SELECT id FROM i)"
    hit_columns = [*_HIT.columns(), *_ENTRY.columns(), *_VERSION.columns()]
    hit_source = (
        f"FROM {_table(Hit)} h JOIN {_table(ListEntry)} e ON e.id = h.entry_id "
        f"JOIN {_table(ListVersion)} v ON v.id = e.version_id "
    )
    approved = ForeignPersonDetermination.Status.APPROVED
    owner_columns = [*_OWNERSHIP.columns(), "oc.legal_name"]
    owner_source = f"FROM {_table(Ownership)} o LEFT JOIN {_table(Customer)} oc ON oc.id = o.owner_id "
    branches = [
        ("customer", _CUSTOMER.columns(), "FROM c"),
        ("person", _PERSON.columns(), "FROM p"),
        ("item", _ITEM.columns(), "FROM i"),
        # The recipient's determination: the person's if one is asked about, else the customer's.
        (
            "determination",
            _DETERMINATION.columns(),
            f"FROM {_table(ForeignPersonDetermination)} d WHERE d.status = '{approved}' AND d.person_id = {person_id}",
        ),
        (
            "determination",
            _DETERMINATION.columns(),
            f"FROM {_table(ForeignPersonDetermination)} d WHERE d.status = '{approved}' "
            f"AND %(person)s IS NULL AND d.customer_id = {customer_id}",
        ),
        # The groups of every country the decision may ask about: the one asked
        # about, the defaults when none is, and the determination's attribution.
        (
            "membership",
            ["m.country_id", "m.group_id"],
            f"FROM {_table(CountryGroupMembership)} m "
            "WHERE m.country_id IN (%(country)s, (SELECT location_country_id FROM p), "
            "(SELECT country_of_incorporation_id FROM c), (SELECT headquarters_country_id FROM c), "
            f"(SELECT attribution_country_id FROM {_table(ForeignPersonDetermination)} d "
            f"WHERE d.status = '{approved}' AND d.person_id = {person_id}), "
            f"(SELECT attribution_country_id FROM {_table(ForeignPersonDetermination)} d "
            f"WHERE d.status = '{approved}' AND d.customer_id = {customer_id})) "
            f"AND {_MEMBERSHIP_IN_FORCE}",
        ),
        (
            "requirement",
            [*_REQUIREMENT.columns(), "rg.countrygroup_id"],
            f"FROM {_table(LicenceRequirement)} r "
            f"JOIN {_through(LicenceRequirement.items)} ri ON ri.licencerequirement_id = r.id "
            f"LEFT JOIN {_through(LicenceRequirement.country_groups)} rg ON rg.licencerequirement_id = r.id "
            f"WHERE ri.controlleditem_id = {item_id} "
            "AND r.effective_from <= %(on)s AND (r.effective_until IS NULL OR r.effective_until >= %(on)s)",
        ),
        # Relaxations of the item's requirements in force (a handful, made by approved rule changes),
        # each saying whether it names the customer asked about.
        (
            "relaxation",
            [
                *_RELAXATION.columns(),
                _flag(
                    f"EXISTS (SELECT 1 FROM {_through(RequirementRelaxation.customers)} xc "
                    f"WHERE xc.requirementrelaxation_id = x.id AND xc.customer_id = {customer_id})"
                ),
            ],
            f"FROM {_table(RequirementRelaxation)} x "
            f"WHERE x.requirement_id IN (SELECT ri.licencerequirement_id FROM {_through(LicenceRequirement.items)} ri "
            f"WHERE ri.controlleditem_id = {item_id}) "
            "AND x.effective_from <= %(on)s AND (x.effective_until IS NULL OR x.effective_until >= %(on)s)",
        ),
        (
            "licence",
            [*_LICENCE.columns(), "CAST(a.transaction_id AS TEXT)"],
            f"FROM {_table(Licence)} l JOIN {_table(LicenceApplication)} a ON a.id = l.application_id "
            f"WHERE l.customer_id = {customer_id} AND l.item_id = {item_id} "
            f"AND l.activity = %(activity)s AND l.status = '{Licence.Status.ACTIVE}' "
            "AND l.valid_from <= %(on)s AND l.valid_until >= %(on)s",
        ),
        # One row of flags: each an indexed existence test.
        (
            "state",
            [
                _flag(
                    f"EXISTS (SELECT 1 FROM {_table(CountryGroupMembership)} m "
                    f"WHERE m.group_id IN ({_quoted(EMBARGO_GROUPS)}) AND {_MEMBERSHIP_IN_FORCE})"
                ),
                _flag(f"EXISTS (SELECT 1 FROM {_table(ListVersion)} WHERE status = '{ListVersion.Status.IN_FORCE}')"),
                f"(SELECT s.fingerprint FROM {_table(SubjectScreening)} s WHERE s.customer_id = {customer_id})",
                f"(SELECT s.fingerprint FROM {_table(SubjectScreening)} s WHERE s.person_id = {person_id})",
                *_STAMP_COLUMNS,
            ],
            "",
        ),
        # What screening compares with the customer's latest screening, beside its names.
        ("address", _ADDRESS.columns(), f"FROM {_table(CustomerAddress)} ca WHERE ca.customer_id = {customer_id}"),
        # The transaction's application parties, with the name of the record each copies and its screening.
        (
            "party",
            [
                *_PARTY.columns(),
                "COALESCE(lp.given_name || ' ' || lp.family_name, lc.legal_name)",
                "s.fingerprint",
            ],
            f"FROM {_table(ApplicationParty)} ap "
            f"JOIN {_table(LicenceApplication)} la ON la.id = ap.application_id "
            f"LEFT JOIN {_table(Customer)} lc ON lc.id = ap.customer_id "
            f"LEFT JOIN {_table(Person)} lp ON lp.id = ap.person_id "
            f"LEFT JOIN {_table(SubjectScreening)} s ON s.party_id = ap.id "
            f"WHERE la.transaction_id = %(transaction)s AND ap.role <> '{ApplicationParty.Role.APPLICANT}'",
        ),
        # Hits in effect, one branch per kind of subject (a hit has exactly one).
        ("hit", hit_columns, hit_source + f"WHERE h.status IN ({hit_statuses}) AND h.customer_id = {customer_id}"),
        ("hit", hit_columns, hit_source + f"WHERE h.status IN ({hit_statuses}) AND h.person_id = {person_id}"),
        (
            "hit",
            hit_columns,
            hit_source + f"JOIN {_table(ApplicationParty)} ap ON ap.id = h.party_id "
            f"JOIN {_table(LicenceApplication)} la ON la.id = ap.application_id "
            f"WHERE h.status IN ({hit_statuses}) AND la.transaction_id = %(transaction)s",
        ),
        # The ownership rule: the period governing the day, the edges up from the
        # customer (its own, then its owners' through `owners`), the owners' hits in effect.
        (
            "ownership_period",
            _PERIOD.columns(),
            f"FROM (SELECT * FROM {_table(OwnershipRulePeriod)} op WHERE op.effective_from <= %(on)s "
            "AND (op.effective_until IS NULL OR op.effective_until >= %(on)s) "
            "ORDER BY op.effective_from DESC, op.id DESC LIMIT 1) op",
        ),
        ("owner_edge", owner_columns, owner_source + f"WHERE o.owned_id = {customer_id}"),
        (
            "owner_edge",
            owner_columns,
            owner_source + f"JOIN owners u ON o.owned_id = u.owner_id WHERE u.depth < {OWNERSHIP_DEPTH}",
        ),
        # Each owner's hits looked up by its id: on PostgreSQL the OFFSET keeps the
        # planner from joining the owners with every hit in effect instead.
        (
            "owner_hit",
            hit_columns,
            (
                f"FROM (SELECT DISTINCT owner_id FROM owners) u, LATERAL (SELECT * FROM {_table(Hit)} hh "
                f"WHERE hh.customer_id = u.owner_id AND hh.status IN ({hit_statuses}) OFFSET 0) h "
                f"JOIN {_table(ListEntry)} e ON e.id = h.entry_id JOIN {_table(ListVersion)} v ON v.id = e.version_id"
            )
            if lateral
            else hit_source + f"JOIN (SELECT DISTINCT owner_id FROM owners) u ON h.customer_id = u.owner_id "
            f"WHERE h.status IN ({hit_statuses})",
        ),
    ]
    next_owners = (
        f"FROM owners u, LATERAL (SELECT o.owner_id FROM {_table(Ownership)} o "
        f"WHERE o.owned_id = u.owner_id AND o.owner_id IS NOT NULL OFFSET 0) n WHERE u.depth < {OWNERSHIP_DEPTH}"
        if lateral
        else f"FROM owners u JOIN {_table(Ownership)} n ON n.owned_id = u.owner_id "
        f"WHERE u.depth < {OWNERSHIP_DEPTH} AND n.owner_id IS NOT NULL"
    )
    ctes = (
        f"{_CUSTOMER_CTE.replace('WITH ', 'WITH RECURSIVE ', 1)}, "
        f"p AS (SELECT * FROM {_table(Person)} WHERE customer_id = {customer_id} AND external_id = %(person)s), "
        f"i AS (SELECT * FROM {_table(ControlledItem)} WHERE code = %(item)s), "
        # The customers among the customer's owners, up the chain; UNION and the
        # depth bound end the walk on a cycle. Each level's owners are looked up
        # by the owned id (on PostgreSQL the OFFSET keeps it a lookup, not a join with every edge).
        f"owners (owner_id, depth) AS (SELECT o.owner_id, 1 FROM {_table(Ownership)} o "
        f"WHERE o.owned_id = {customer_id} AND o.owner_id IS NOT NULL "
        f"UNION SELECT n.owner_id, u.depth + 1 {next_owners}) "
    )
    return _union(ctes, branches, companion)


def _compose_probe(companion: CompanionRead | None) -> tuple[str, tuple[str, ...]]:
    """Build the stamp statement: the stamps `_compose` reads (see DecisionStamp), and the companion read."""
    return _union(f"{_CUSTOMER_CTE} ", [("stamp", list(_STAMP_COLUMNS), "")], companion)


_CUSTOMER_CTE = f"WITH c AS (SELECT * FROM {_table(Customer)} WHERE external_id = %(customer)s)"
_STAMP_COLUMNS = (
    f"(SELECT CAST(version AS TEXT) FROM {_table(DecisionStamp)} WHERE customer_id = (SELECT id FROM c))",
    f"(SELECT CAST(version AS TEXT) FROM {_table(DecisionStamp)} WHERE customer_id = {DecisionStamp.REFERENCE_DATA})",
)


def _union(ctes: str, branches: list, companion: CompanionRead | None) -> tuple[str, tuple[str, ...]]:
    """One SELECT per branch, padded with NULLs to the widest, under the CTEs; and the kinds of row, in order."""
    if companion is not None:
        branches = [*branches, (_COMPANION, list(companion.columns), companion.source)]
    width = max(len(columns) for _, columns, _ in branches)
    selects = []
    for kind, columns, source in branches:
        padded = columns + ["CAST(NULL AS TEXT)"] * (width - len(columns))
        selects.append(f"SELECT '{kind}' AS kind, {', '.join(padded)} {source}".rstrip())
    return ctes + "\nUNION ALL\n".join(selects), tuple(dict.fromkeys(kind for kind, _, _ in branches))


def _prepared(sql: str, name: str, parameters: dict[str, str]) -> tuple[str, str]:
    """The PostgreSQL PREPARE and EXECUTE statements for `sql`, its named parameters numbered."""
    for number, parameter in enumerate(parameters, start=1):
        sql = sql.replace(f"%({parameter})s", f"${number}")
    types = ", ".join(parameters.values())
    placeholders = ", ".join(["%s"] * len(parameters))
    return f"PREPARE {name} ({types}) AS {sql}", f"EXECUTE {name} ({placeholders})"
