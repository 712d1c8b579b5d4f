"""Import the Consolidated Screening List or OFAC's SDN files from paths or URLs, showing progress."""

import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from licensing.screening.importers.sources import is_url
from licensing.screening.models import Feed, ListImport
from licensing.screening.services.imports import request_import, run_import

OFAC_FILES = ("sdn", "alt", "add")


def _in_directory(base: str, name: str) -> str:
    """The file NAME.csv under a directory or base URL, or NAME.csv.gz where only that is on disk."""
    plain = f"{base}/{name}.csv"
    if not is_url(base) and not Path(plain).exists() and Path(f"{plain}.gz").exists():
        return f"{plain}.gz"
    return plain


class Command(BaseCommand):
    help = (
        "Import a restricted-party list as a new dated version. "
        "CSL: import_screening_list csl FILE_OR_URL (CSV or JSON). "
        "OFAC: import_screening_list ofac --sdn ... --alt ... --add ... (or --ofac-dir DIR_OR_URL). "
        "Files may be gzip-compressed."
    )

    def add_arguments(self, parser):
        parser.add_argument("feed", choices=("csl", "ofac"))
        parser.add_argument("location", nargs="?", help="The CSL file or URL.")
        parser.add_argument("--format", choices=("csv", "json"), default="", help="Default: tell by the file.")
        parser.add_argument(
            "--published-on", help="The list's date, YYYY-MM-DD (default: from the file name, else today)."
        )
        for name in OFAC_FILES:
            parser.add_argument(f"--{name}", help=f"OFAC {name}.csv file or URL.")
        parser.add_argument("--ofac-dir", help="A directory or base URL holding sdn.csv, alt.csv and add.csv.")
        parser.add_argument("--queue", action="store_true", help="Hand the import to a Celery worker and return.")

    def handle(self, *args, **options):
        feed = Feed.CSL if options["feed"] == "csl" else Feed.OFAC_SDN
        if feed == Feed.CSL:
            if options["ofac_dir"] or any(options[name] for name in OFAC_FILES):
                raise CommandError("--sdn, --alt, --add and --ofac-dir are for the ofac feed.")
            sources = {"list": options["location"] or ""}
        else:
            if options["location"]:
                raise CommandError("For OFAC give --sdn, --alt and --add, or --ofac-dir.")
            base = (options["ofac_dir"] or "").rstrip("/")
            sources = {name: options[name] or (_in_directory(base, name) if base else "") for name in OFAC_FILES}
        published_on = None
        if options["published_on"]:
            try:
                published_on = datetime.date.fromisoformat(options["published_on"])
            except ValueError:
                raise CommandError(f"--published-on {options['published_on']!r} is not a date like 2026-07-31.")
        try:
            run = request_import(
                actor=None,
                feed=feed,
                sources=sources,
                file_format=options["format"],
                published_on=published_on,
                enqueue=options["queue"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()))
        if options["queue"]:
            self.stdout.write(f"Queued import #{run.pk}; follow it on /screening/imports/{run.pk}/.")
            return
        self._report(run_import(run.pk, progress=self._progress()))

    def _progress(self):
        shown = {"phase": None, "tenth": -1}

        def show(run: ListImport):
            tenth = run.percent // 10
            if run.phase and (run.phase != shown["phase"] or (run.total and tenth != shown["tenth"])):
                counted = f" {run.processed:,}/{run.total:,} ({run.percent}%)" if run.total else ""
                self.stdout.write(f"  {run.phase}{counted}")
                shown.update(phase=run.phase, tenth=tenth)

        return show

    def _report(self, run: ListImport):
        if run.status == ListImport.Status.FAILED:
            raise CommandError(f"Refused: {run.error}")
        version = run.version
        if run.status == ListImport.Status.UNCHANGED:
            self.stdout.write(self.style.WARNING(f"Unchanged: {version} already has these entries; nothing imported."))
            return
        assert version is not None, "an import that went into force made a version"
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {version}: {version.entry_count:,} entries from {version.row_count:,} rows; now in force."
            )
        )
        for code, entries, rows in version.counts_by_list():
            self.stdout.write(f"  {code:8} {entries:>7,} entries  {rows:>7,} rows")
