"""manage.py import_people FILE [--dry-run] [--kind TABLE]"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from people.importers import ImportReport, Table, import_file


class Command(BaseCommand):
    help = gettext_lazy(
        "Import org units, people, leadership teams and memberships from a CSV or XLSX file. "
        "Nothing is written if any row is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=gettext_lazy("The CSV or XLSX file to import."))
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext_lazy("Report what would change without writing anything.")
        )
        parser.add_argument(
            "--kind",
            choices=Table.values,
            help=gettext_lazy("Read every sheet as this table instead of telling it from the header row."),
        )

    def handle(self, *args: Any, file: Path, dry_run: bool, kind: str | None, **options: Any) -> None:
        try:
            stream = file.open("rb")
        except OSError as exc:
            raise CommandError(_("Cannot open %(file)s: %(error)s") % {"file": file, "error": exc.strerror}) from exc
        with stream:
            report = import_file(file=stream, filename=file.name, dry_run=dry_run, kind=kind)
        self._print(report, verbosity=options["verbosity"])
        if not report.ok:
            count = len(report.errors)
            message = ngettext("%(count)d error; nothing was written.", "%(count)d errors; nothing was written.", count)
            raise CommandError(message % {"count": count})

    def _print(self, report: ImportReport, *, verbosity: int) -> None:
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.ok:
            return
        for table, counts in report.counts:
            self.stdout.write(
                _("%(table)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
                % {"table": table.label, **counts}
            )
        # Unchanged rows are the bulk of a re-import; list them only when asked to.
        for change in report.rows if verbosity > 1 else report.changed_rows:
            self.stdout.write(
                f"  {change.action.label}: {change.table.label} · {change.sheet} "
                + _("row %(row)d") % {"row": change.row}
                + f" · {change.key}"
            )
        if report.dry_run:
            self.stdout.write(self.style.WARNING(_("Dry run: nothing was written.")))
        else:
            self.stdout.write(self.style.SUCCESS(_("Import complete.")))
