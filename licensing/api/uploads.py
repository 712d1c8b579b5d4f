"""The one other body the API reads: multipart/form-data carrying a signed document, bounded in size.

Only the endpoints that take a document accept it; every other endpoint reads JSON alone.
"""

from django.conf import settings
from rest_framework import parsers

from .errors import PayloadTooLarge


def upload_body_limit() -> int:
    # The document's own limit, plus room for the form's text fields.
    return getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024) + settings.API_MAX_BODY_BYTES


class BoundedMultiPartParser(parsers.MultiPartParser):
    """A form with a file, refused before it is read when its declared size is over the limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = upload_body_limit()
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"The body is {int(declared)} bytes; a document upload may be at most {limit}.")
        return super().parse(stream, media_type, parser_context)
