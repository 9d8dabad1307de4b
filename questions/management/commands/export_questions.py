from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organization
from questions.services import bank_export


class Command(BaseCommand):
    help = "Writes the current version of every question in the bank's file format."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", type=Path)
        parser.add_argument("--organization", help="export this organization's private questions instead of the public bank")

    def handle(self, *args: object, out_dir: Path, organization: str | None, **options: object) -> None:
        org = None
        if organization:
            org = Organization.objects.filter(slug=organization).first()
            if org is None:
                raise CommandError(f"--organization: no organization with slug {organization!r}")
        if out_dir.exists() and any(out_dir.iterdir()):
            raise CommandError(f"{out_dir} is not empty; export into a new or empty folder")
        folders = bank_export(out_dir=out_dir, organization=org)
        self.stdout.write(self.style.SUCCESS(f"Exported {len(folders)} questions to {out_dir}"))
