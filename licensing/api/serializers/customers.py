from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from licensing.parties.models import Customer, Person, StatusRecord

from ..errors import UNPROCESSABLE
from .common import (
    MAX_LIST_ITEMS,
    CountryCodeField,
    EmailTextField,
    ExternalIdField,
    MomentField,
    PageSerializer,
    RegexTextField,
    StrictSerializer,
    TextField,
)


class CustomerWriteSerializer(StrictSerializer):
    """The customer as billing knows it. Its status is compliance's to set and cannot be written here."""

    kind = serializers.ChoiceField(choices=Customer.Kind.choices)
    legal_name = TextField(max_length=300)
    aliases = serializers.ListField(
        child=TextField(max_length=300), max_length=MAX_LIST_ITEMS, required=False, default=list
    )
    country_of_incorporation = CountryCodeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Where an entity is incorporated; for an individual, their residence.",
    )
    headquarters_country = CountryCodeField(required=False, allow_null=True, default=None)


class CustomerLinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    persons = serializers.CharField()


class CustomerSerializer(serializers.ModelSerializer):
    country_of_incorporation = serializers.CharField(source="country_of_incorporation_id", allow_null=True)
    headquarters_country = serializers.CharField(source="headquarters_country_id", allow_null=True)
    aliases = serializers.ListField(child=serializers.CharField())
    links = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "external_id",
            "kind",
            "legal_name",
            "aliases",
            "country_of_incorporation",
            "headquarters_country",
            "status",
            "status_reason",
            "created_at",
            "updated_at",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(CustomerLinksSerializer)
    def get_links(self, customer):
        return {
            "self": reverse("api:customer", args=[customer.external_id]),
            "persons": reverse("api:customer", args=[customer.external_id]) + "/persons",
        }


class CustomerFilterSerializer(PageSerializer):
    status = serializers.ChoiceField(choices=Customer.Status.choices, required=False)
    kind = serializers.ChoiceField(choices=Customer.Kind.choices, required=False)
    country = RegexTextField(r"^[A-Z]{2}$", required=False, help_text="Country of incorporation.")
    updated_since = MomentField(required=False)
    search = TextField(max_length=100, required=False, help_text="Part of the legal name.")


class StatusPeriodSerializer(StrictSerializer):
    country = CountryCodeField()
    acquired_on = serializers.DateField()
    ended_on = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if attrs["ended_on"] is not None and attrs["ended_on"] <= attrs["acquired_on"]:
            raise serializers.ValidationError({"ended_on": "It must come after acquired_on."}, code=UNPROCESSABLE)
        return attrs


class PersonWriteSerializer(StrictSerializer):
    """A person who gets access, with their dated citizenships and permanent residencies.

    The status history is append-only: periods sent here are added (or given
    their end date); periods left out are kept, never deleted.
    """

    relationship = serializers.ChoiceField(
        choices=[
            (Person.Relationship.CUSTOMER_USER, Person.Relationship.CUSTOMER_USER.label),
            (Person.Relationship.ACCOUNT_HOLDER, Person.Relationship.ACCOUNT_HOLDER.label),
        ],
        required=False,
        default=Person.Relationship.CUSTOMER_USER,
    )
    given_name = TextField(max_length=150)
    family_name = TextField(max_length=150)
    email = EmailTextField(max_length=254, required=False, allow_blank=True, default="")
    location_country = CountryCodeField(help_text="Where the person is located.")
    employer = ExternalIdField(
        required=False,
        allow_null=True,
        default=None,
        help_text="external_id of the customer that employs the person, if it is a customer.",
    )
    employer_name = TextField(max_length=300, required=False, allow_blank=True, default="")
    # With many=True, max_length goes to the ListSerializer DRF makes; the stubs check it against the child's __init__.
    citizenships = StatusPeriodSerializer(many=True, max_length=MAX_LIST_ITEMS, required=False, default=list)  # type: ignore[call-arg]
    residencies = StatusPeriodSerializer(  # type: ignore[call-arg]
        many=True,
        max_length=MAX_LIST_ITEMS,
        required=False,
        default=list,
        help_text="Permanent residencies (green cards and their foreign equivalents).",
    )

    def validate_employer(self, value):
        if value is not None and not Customer.objects.filter(external_id=value).exists():
            raise serializers.ValidationError(f"No customer has external_id {value}.", code=UNPROCESSABLE)
        return value


class StatusPeriodReadSerializer(serializers.Serializer):
    country = serializers.CharField(source="country_id")
    acquired_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)


class PersonSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.external_id")
    location_country = serializers.CharField(source="location_country_id")
    email = serializers.CharField(help_text="An e-mail address, or empty.")
    employer = serializers.CharField(source="employer.external_id", allow_null=True, default=None)
    citizenships = serializers.SerializerMethodField()
    residencies = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "external_id",
            "customer",
            "relationship",
            "given_name",
            "family_name",
            "email",
            "location_country",
            "employer",
            "employer_name",
            "citizenships",
            "residencies",
            "created_at",
            "updated_at",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(StatusPeriodReadSerializer(many=True))
    def get_citizenships(self, person):
        return self._periods(person, StatusRecord.Kind.CITIZENSHIP)

    @extend_schema_field(StatusPeriodReadSerializer(many=True))
    def get_residencies(self, person):
        return self._periods(person, StatusRecord.Kind.PERMANENT_RESIDENCY)

    def _periods(self, person, kind):
        return StatusPeriodReadSerializer([r for r in person.status_records.all() if r.kind == kind], many=True).data

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_links(self, person):
        customer = person.customer.external_id
        return {
            "self": reverse("api:person", args=[customer, person.external_id]),
            "customer": reverse("api:customer", args=[customer]),
        }
