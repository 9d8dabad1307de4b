"""Sign-up and invitation pages; sign-in and sign-out are Django's own views.

A link to sign-up or sign-in may carry ``next`` (the page to return to, such as an
assessment invitation) and ``email`` (the address the invitation was sent to, filled in
for the candidate). ``next`` is followed only to a page of this site, never elsewhere.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import services
from accounts.forms import InviteAcceptForm, SignUpForm
from accounts.models import RecruiterInvite, User, invite_token_hash
from config.errors import ApplicationError


def safe_next_url(request: HttpRequest, url: str | None) -> str:
    """``url`` if it is a path on this site, else "": an open redirect would let a crafted
    sign-up link send a new account to someone else's page."""
    if not url or not url.startswith("/"):
        return ""
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return ""
    return url


def _link_email(value: str | None) -> str:
    """The ``email`` a link carries, if it is an email address; anything else is dropped."""
    try:
        return forms.EmailField(max_length=254).clean((value or "").strip())
    except forms.ValidationError:
        return ""


def account_link_query(*, next_url: str = "", email: str = "") -> str:
    """The query string that carries ``next`` and ``email`` from sign-up to sign-in and back."""
    params = {key: value for key, value in (("next", next_url), ("email", email)) if value}
    return f"?{urlencode(params)}" if params else ""


def _sentence(message: str) -> str:
    """A service's message ("an account with this email address already exists") as the
    sentence a page shows."""
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else f"{message}."


INVITE_UNAVAILABLE = {
    "accepted": "This invitation was already used to create an account; sign in instead.",
    "revoked": "This invitation was withdrawn.",
    "expired": "This invitation has expired.",
}


def sign_up(request: HttpRequest) -> HttpResponse:
    next_url = safe_next_url(request, request.POST.get("next") or request.GET.get("next"))
    link_email = _link_email(request.GET.get("email"))
    form = SignUpForm(request.POST or None, initial={"email": link_email})
    if link_email:
        # The link came with an invitation's address: this person joins as a candidate,
        # and "Organization (recruiters only)" would only make them wonder.
        del form.fields["organization_name"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.account_sign_up(**data)
        except ApplicationError as exc:
            form.add_error(next(iter(exc.fields), None) if exc.fields else None, _sentence(exc.message))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(next_url or "home")
    typed_email = _link_email(form["email"].value()) or link_email
    return render(
        request,
        "registration/signup.html",
        {
            "form": form,
            "next": next_url,
            "link_email": link_email,
            "sign_in_query": account_link_query(next_url=next_url, email=typed_email),
        },
    )


def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """A recruiter's invitation. A new address chooses a password here; an existing
    candidate's account (of no organization) signs in first and then joins with a button;
    an account of an organization cannot accept (the invite could not be sent to it, but
    the account may have joined one since)."""
    invite = RecruiterInvite.objects.select_related("organization").filter(token_hash=invite_token_hash(token)).first()
    if invite is None:
        return render(request, "registration/invite_invalid.html", {"reason": "This invitation link is not valid."}, status=404)
    if invite.status != "pending":
        return render(
            request,
            "registration/invite_invalid.html",
            {"reason": INVITE_UNAVAILABLE.get(invite.status, "This invitation can no longer be used.")},
            status=410,
        )
    account = User.objects.filter(email__iexact=invite.email, is_active=True).first()
    if account is not None:
        return _invite_join(request, token, invite, account)
    form = InviteAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.recruiter_invite_accept(
                token=token, password=form.cleaned_data["password"], name=form.cleaned_data["name"]
            )
        except ApplicationError as exc:
            form.add_error("password" if "password" in exc.fields else None, _sentence(exc.message))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("home")
    return render(request, "registration/invite_accept.html", {"form": form, "invite": invite})


def _invite_join(request: HttpRequest, token: str, invite: RecruiterInvite, account: User) -> HttpResponse:
    """The invitation of an address that already has an account."""
    context: dict[str, object] = {"invite": invite, "account": account}
    signed_in = request.user if request.user.is_authenticated else None
    if signed_in is None:
        context["state"] = "sign_in"
        context["sign_in_query"] = account_link_query(next_url=request.path, email=invite.email)
        return render(request, "accounts/team_invite_join.html", context)
    if signed_in.id != account.id:
        context["state"] = "other_account"
        return render(request, "accounts/team_invite_join.html", context, status=403)
    if account.organization_id is not None:
        context["state"] = "in_organization"
        return render(request, "accounts/team_invite_join.html", context, status=409)
    context["state"] = "join"
    if request.method == "POST":
        try:
            services.recruiter_invite_join(token=token, user=account)
        except ApplicationError as exc:
            context["error"] = _sentence(exc.message)
            return render(request, "accounts/team_invite_join.html", context, status=exc.status_code)
        messages.success(request, f"You joined {invite.organization.name} as {invite.get_role_display().lower()}.")
        return redirect("home")
    return render(request, "accounts/team_invite_join.html", context)
