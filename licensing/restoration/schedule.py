"""The beat schedule of bulk intake's housekeeping, installed by a migration (see `licensing.beat`)."""

from licensing.beat import Entry

SCHEDULE = (
    Entry(
        "Restoration: delete imported files past their retention",
        "licensing.restoration.tasks.delete_imported_files_past_retention",
        # Early morning UTC, away from the working day's imports.
        minute="40",
        hour="3",
        description=(
            "Deletes each uploaded customer-book file whose import finished (or was left unstarted) more than "
            "IMPORT_FILE_RETENTION_DAYS ago; the import run keeps the file's SHA-256, name, size and report."
        ),
    ),
)
