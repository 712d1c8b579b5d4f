"""Serializers that parse the screening endpoints' input and describe their output in the OpenAPI schema."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from licensing.screening.matching.names import TYPES
from licensing.screening.models import EntryType, Hit, ListChange
from licensing.screening.search import MAX_LIMIT, MAX_NAME_LENGTH, MAX_THRESHOLD, MIN_THRESHOLD
from licensing.screening.services.adjudication import OUTCOMES

from .common import StrictSerializer, TextField

PROBLEM = "application/problem+json"


class SearchQuerySerializer(StrictSerializer):
    # The project's text field: its schema refuses NUL, and its length is the text's as sent.
    name = TextField(max_length=MAX_NAME_LENGTH, help_text="The name to screen.")
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=10, help_text="Most results to return.")
    type = serializers.ChoiceField(choices=TYPES, required=False, help_text="What the name is: ranks matches.")
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", required=False, help_text="ISO 3166 alpha-2 country of the subject: ranks matches."
    )
    threshold = serializers.FloatField(
        min_value=MIN_THRESHOLD,
        max_value=MAX_THRESHOLD,
        required=False,
        help_text="The score from which a listed name is a result. Default: the product's (SCREENING_MATCH_THRESHOLD).",
    )


class HitQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Hit.Status.choices, required=False, help_text="Default: awaiting adjudication."
    )
    # Bounded: past a million hits a filter, not a page, is what is wanted.
    offset = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class AdjudicationSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=list(OUTCOMES))
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class VersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    feed = serializers.CharField()
    published_on = serializers.DateField()
    # A declared field named like a Field attribute: DRF removes declared fields from the class.
    label = serializers.CharField()  # type: ignore[assignment]


class SearchResultSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The entry's name.")
    matched_name = serializers.CharField(help_text="The entry's name or alias that matched.")
    # A declared field named like a Field attribute: DRF removes declared fields from the class.
    source = serializers.CharField(help_text="The list, as the source names it.")  # type: ignore[assignment]
    list = serializers.CharField(help_text="The list's code: EL, DPL, SDN...")
    entity_number = serializers.CharField(allow_blank=True)
    type = serializers.ChoiceField(choices=EntryType.choices, allow_blank=True)
    score = serializers.FloatField(min_value=0, max_value=1)
    list_version = VersionSerializer()
    entry_key = serializers.CharField()
    countries = serializers.ListField(child=serializers.CharField())
    license_requirement = serializers.CharField(allow_blank=True)
    license_policy = serializers.CharField(allow_blank=True)
    reasons = serializers.ListField(child=serializers.CharField())


class SearchResponseSerializer(serializers.Serializer):
    threshold = serializers.FloatField(help_text="The threshold this search applied: the caller's or the default.")
    results = SearchResultSerializer(many=True)


class EntrySerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    # A declared field named like a Field attribute: DRF removes declared fields from the class.
    source = serializers.CharField()  # type: ignore[assignment]
    list = serializers.CharField()
    entity_number = serializers.CharField(allow_blank=True)
    type = serializers.CharField(allow_blank=True)
    alt_names = serializers.ListField(child=serializers.CharField())
    countries = serializers.ListField(child=serializers.CharField())
    programs = serializers.ListField(child=serializers.CharField())
    license_requirement = serializers.CharField(allow_blank=True)
    license_policy = serializers.CharField(allow_blank=True)
    federal_register_notice = serializers.CharField(allow_blank=True)
    source_list_url = serializers.CharField(allow_blank=True)


class SubjectSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="customer, person or party")
    id = serializers.IntegerField()
    name = serializers.CharField()
    external_id = serializers.CharField(required=False, allow_blank=True)
    role = serializers.CharField(required=False)
    application = serializers.IntegerField(required=False)


class HitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Hit.Status.choices)
    score = serializers.FloatField()
    subject_name = serializers.CharField()
    matched_name = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    entry = EntrySerializer()
    list_version = VersionSerializer()
    first_matched_at = serializers.DateTimeField()
    last_matched_at = serializers.DateTimeField()
    proposed_by = serializers.CharField(allow_null=True)
    proposal_reason = serializers.CharField(allow_blank=True)
    adjudicated_by = serializers.CharField(allow_null=True)
    adjudicated_at = serializers.DateTimeField(allow_null=True)
    adjudication_reason = serializers.CharField(allow_blank=True)
    subject = SubjectSerializer(required=False)


class HitPageSerializer(serializers.Serializer):
    results = HitSerializer(many=True)
    next_offset = serializers.IntegerField(allow_null=True)


class ScreeningSerializer(serializers.Serializer):
    subject = SubjectSerializer()
    screened_at = serializers.DateTimeField(allow_null=True)
    names = serializers.ListField(child=serializers.CharField())
    list_versions = serializers.ListField(child=serializers.IntegerField())
    hits = HitSerializer(many=True)


class ApplicationScreeningSerializer(serializers.Serializer):
    application = serializers.CharField()
    parties = ScreeningSerializer(many=True)


class ChangesQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ListChange.Kind.choices, required=False)
    offset = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class ListChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ListChange.Kind.choices)
    key = serializers.CharField(help_text="The entry's stable key: its list and the source's id for the party.")
    name = serializers.CharField()
    list = serializers.CharField()
    changed = serializers.ListField(child=serializers.CharField(), help_text="Of a changed entry, what changed.")
    can_add_hits = serializers.BooleanField(help_text="Added, or changed in a name, alias, type or country.")
    entry = serializers.IntegerField(allow_null=True, help_text="The entry in this version.")
    previous_entry = serializers.IntegerField(allow_null=True, help_text="The entry in the version replaced.")


class ListChangesSerializer(serializers.Serializer):
    version = VersionSerializer()
    replaces = VersionSerializer(allow_null=True)
    counts = serializers.DictField(help_text="added, removed, changed, can_add_hits; empty for a feed's first version.")
    screened_first = serializers.DictField(
        allow_null=True, help_text="The subjects the changes could affect, screened before everyone: counts, seconds."
    )
    results = ListChangeSerializer(many=True)
    next_offset = serializers.IntegerField(allow_null=True)


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField(required=False)
    title = serializers.CharField(required=False)
    status = serializers.IntegerField(required=False)
    detail = serializers.CharField(required=False)


def problems(*codes: int) -> dict:
    described = {
        400: "The input is malformed; the fields at fault are named.",
        401: "Not signed in.",
        403: "The role may not do this.",
        404: "No such record.",
        409: "The hit is not in a state that allows this.",
        422: "The country code is well formed but names no country.",
        429: "Too many requests.",
        503: "No restricted-party list is in force.",
    }
    return {
        (code, PROBLEM): OpenApiResponse(ProblemSerializer, description=described[code])
        for code in (401, 403, 429, *codes)
    }
