"""Writes for accounts: sign-up, organizations, invitations, API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify
from rest_framework.authtoken.models import Token

from accounts.models import Organization, RecruiterInvite, Role, User, invite_token_hash
from config.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code="weak_password", fields={"password": exc.messages}) from None


def _new_user(*, email: str, password: str, name: str, role: str, organization: Organization | None) -> User:
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ConflictError(
            "an account with this email address already exists", code="email_taken", fields={"email": ["already registered"]}
        )
    user = User(email=email, name=name.strip(), role=role, organization=organization)
    _check_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        user.save()
    except IntegrityError:
        raise ConflictError("an account with this email address already exists", code="email_taken") from None
    return user


def candidate_sign_up(*, email: str, password: str, name: str = "") -> User:
    """A self-serve candidate account, belonging to no organization."""
    return _new_user(email=email, password=password, name=name, role=Role.CANDIDATE, organization=None)


def _unique_org_slug(name: str) -> str:
    base = slugify(name)[:50] or "org"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def organization_create(*, name: str, admin_email: str, admin_password: str, admin_name: str = "") -> User:
    """A new organization with its first admin; returns the admin."""
    name = name.strip()
    if len(name) < 2:
        raise ApplicationError(
            "the organization name is too short", code="invalid", fields={"organization_name": ["at least 2 characters"]}
        )
    organization = Organization(name=name, slug=_unique_org_slug(name))
    organization.full_clean()
    organization.save()
    return _new_user(email=admin_email, password=admin_password, name=admin_name, role=Role.ORG_ADMIN, organization=organization)


def account_sign_up(*, email: str, password: str, name: str = "", organization_name: str = "") -> User:
    """Self-serve sign-up: a candidate, or with an organization name, that organization's first admin."""
    if organization_name:
        return organization_create(name=organization_name, admin_email=email, admin_password=password, admin_name=name)
    return candidate_sign_up(email=email, password=password, name=name)


def recruiter_invite_create(*, invited_by: User, email: str, role: str = Role.RECRUITER) -> tuple[RecruiterInvite, str]:
    """Invites someone to the inviter's organization and emails them a single-use link.

    Returns the invite and the raw token (stored only as a hash).
    """
    if not invited_by.is_org_admin:
        raise ForbiddenError("only an organization admin can invite recruiters")
    if role not in (Role.RECRUITER, Role.ORG_ADMIN):
        raise ApplicationError(
            f"an invite is for a recruiter or an organization admin, not {role!r}",
            code="invalid",
            fields={"role": ["invalid choice"]},
        )
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ConflictError(
            "an account with this email address already exists", code="email_taken", fields={"email": ["already registered"]}
        )
    token = secrets.token_urlsafe(32)
    invite = RecruiterInvite(
        organization=invited_by.organization,
        email=email,
        role=role,
        token_hash=invite_token_hash(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(hours=settings.INVITE_TTL_HOURS),
    )
    invite.full_clean()
    with transaction.atomic():
        invite.save()
        from accounts.tasks import invite_email_send

        # The email goes out only once the invite is really in the database.
        invite_email_send.delay_on_commit(invite.id, token)
    return invite, token


def invite_lock(invites: QuerySet[Any], token: str, *, what: str) -> Any:
    """The pending invitation with this token (a recruiter's or an assessment's), locked
    until the transaction ends, so a link can be used only once even by two tabs at once."""
    invite = invites.select_for_update().filter(token_hash=invite_token_hash(token)).first()
    if invite is None:
        raise NotFoundError(f"{what} is not valid", code="invite_invalid")
    if invite.status != "pending":
        raise ApplicationError(f"{what} cannot be used: it is {invite.status}", code=f"invite_{invite.status}", status_code=410)
    return invite


def recruiter_invite_accept(*, token: str, password: str, name: str = "") -> User:
    """Creates the invited recruiter's account. A token works once, before it expires."""
    with transaction.atomic():
        invite = invite_lock(RecruiterInvite.objects.select_related("organization"), token, what="this invitation link")
        user = _new_user(email=invite.email, password=password, name=name, role=invite.role, organization=invite.organization)
        invite.accepted_at = timezone.now()
        invite.accepted_by = user
        invite.save(update_fields=["accepted_at", "accepted_by"])
    return user


def recruiter_invite_revoke(*, invite: RecruiterInvite, revoked_by: User) -> RecruiterInvite:
    if not revoked_by.is_org_admin or invite.organization_id != revoked_by.organization_id:
        raise NotFoundError("no such invite")
    if invite.status != "pending":
        raise ApplicationError(f"this invitation is already {invite.status}", code="invite_not_pending", status_code=409)
    invite.revoked_at = timezone.now()
    invite.save(update_fields=["revoked_at"])
    return invite


def api_token_create(*, request: HttpRequest, email: str, password: str) -> Token:
    """Exchanges an email and password for the user's API token. The request lets the
    sign-in lockout (django-axes) count failures by email and address, as on the sign-in page."""
    user = authenticate(request, username=email.strip().lower(), password=password)
    if user is None:
        raise ApplicationError("the email or password is wrong", code="invalid_credentials", status_code=401)
    token, _ = Token.objects.get_or_create(user=user)
    return token


def api_token_delete(*, user: User) -> None:
    Token.objects.filter(user=user).delete()
