"""Reads for accounts, always scoped to what the asking user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Organization, RecruiterInvite, User


def organization_members(*, organization: Organization) -> QuerySet[User]:
    return organization.members.filter(is_active=True).order_by("role", "email")


def invite_list(*, organization: Organization) -> QuerySet[RecruiterInvite]:
    return RecruiterInvite.objects.filter(organization=organization).select_related("invited_by")


def invite_get(*, user: User, invite_id: int) -> RecruiterInvite | None:
    """The invite, if it belongs to the user's organization and the user administers it."""
    if not user.is_org_admin:
        return None
    return RecruiterInvite.objects.filter(id=invite_id, organization_id=user.organization_id).first()
