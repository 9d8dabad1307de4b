from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Organization, Role, User

DEMO_PASSWORD = "mockloop-demo-2026"  # noqa: S105 - printed on purpose, demo only
DEMO_ACCOUNTS = [
    # email, name, role, organization slug, staff
    ("admin@acme.test", "Ada Admin", Role.ORG_ADMIN, "acme", False),
    ("recruiter@acme.test", "Rita Recruiter", Role.RECRUITER, "acme", False),
    ("recruiter@globex.test", "Gus Globex", Role.RECRUITER, "globex", False),
    ("candidate@example.test", "Cam Candidate", Role.CANDIDATE, None, False),
    ("staff@mockloop.test", "Sam Staff", Role.CANDIDATE, None, True),
]
ORGANIZATIONS = {"acme": "Acme Robotics", "globex": "Globex Analytics"}
# A monthly LLM grading budget, so the organization's settings page shows one in use.
DEMO_BUDGET_USD = {"acme": Decimal("25.00")}


class Command(BaseCommand):
    help = "Creates demo organizations, accounts and an assessment cohort (idempotent) and prints the logins."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        orgs = {
            slug: Organization.objects.get_or_create(
                slug=slug, defaults={"name": name, "llm_budget_usd": DEMO_BUDGET_USD.get(slug)}
            )[0]
            for slug, name in ORGANIZATIONS.items()
        }
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, name, role, org_slug, staff in DEMO_ACCOUNTS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email,
                    DEMO_PASSWORD,
                    name=name,
                    role=role,
                    organization=orgs.get(org_slug) if org_slug else None,
                    is_staff=staff,
                    is_superuser=staff,
                )
            where = f" at {user.organization.name}" if user.organization else ""
            extra = " (Django admin)" if user.is_staff else ""
            self.stdout.write(f"  {email:<26} {user.get_role_display()}{where}{extra}")
        from interview.demo import TEMPLATE_TITLE, demo_cohort_seed

        recruiter = User.objects.get(email="recruiter@acme.test")
        if demo_cohort_seed(organization=orgs["acme"], recruiter=recruiter, password=DEMO_PASSWORD):
            self.stdout.write(
                f"Demo cohort: {TEMPLATE_TITLE!r} taken by four candidates at Acme; the worker grades them now. "
                "See the dashboard as recruiter@acme.test."
            )
