"""How the OpenAPI schema describes the API's authentication and its docs page."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "licensing.api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token issued with `manage.py issue_api_token NAME --role ROLE`.",
        }


class StaffSessionScheme(OpenApiAuthenticationExtension):
    target_class = "licensing.api.authentication.StaffSessionAuthentication"
    name = "staffSession"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "A signed-in staff member's session; unsafe methods also need the X-CSRFToken header.",
        }


# Text fields refuse NUL (PostgreSQL cannot store it), and a required one
# needs more than whitespace (it is trimmed); the schema says so, so
# generated clients never send such text.
PLAIN_TEXT_PATTERN = "^[^\\u0000]*$"
NON_BLANK_TEXT_PATTERN = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


class StrictBodyScheme(OpenApiSerializerExtension):
    """Request bodies refuse fields they do not know and text they cannot store, and the schema says so."""

    target_class = "licensing.api.serializers.common.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        for field in schema.get("properties", {}).values():
            _constrain_text(field)
            _constrain_text(field.get("items", {}))
        return schema


def _constrain_text(field: dict) -> None:
    if field.get("type") == "string" and not {"pattern", "enum", "format"} & set(field):
        field["pattern"] = NON_BLANK_TEXT_PATTERN if field.get("minLength", 0) >= 1 else PLAIN_TEXT_PATTERN
