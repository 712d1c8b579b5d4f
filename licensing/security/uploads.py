"""Checks on uploaded files: type by content, never by name, and a size limit."""

import secrets

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

# Evidence and supporting documents: scans, photographs and PDFs only.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/tiff": "tif",
}


def validate_upload(uploaded, *, field: str = "file") -> str:
    """Return the MIME type of an acceptable upload, or raise ValidationError naming the field."""
    limit = getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
    if uploaded is None or uploaded.size == 0:
        raise ValidationError({field: "The file is empty."})
    if uploaded.size > limit:
        raise ValidationError({field: f"The file is {uploaded.size:,} bytes; the limit is {limit:,}."})
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        found = kind.mime if kind else "unrecognised content"
        raise ValidationError(
            {field: f"Only PDF, PNG, JPEG or TIFF files are accepted; this file is {found}, whatever its name."}
        )
    return kind.mime


def storage_token() -> str:
    """A random name for a stored file, so the name reveals nothing about the person."""
    return secrets.token_hex(16)
