"""The recruiter's invitations page: invite one candidate or many, see every invitation
of the organization, send one again or revoke it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from config.api import MAX_ID
from config.errors import ApplicationError, NotFoundError
from interview.invite_selectors import invite_templates_for, invites_for
from interview.models import AssessmentInvite
from interview.services import invites as invite_services

PAGE_SIZE = 25
STATE_LABELS = {"pending": "Pending", "used": "Used", "expired": "Expired", "revoked": "Revoked"}


def _require_recruiter(request: HttpRequest) -> None:
    # 404 rather than 403: the page does not exist for candidates (as the dashboard).
    if not request.user.is_recruiter:
        raise Http404("recruiters only")


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


class _TemplateChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.title if obj.organization_id else f"{obj.title} (public)"


class InviteOneForm(forms.Form):
    template = _TemplateChoice(queryset=None, empty_label="Choose a template")
    email = forms.EmailField(max_length=254)
    name = forms.CharField(max_length=150, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="one", **kwargs)
        self.fields["template"].queryset = invite_templates_for(user)


class InviteBulkForm(forms.Form):
    template = _TemplateChoice(queryset=None, empty_label="Choose a template")
    lines = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}), max_length=invite_services.BULK_MAX_BYTES)
    file = forms.FileField(required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="bulk", **kwargs)
        self.fields["template"].queryset = invite_templates_for(user)
        self.candidates: list[invite_services.Candidate] = []
        self.line_errors: list[invite_services.LineError] = []
        self.source = "lines"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        text = data.get("lines") or ""
        if upload is not None:
            self.source = "file"
            if upload.size > invite_services.BULK_MAX_BYTES:
                self.add_error("file", f"The file is larger than {invite_services.size_label(invite_services.BULK_MAX_BYTES)}.")
                return data
            self.candidates, self.line_errors = invite_services.invite_csv_parse(upload.read(invite_services.BULK_MAX_BYTES + 1))
            field = "file"
        elif text.strip():
            self.candidates, self.line_errors = invite_services.invite_lines_parse(text)
            field = "lines"
        else:
            self.add_error("lines", "Paste at least one line, or choose a CSV file.")
            return data
        if self.line_errors:
            count = len(self.line_errors)
            self.add_error(field, f"{count} line{'s' if count != 1 else ''} cannot be invited, so nobody was invited yet.")
        elif not self.candidates:
            self.add_error(field, "There is no email address in it.")
        return data


class InviteListFilter(forms.Form):
    status = forms.ChoiceField(choices=[("", "any state"), *STATE_LABELS.items()], required=False, label="State")
    template = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)


def _invite_row(invite: AssessmentInvite) -> dict[str, Any]:
    session = getattr(invite, "session", None)
    return {"invite": invite, "status": invite.status, "status_label": STATE_LABELS[invite.status], "session": session}


def _page(request: HttpRequest, *, one: InviteOneForm, bulk: InviteBulkForm, status: int = 200) -> HttpResponse:
    filters = InviteListFilter(request.GET)
    chosen: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    invites = invites_for(request.user, state=chosen.get("status") or None, template=chosen.get("template"))
    page = Paginator(invites, PAGE_SIZE).get_page(request.GET.get("page"))
    values = {name: request.GET.get(name, "") for name in ("status", "template")}
    query = urlencode({name: value for name, value in values.items() if value})
    context = {
        "one": one,
        "bulk": bulk,
        "page": page,
        "rows": [_invite_row(invite) for invite in page],
        "filters": filters,
        "values": values,
        "query": query,
        "states": list(STATE_LABELS.items()),
        "list_templates": invite_templates_for(request.user).filter(id__in=invites_for(request.user).values("template_id")),
        "bulk_max_rows": invite_services.BULK_MAX_ROWS,
        "bulk_max_size": invite_services.size_label(invite_services.BULK_MAX_BYTES),
    }
    return render(request, "review/invites.html", context, status=status)


def _back(request: HttpRequest) -> HttpResponse:
    # Back to the list as it was filtered (the query travels in the form's action).
    query = request.GET.urlencode()
    response = redirect("candidate-invites")
    if query:
        response["Location"] += "?" + query
    return response


@login_required
def invites_page(request: HttpRequest) -> HttpResponse:
    """The invitations page; a POST invites one candidate."""
    _require_recruiter(request)
    one = InviteOneForm(request.POST or None, user=request.user)
    bulk = InviteBulkForm(user=request.user)
    if request.method == "POST":
        if one.is_valid():
            try:
                invite, _ = invite_services.assessment_invite_create(
                    invited_by=request.user,
                    template=one.cleaned_data["template"],
                    email=one.cleaned_data["email"],
                    candidate_name=one.cleaned_data["name"],
                )
            except ApplicationError as exc:
                # A bad address or name is said next to its field; anything else above the form.
                fields = {"email": "email", "candidate_name": "name"}
                field = next((fields[name] for name in exc.fields if name in fields), None)
                one.add_error(field, _sentence(exc.message))
            else:
                messages.success(request, f"Invitation to “{invite.template.title}” sent to {invite.email}.")
                return _back(request)
        return _page(request, one=one, bulk=bulk, status=400)
    return _page(request, one=one, bulk=bulk)


@login_required
@require_POST
def invites_bulk(request: HttpRequest) -> HttpResponse:
    """Invites every line of a paste or CSV file, or nobody when any line is wrong."""
    _require_recruiter(request)
    one = InviteOneForm(user=request.user)
    bulk = InviteBulkForm(request.POST, request.FILES, user=request.user)
    if bulk.is_valid():
        try:
            made = invite_services.assessment_invites_bulk_create(
                invited_by=request.user, template=bulk.cleaned_data["template"], candidates=bulk.candidates
            )
        except ApplicationError as exc:
            bulk.add_error(None, _sentence(exc.message))
        else:
            count = len(made)
            messages.success(
                request, f"{count} invitation{'s' if count != 1 else ''} to “{bulk.cleaned_data['template'].title}” sent."
            )
            return _back(request)
    return _page(request, one=one, bulk=bulk, status=400)


def _act(request: HttpRequest, invite_id: int, action: str) -> HttpResponse:
    _require_recruiter(request)
    try:
        if action == "resend":
            invite, _ = invite_services.assessment_invite_resend(by=request.user, invite_id=invite_id)
            messages.success(request, f"Invitation sent again to {invite.email}, with a new link; the old link no longer works.")
        else:
            invite = invite_services.assessment_invite_revoke(by=request.user, invite_id=invite_id)
            messages.success(request, f"Invitation of {invite.email} revoked; its link no longer works.")
    except NotFoundError as exc:
        raise Http404("no such invitation") from exc
    except ApplicationError as exc:
        # Used or revoked already (a conflict): said, and the list shows why.
        messages.error(request, _sentence(exc.message))
    return _back(request)


@login_required
@require_POST
def invite_resend(request: HttpRequest, invite_id: int) -> HttpResponse:
    return _act(request, invite_id, "resend")


@login_required
@require_POST
def invite_revoke(request: HttpRequest, invite_id: int) -> HttpResponse:
    return _act(request, invite_id, "revoke")
