"""Pieces every API serializer shares: strict bodies, bounded fields, reference codes."""

import datetime
import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from licensing.reference.models import Country

from ..errors import UNPROCESSABLE

# Billing's identifiers appear in URLs, so they are kept to characters that
# need no escaping there.
EXTERNAL_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,100}$"
EXTERNAL_ID_RE = re.compile(EXTERNAL_ID_PATTERN)
COUNTRY_CODE_RE = re.compile(r"^[A-Z]{2}$")
EXTERNAL_ID_HELP = "Letters, digits, '.', '_', ':' and '-'; 1 to 100 characters."
MAX_LIST_ITEMS = 20


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a misspelt field is an error rather than silently dropped."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["This field is not known."] for name in unknown})
        return super().to_internal_value(data)


class StrictTextMixin:
    """Only JSON strings are text: a number or a boolean is refused, not turned into one."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Give this as a JSON string.", code="invalid")
        # The schema's maxLength bounds the text as sent: trimming its
        # whitespace first must not let a longer value through.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class TextField(StrictTextMixin, serializers.CharField):
    pass


class SlugTextField(StrictTextMixin, serializers.SlugField):
    pass


class EmailTextField(StrictTextMixin, serializers.EmailField):
    pass


class UrlTextField(StrictTextMixin, serializers.URLField):
    pass


class StrictBooleanField(serializers.BooleanField):
    """Only true or false: the strings and numbers DRF would otherwise accept are refused."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            raise serializers.ValidationError("Give true or false.", code="invalid")
        return data


class StrictIntegerField(serializers.IntegerField):
    """Digits only (query parameters arrive as text): "1.0" or "1e3" is refused, not rounded."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not (isinstance(data, int) or (isinstance(data, str) and data.isdigit())):
            raise serializers.ValidationError("Give a whole number.", code="invalid")
        return super().to_internal_value(data)


class RegexTextField(StrictTextMixin, serializers.RegexField):
    pass


class ExternalIdField(StrictTextMixin, serializers.RegexField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", EXTERNAL_ID_HELP)
        super().__init__(
            EXTERNAL_ID_PATTERN,
            max_length=100,
            error_messages={"invalid": EXTERNAL_ID_HELP},
            **kwargs,
        )


class CountryCodeField(StrictTextMixin, serializers.RegexField):
    """An ISO 3166-1 alpha-2 code that names a country in the reference tables."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 country code, e.g. DE.")
        super().__init__(
            r"^[A-Z]{2}$",
            max_length=2,
            min_length=2,
            error_messages={"invalid": "Use a two-letter ISO 3166-1 country code in capitals, e.g. DE."},
            **kwargs,
        )

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        # The format is checked first: a malformed code never reaches the database.
        if not COUNTRY_CODE_RE.match(code):
            raise serializers.ValidationError(self.error_messages["invalid"], code="invalid")
        if not Country.objects.filter(pk=code).exists():
            raise serializers.ValidationError(f"{code} is not a known country code.", code=UNPROCESSABLE)
        return code


def external_id_problem(value: str) -> str | None:
    """Why a path's identifier cannot be one of billing's ids, or None."""
    return None if EXTERNAL_ID_RE.match(value or "") else EXTERNAL_ID_HELP


class PageSerializer(StrictSerializer):
    page = StrictIntegerField(min_value=1, max_value=1_000_000, required=False)
    page_size = StrictIntegerField(min_value=1, max_value=100, required=False)


AMOUNT_PATTERN = r"^\d{1,12}(\.\d{1,2})?$"
AMOUNT_RE = re.compile(AMOUNT_PATTERN)


@extend_schema_field(
    {
        "type": "string",
        "pattern": AMOUNT_PATTERN,
        "example": "1200.00",
        "description": "A non-negative amount as a string, at most 12 digits and 2 decimals.",
    }
)
class AmountField(serializers.DecimalField):
    """A quantity or value: a string such as "1200.00", never a JSON number, so no precision is lost."""

    default_error_messages = {"format": 'Give the amount as a string such as "1200.00" (up to 2 decimals).'}

    def __init__(self, **kwargs):
        super().__init__(max_digits=14, decimal_places=2, min_value=0, coerce_to_string=True, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not AMOUNT_RE.match(data):
            self.fail("format")
        return super().to_internal_value(data)


class MomentField(serializers.DateTimeField):
    """An RFC 3339 date-time, kept in UTC; one outside the years that can be recorded is unprocessable (422)."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=datetime.UTC, **kwargs)

    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
        except serializers.ValidationError as error:
            if error.get_codes() == ["overflow"]:
                raise serializers.ValidationError(self.error_messages["overflow"], code=UNPROCESSABLE)
            raise
        if not MOMENT_YEARS[0] <= moment.year <= MOMENT_YEARS[1]:
            raise serializers.ValidationError(
                f"Give a time between the years {MOMENT_YEARS[0]} and {MOMENT_YEARS[1]}.", code=UNPROCESSABLE
            )
        return moment


MOMENT_YEARS = (1900, 2199)
