"""The team page of an organization: members, pending invites, invite, revoke, remove,
change a role. Organization admins only: for recruiters and candidates the page and
every action are a 404, as for another organization's members and invites.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors, services, webhook_selectors
from accounts.forms import MemberRoleForm, TeamInviteForm
from accounts.models import User
from config.errors import ApplicationError

INVITE_STATES = {"pending": "Pending", "accepted": "Accepted", "revoked": "Withdrawn", "expired": "Expired"}


def _sentence(message: str) -> str:
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else f"{message}."


def _endpoints_words(count: int) -> str:
    return "webhook endpoint" if count == 1 else f"{count} webhook endpoints"


def _require_org_admin(request: HttpRequest) -> User:
    user = request.user
    if not user.is_org_admin:
        raise Http404("organization admins only")
    return user


def _member(admin: User, member_id: int) -> User:
    member = selectors.organization_members(organization=admin.organization).filter(id=member_id).first()
    if member is None:
        raise Http404("no such member")
    return member


def _team_page(
    request: HttpRequest,
    admin: User,
    *,
    invite_form: TeamInviteForm | None = None,
    row_error: tuple[str, int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page; ``row_error`` (``"member"`` or ``"invite"``, its id, the sentence) shows
    a refused action next to the row it was about."""
    members = selectors.organization_members(organization=admin.organization).order_by("name", "email")
    # Shown beside "Remove": the webhook endpoints a member added outlive their removal.
    webhook_counts = webhook_selectors.webhook_endpoint_counts_by_creator(organization_id=admin.organization_id)
    members = list(members)
    for member in members:
        member.webhook_count = webhook_counts.get(member.id, 0)  # type: ignore[attr-defined]
    invites = [
        (invite, INVITE_STATES.get(invite.status, invite.status))
        for invite in selectors.invite_list(organization=admin.organization).filter(accepted_at__isnull=True)[:100]
    ]
    context = {
        "members": [(member, MemberRoleForm(initial={"role": member.role}, prefix=f"m{member.id}")) for member in members],
        "invites": invites,
        "invite_form": invite_form or TeamInviteForm(),
        "row_error": row_error,
    }
    return render(request, "accounts/team.html", context, status=status)


@login_required
def team_page(request: HttpRequest) -> HttpResponse:
    return _team_page(request, _require_org_admin(request))


@login_required
@require_POST
def team_invite(request: HttpRequest) -> HttpResponse:
    admin = _require_org_admin(request)
    form = TeamInviteForm(request.POST)
    if form.is_valid():
        try:
            invite, _ = services.recruiter_invite_create(
                invited_by=admin, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
            )
        except ApplicationError as exc:
            form.add_error("email" if "email" in exc.fields or not exc.fields else "role", _sentence(exc.message))
        else:
            messages.success(request, f"Invitation sent to {invite.email}.")
            return redirect("team-members")
    return _team_page(request, admin, invite_form=form, status=400)


@login_required
@require_POST
def team_invite_revoke(request: HttpRequest, invite_id: int) -> HttpResponse:
    admin = _require_org_admin(request)
    invite = selectors.invite_get(user=admin, invite_id=invite_id)
    if invite is None:
        raise Http404("no such invite")
    try:
        services.recruiter_invite_revoke(invite=invite, revoked_by=admin)
    except ApplicationError as exc:
        return _team_page(request, admin, row_error=("invite", invite.id, _sentence(exc.message)), status=exc.status_code)
    messages.success(request, f"The invitation to {invite.email} was withdrawn.")
    return redirect("team-members")


@login_required
@require_POST
def team_member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    admin = _require_org_admin(request)
    member = _member(admin, member_id)
    try:
        services.organization_member_remove(removed_by=admin, member=member)
    except ApplicationError as exc:
        return _team_page(request, admin, row_error=("member", member.id, _sentence(exc.message)), status=exc.status_code)
    removed = f"{member.name or member.email} was removed from {admin.organization.name}."
    endpoints = webhook_selectors.webhook_endpoint_counts_by_creator(organization_id=admin.organization_id).get(member.id, 0)
    if endpoints:
        removed += (
            f" The {_endpoints_words(endpoints)} they added stay active, managed by the organization's admins:"
            " review them on the Webhooks page."
        )
    messages.success(request, removed)
    return redirect("team-members")


@login_required
@require_POST
def team_member_role(request: HttpRequest, member_id: int) -> HttpResponse:
    admin = _require_org_admin(request)
    member = _member(admin, member_id)
    form = MemberRoleForm(request.POST, prefix=f"m{member.id}")
    if not form.is_valid():
        return _team_page(request, admin, row_error=("member", member.id, "Choose recruiter or organization admin."), status=400)
    try:
        member = services.organization_member_role_change(changed_by=admin, member=member, role=form.cleaned_data["role"])
    except ApplicationError as exc:
        return _team_page(request, admin, row_error=("member", member.id, _sentence(exc.message)), status=exc.status_code)
    messages.success(request, f"{member.name or member.email} is now {member.get_role_display().lower()}.")
    return redirect("team-members")
