"""Organizations, users with roles, and invitations of recruiters."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Organization(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # What the LLM grader may spend for this organization; empty: no limit.
    llm_budget_usd = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    RECRUITER = "recruiter", "Recruiter"
    ORG_ADMIN = "org_admin", "Organization admin"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        if not email:
            raise ValueError("an email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractUser):
    """A person who signs in with their email address.

    Candidates may belong to no organization (self-serve practice); recruiters and
    organization admins always belong to exactly one.
    """

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CANDIDATE)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="members")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(role="candidate") | Q(organization__isnull=False),
                name="user_staff_role_needs_organization",
            )
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_recruiter(self) -> bool:
        """Recruiters and organization admins act for their organization."""
        return self.role in (Role.RECRUITER, Role.ORG_ADMIN) and self.organization_id is not None

    @property
    def is_org_admin(self) -> bool:
        return self.role == Role.ORG_ADMIN and self.organization_id is not None


def invite_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RecruiterInvite(models.Model):
    """A single-use invitation for a recruiter to join an organization.

    Only the hash of the token is stored: the link in the email is the only copy.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField()
    role = models.CharField(
        max_length=20, choices=[(Role.RECRUITER, "Recruiter"), (Role.ORG_ADMIN, "Organization admin")], default=Role.RECRUITER
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization_id} ({self.status})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class WebhookEvent(models.TextChoices):
    SESSION_FINISHED = "session.finished", "An assessment session finished"
    SESSION_GRADED = "session.graded", "An assessment session got its score"


class WebhookEndpoint(models.Model):
    """An organization's URL that receives signed events (see docs/api.md, Webhooks)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    # Kept in clear, unlike invite tokens: every delivery is signed with it (HMAC needs
    # the key itself). The API shows it only at creation and on rotation.
    secret = models.CharField(max_length=100)
    # After a rotation with a grace period the replaced secret also signs every delivery
    # until ``previous_secret_expires_at``, so that receivers can switch without a gap.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    events = models.JSONField(default=list, help_text="The event types sent to this URL.")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.url} ({self.organization_id})"

    def signing_secrets(self, *, now: datetime | None = None) -> list[str]:
        """The secrets that sign a delivery now: the current one first, then the replaced
        one while its grace period lasts."""
        now = now or timezone.now()
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            return [self.secret, self.previous_secret]
        return [self.secret]

    @property
    def grace_ends_at(self) -> datetime | None:
        """When the replaced secret stops signing, if it still does."""
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > timezone.now():
            return self.previous_secret_expires_at
        return None


class WebhookDelivery(models.Model):
    """One event for one endpoint, with every attempt to send it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    # The same for every attempt (and every endpoint) of one event: the receiver's idempotency key.
    event_id = models.UUIDField()
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # Pending: when the next attempt may start (while one runs: when its claim lapses).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    attempt_log = models.JSONField(default=list, blank=True, help_text="Every attempt: when, status code, error, duration.")
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_event_unique")]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} {self.event_id} → {self.endpoint_id} ({self.status})"
