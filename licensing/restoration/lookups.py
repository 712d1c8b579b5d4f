"""`field__any=[...]`: membership in a list sent as one array parameter (PostgreSQL's `= ANY(%s)`).

`__in` writes one placeholder per value; for the thousands of ids a triage
chunk reads, building and parsing those placeholders costs more than the
query. One array parameter costs nothing. `among` falls back to `__in` on
other databases (SQLite runs the demo).
"""

from typing import Any

from django.db import connection
from django.db.models import Field, ForeignKey, Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [list(value)])

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def register() -> None:
    # Relations keep a lookup table of their own.
    for kind in (Field, ForeignKey):
        kind.register_lookup(AnyOf)


def among(field: str, values: Any) -> dict[str, Any]:
    """Filter keyword arguments for `field` being one of `values`."""
    values = list(values)
    return {f"{field}__any" if connection.vendor == "postgresql" else f"{field}__in": values}
