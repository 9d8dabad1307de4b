"""Writes for accounts: sign-up, organizations, invitations, API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal
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


def _invitable_check(*, email: str, organization: Organization | None) -> None:
    """An invite may go to a new address, to a candidate's account of no organization (who
    joins once signed in), or to a member removed from this organization (who comes back);
    never to an account of an organization."""
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None or existing.organization_id is None:
        return
    if existing.organization_id == getattr(organization, "id", None):
        if not existing.is_active:
            return
        raise ConflictError(
            "this person is already a member of your organization",
            code="already_member",
            fields={"email": ["already a member"]},
        )
    raise ConflictError(
        "this email address belongs to an account of another organization; they must use another address",
        code="account_in_organization",
        fields={"email": ["belongs to another organization"]},
    )


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
    _invitable_check(email=email, organization=invited_by.organization)
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
    """Creates the invited recruiter's account. A token works once, before it expires.

    A member removed from the organization (an inactive account) comes back with the
    invite's role and the password chosen now. An existing active account cannot accept
    this way: it signs in and joins with ``recruiter_invite_join``.
    """
    with transaction.atomic():
        invite = invite_lock(RecruiterInvite.objects.select_related("organization"), token, what="this invitation link")
        former = User.objects.filter(email__iexact=invite.email, is_active=False, organization_id=invite.organization_id).first()
        if former is not None:
            _check_password(password, former)
            former.set_password(password)
            former.is_active = True
            former.role = invite.role
            former.name = name.strip() or former.name
            former.full_clean(exclude=["password"])
            former.save()
            user = former
        else:
            if User.objects.filter(email__iexact=invite.email).exists():
                raise ConflictError(
                    "an account with this email address already exists: sign in with it to accept the invitation",
                    code="email_taken",
                    fields={"email": ["already registered"]},
                )
            user = _new_user(email=invite.email, password=password, name=name, role=invite.role, organization=invite.organization)
        _invite_mark_accepted(invite, user)
    return user


def _invite_mark_accepted(invite: RecruiterInvite, user: User) -> None:
    invite.accepted_at = timezone.now()
    invite.accepted_by = user
    invite.save(update_fields=["accepted_at", "accepted_by"])


def recruiter_invite_join(*, token: str, user: User) -> User:
    """The signed-in ``user`` (a candidate's account of no organization, with the invited
    address) joins the invite's organization with its role. Their practice history stays theirs."""
    with transaction.atomic():
        invite = invite_lock(RecruiterInvite.objects.select_related("organization"), token, what="this invitation link")
        user = User.objects.select_for_update().get(id=user.id)
        if user.email.lower() != invite.email.lower():
            raise ForbiddenError(
                f"this invitation is for {invite.email}; sign in with that account to accept it", code="invite_other_account"
            )
        if user.organization_id is not None:
            raise ConflictError("your account already belongs to an organization", code="account_in_organization")
        user.organization = invite.organization
        user.role = invite.role
        user.full_clean(exclude=["password"])
        user.save(update_fields=["organization", "role"])
        _invite_mark_accepted(invite, user)
    return user


def recruiter_invite_revoke(*, invite: RecruiterInvite, revoked_by: User) -> RecruiterInvite:
    if not revoked_by.is_org_admin or invite.organization_id != revoked_by.organization_id:
        raise NotFoundError("no such invite")
    with transaction.atomic():
        # The same row lock as accepting (``invite_lock``): an accept and a revoke of one
        # invitation run one after the other, and the status is read again under the lock,
        # so an invitation accepted meanwhile is never marked withdrawn.
        invite = RecruiterInvite.objects.select_for_update().get(id=invite.id)
        if invite.status != "pending":
            raise ApplicationError(f"this invitation is already {invite.status}", code="invite_not_pending", status_code=409)
        invite.revoked_at = timezone.now()
        invite.save(update_fields=["revoked_at"])
    return invite


# -- the organization's members and settings ------------------------------------------------


def _member_for_admin(*, admin: User, member: User) -> None:
    if not admin.is_org_admin or member.organization_id != admin.organization_id or not member.is_active:
        raise NotFoundError("no such member")
    if member.id == admin.id:
        raise ApplicationError(
            "you cannot change or remove your own membership: ask another organization admin", code="own_membership"
        )


def _last_admin_check(*, member: User) -> None:
    """Refuses to leave the organization without an active admin. The caller holds the
    organization's row lock, so two admins removing each other at once cannot both pass."""
    if member.role != Role.ORG_ADMIN:
        return
    others = User.objects.filter(organization_id=member.organization_id, role=Role.ORG_ADMIN, is_active=True).exclude(
        id=member.id
    )
    if not others.exists():
        raise ConflictError("an organization keeps at least one admin", code="last_admin")


def organization_member_remove(*, removed_by: User, member: User) -> User:
    """Removes a member: their account is deactivated (they cannot sign in, their sessions
    stop working) and their API token deleted. The account stays, in the organization, so
    that what they did (templates, invites, reviews) keeps its author; an invite to the
    same address brings them back.

    Webhook endpoints they added stay active: they belong to the organization, and only
    its admins can change or delete them. The team page says how many there are when
    removing, and the webhooks page marks their author "(removed)"."""
    _member_for_admin(admin=removed_by, member=member)
    with transaction.atomic():
        Organization.objects.select_for_update().get(id=member.organization_id)
        member = User.objects.select_for_update().get(id=member.id)
        _last_admin_check(member=member)
        member.is_active = False
        member.save(update_fields=["is_active"])
        Token.objects.filter(user=member).delete()
    return member


def organization_member_role_change(*, changed_by: User, member: User, role: str) -> User:
    """Makes a member a recruiter or an organization admin; the last admin stays one."""
    if role not in (Role.RECRUITER, Role.ORG_ADMIN):
        raise ApplicationError("a member is a recruiter or an organization admin", code="invalid", fields={"role": ["invalid"]})
    _member_for_admin(admin=changed_by, member=member)
    with transaction.atomic():
        Organization.objects.select_for_update().get(id=member.organization_id)
        member = User.objects.select_for_update().get(id=member.id)
        if role != Role.ORG_ADMIN:
            _last_admin_check(member=member)
        member.role = role
        member.full_clean(exclude=["password"])
        member.save(update_fields=["role"])
    return member


def organization_llm_budget_update(*, changed_by: User, llm_budget_usd: Decimal | None) -> Organization:
    """Sets the organization's monthly LLM grading budget (``None``: no limit)."""
    if not changed_by.is_org_admin:
        raise ForbiddenError("only an organization admin can change the budget")
    if llm_budget_usd is not None and llm_budget_usd < 0:
        raise ApplicationError("the budget cannot be negative", code="invalid", fields={"llm_budget_usd": ["zero or more"]})
    organization = changed_by.organization
    assert organization is not None
    organization.llm_budget_usd = llm_budget_usd
    try:
        organization.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            "the budget is not valid", code="invalid", fields={"llm_budget_usd": exc.message_dict.get("llm_budget_usd", [])}
        ) from None
    organization.save(update_fields=["llm_budget_usd"])
    return organization


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
