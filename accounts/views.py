"""Sign-up and invitation pages; sign-in and sign-out are Django's own views."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts import services
from accounts.forms import InviteAcceptForm, SignUpForm
from accounts.models import RecruiterInvite, invite_token_hash
from config.errors import ApplicationError


def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.account_sign_up(**data)
        except ApplicationError as exc:
            form.add_error(next(iter(exc.fields), None) if exc.fields else None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    invite = RecruiterInvite.objects.select_related("organization").filter(token_hash=invite_token_hash(token)).first()
    if invite is None:
        return render(request, "registration/invite_invalid.html", {"reason": "This invitation link is not valid."}, status=404)
    if invite.status != "pending":
        return render(request, "registration/invite_invalid.html", {"reason": f"This invitation is {invite.status}."}, status=410)
    form = InviteAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.recruiter_invite_accept(
                token=token, password=form.cleaned_data["password"], name=form.cleaned_data["name"]
            )
        except ApplicationError as exc:
            form.add_error("password" if "password" in exc.fields else None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("home")
    return render(request, "registration/invite_accept.html", {"form": form, "invite": invite})
