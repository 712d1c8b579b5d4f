"""Fetch a list file from a path or an http(s) URL, with a size limit and a timeout."""

import gzip
import io
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from . import ListFormatError

GZIP_MAGIC = b"\x1f\x8b"
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_TIMEOUT_SECONDS = 120


def is_url(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


def read_source(location: str) -> bytes:
    """Return the bytes at `location` (a file path or an http(s) URL), or refuse with the reason."""
    location = (location or "").strip()
    if not location:
        raise ListFormatError("no file or URL given")
    limit = getattr(settings, "SCREENING_MAX_LIST_BYTES", DEFAULT_MAX_BYTES)
    if is_url(location):
        timeout = getattr(settings, "SCREENING_DOWNLOAD_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)
        request = urllib.request.Request(location, headers={"User-Agent": "ExportDesk list import"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only, checked above
                data = response.read(limit + 1)
        except urllib.error.HTTPError as error:
            raise ListFormatError(f"the server answered {error.code} {error.reason}", source=location) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ListFormatError(f"could not be downloaded ({reason})", source=location) from None
    else:
        path = Path(location)
        if not path.is_file():
            raise ListFormatError("no such file", source=location)
        if path.stat().st_size > limit:
            raise ListFormatError(f"is larger than the limit of {limit} bytes", source=location)
        data = path.read_bytes()
    if len(data) > limit:
        raise ListFormatError(f"is larger than the limit of {limit} bytes", source=location)
    return decompressed(data, limit=limit, location=location)


def decompressed(data: bytes, *, limit: int, location: str) -> bytes:
    """Return gzip-compressed data unpacked (snapshots are shipped as .gz); other data as it is."""
    if data[:2] != GZIP_MAGIC:
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as unpacked:
            # Read one byte past the limit so a compressed bomb is refused, not unpacked whole.
            data = unpacked.read(limit + 1)
    except (OSError, EOFError) as error:
        raise ListFormatError(f"is not a readable gzip file ({error})", source=location) from None
    if len(data) > limit:
        raise ListFormatError(f"unpacks to more than the limit of {limit} bytes", source=location)
    return data


def display_name(location: str) -> str:
    return location if is_url(location) else Path(location).name
