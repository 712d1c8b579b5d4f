"""Checks on uploaded files: type by content, never by name, and a size limit."""

import secrets
from pathlib import PurePath

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
# Served for a stored file whose content is no longer one of the allowed
# types: the browser downloads it and never renders it.
UNKNOWN_TYPE = "application/octet-stream"
_HEAD_BYTES = 8192


def validate_upload(uploaded, *, field: str = "file") -> str:
    """Return the MIME type of an acceptable upload, or raise ValidationError naming the field."""
    limit = getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
    if uploaded is None or uploaded.size == 0:
        raise ValidationError({field: "The file is empty."})
    if uploaded.size > limit:
        raise ValidationError({field: f"The file is {uploaded.size:,} bytes; the limit is {limit:,}."})
    uploaded.seek(0)
    head = uploaded.read(_HEAD_BYTES)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        found = kind.mime if kind else "unrecognised content"
        raise ValidationError(
            {field: f"Only PDF, PNG, JPEG or TIFF files are accepted; this file is {found}, whatever its name."}
        )
    return kind.mime


def name_for_type(name: str | None, mime: str) -> str:
    """Return `name` with the extension of its detected type, so no name can claim another type."""
    extension = ALLOWED_TYPES.get(mime)
    # Short enough that the extension always fits a 255-character name column.
    stem = (PurePath(name or "upload").stem or "upload")[:200]
    if extension is None:
        return stem
    return f"{stem}.{extension}"


def served_type(handle) -> str:
    """Return the MIME type to serve a stored file with, read from its content (never from a name)."""
    head = handle.read(_HEAD_BYTES)
    handle.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        return UNKNOWN_TYPE
    return kind.mime


def storage_token() -> str:
    """A random name for a stored file, so the name reveals nothing about the person."""
    return secrets.token_hex(16)
