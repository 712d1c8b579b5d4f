"""Files appear whole under a new name or not at all."""

import pytest

from licensing.filings import storage


def test_a_published_file_appears_whole_under_a_new_name(settings):
    first = storage.publish("filings/7", "EXD-000007-bis_748p-v1", ".pdf", lambda handle: handle.write(b"first"))
    second = storage.publish("filings/7", "EXD-000007-bis_748p-v1", ".pdf", lambda handle: handle.write(b"second"))
    assert first != second
    assert storage.media_path(first).read_bytes() == b"first"
    assert storage.media_path(second).read_bytes() == b"second"
    assert sorted(p.name for p in storage.media_path("filings/7").iterdir()) == sorted(
        [first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]]
    )


def test_a_write_that_fails_half_way_leaves_no_file(settings):
    def write_half(handle):
        handle.write(b"%PDF-1.7 half a document")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        storage.publish("filings/8", "EXD-000008-bis_748p-v1", ".pdf", write_half)
    assert list(storage.media_path("filings/8").iterdir()) == []


def test_a_name_outside_the_media_root_is_refused(settings):
    with pytest.raises(ValueError, match="outside the media root"):
        storage.media_path("../../etc/passwd")
