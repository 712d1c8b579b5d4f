from rest_framework import serializers

from licensing.parties.models import Customer
from licensing.policy.models import RuleChange, Simulation


class SimulationSerializer(serializers.ModelSerializer):
    """A run of the simulator: its progress and what the change would do (licensing.policy.simulator)."""

    percent_done = serializers.IntegerField(read_only=True)
    totals = serializers.SerializerMethodField(help_text="Counts over the whole book.")
    by_country = serializers.SerializerMethodField(help_text="The same counts by release country.")

    class Meta:
        model = Simulation
        fields = [
            "id",
            "status",
            "decided_on",
            "started_at",
            "finished_at",
            "subjects_done",
            "subjects_total",
            "percent_done",
            "totals",
            "by_country",
        ]

    def get_totals(self, simulation: Simulation) -> dict[str, int]:
        return simulation.results.get("totals", {})

    def get_by_country(self, simulation: Simulation) -> dict[str, dict[str, int]]:
        return simulation.results.get("by_country", {})


class RuleChangeSerializer(serializers.ModelSerializer):
    requirement = serializers.CharField(source="requirement.title", allow_null=True, default=None)
    country_group = serializers.CharField(source="country_group_id", allow_null=True)
    item = serializers.CharField(source="item.code", allow_null=True, default=None)
    customers: "serializers.SlugRelatedField[Customer]" = serializers.SlugRelatedField(
        slug_field="external_id", many=True, read_only=True
    )
    drafted_by = serializers.CharField(source="drafted_by.get_username")
    approved_by = serializers.CharField(source="approved_by.get_username", allow_null=True, default=None)
    simulation = serializers.SerializerMethodField(help_text="The latest simulation, if any.")

    class Meta:
        model = RuleChange
        fields = [
            "id",
            "kind",
            "status",
            "reason",
            "requirement",
            "country_group",
            "item",
            "customers",
            "title",
            "legal_basis",
            "scope",
            "activities",
            "drafted_by",
            "drafted_at",
            "approved_by",
            "approved_at",
            "effective_on",
            "simulation",
        ]

    def get_simulation(self, change: RuleChange) -> dict | None:
        latest = change.simulations.first()
        return SimulationSerializer(latest).data if latest is not None else None
