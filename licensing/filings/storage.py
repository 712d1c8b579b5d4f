"""Files under MEDIA_ROOT that appear whole or not at all, and never replace one another.

A file is written to a temporary name in its final directory, flushed to
disk, then hard-linked to a name nobody has used; the link fails rather
than replace an existing file. A crash or an error at any point leaves at
most a temporary file, never a half-written one under a real name.
"""

import hashlib
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

CHUNK = 1024 * 1024
PARTIAL_PREFIX = ".partial-"


def media_path(name: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"{name!r} is outside the media root")
    return path


def publish(directory: str, stem: str, suffix: str, write: Callable[[BinaryIO], object]) -> str:
    """Write a new file with `write(handle)` and return its name relative to MEDIA_ROOT."""
    target_dir = media_path(directory)
    target_dir.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target_dir, prefix=PARTIAL_PREFIX, suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        # The random part makes every attempt's name new, so two deliveries of
        # the same task never race for one name.
        name = f"{directory}/{stem}-{secrets.token_hex(4)}{suffix}"
        os.link(temporary, media_path(name))
    finally:
        os.unlink(temporary)
    _sync_directory(target_dir)
    return name


def _sync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove(name: str) -> None:
    if name:
        media_path(name).unlink(missing_ok=True)


def file_sha256(name: str) -> tuple[str, int]:
    """Return the SHA-256 and size of a stored file."""
    digest, size = hashlib.sha256(), 0
    with media_path(name).open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
