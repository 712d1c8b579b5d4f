"""The pre-filing checklist of an application, as the API gives it."""

from rest_framework import serializers


class ChecklistProblemSerializer(serializers.Serializer):
    block = serializers.CharField(help_text="The BIS-748P block, e.g. `16 Purchaser`.")
    field = serializers.CharField(help_text="The application's field, or the kind of record that needs the change.")
    message = serializers.CharField(help_text="What is wrong.")
    fix = serializers.CharField(help_text="How to put it right.")


class ChecklistSerializer(serializers.Serializer):
    application = serializers.CharField(help_text="The application's reference, e.g. EXD-000042.")
    ready = serializers.BooleanField(help_text="True when no problem remains and it may go for review.")
    problems = ChecklistProblemSerializer(many=True, help_text="In the order of the form's blocks.")
