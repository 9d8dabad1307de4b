from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organization
from questions.bank_format import BankInvalid
from questions.services import bank_import


class Command(BaseCommand):
    help = "Validates and imports question folders (all or nothing). See docs/question-format.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a bank, a track folder or one question folder")
        parser.add_argument("--organization", help="slug of the organization that owns these private questions")

    def handle(self, *args: object, path: Path, organization: str | None, **options: object) -> None:
        org = None
        if organization:
            org = Organization.objects.filter(slug=organization).first()
            if org is None:
                raise CommandError(f"--organization: no organization with slug {organization!r}")
        try:
            report = bank_import(root=path, organization=org)
        except BankInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"nothing imported: {len(exc.errors)} problem(s) in {path}") from None
        self.stdout.write(self.style.SUCCESS(f"Imported {path}: {report}"))
