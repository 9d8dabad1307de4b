"""Accounts over the REST API: sign-up, tokens, the current user, the organization."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import RecruiterInvite, Role, User
from config.errors import ForbiddenError, NotFoundError
from config.schema import error_response


class UserOutput(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Empty for self-serve candidates."
    )

    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "organization"]


class SignUpApi(APIView):
    """Creates a candidate account, or an organization with its first admin."""

    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(write_only=True, max_length=128)
        name = serializers.CharField(max_length=150, required=False, default="")
        organization_name = serializers.CharField(
            max_length=120, required=False, help_text="Create a new organization and become its admin."
        )

    class OutputSerializer(serializers.Serializer):
        user = UserOutput()
        token = serializers.CharField()

    @extend_schema(
        request=InputSerializer,
        responses={201: OutputSerializer, 409: error_response("`email_taken`: an account with this email exists.")},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        user = services.account_sign_up(**fields)
        token = services.api_token_create(request=request._request, email=fields["email"], password=fields["password"])
        return Response(self.OutputSerializer({"user": user, "token": token.key}).data, status=status.HTTP_201_CREATED)


class TokenCreateApi(APIView):
    """Exchanges email and password for an API token (``Authorization: Token <key>``)."""

    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(write_only=True, max_length=128)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("TokenOutput", {"token": serializers.CharField()}),
            401: error_response("`invalid_credentials`: the email or password is wrong."),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Django's request, not DRF's: django-axes flags a lockout on it, and its middleware
        # (config.limits.login_lockout_response) turns the flag into a 429 login_locked.
        token = services.api_token_create(request=request._request, **data.validated_data)
        return Response({"token": token.key})


class TokenDeleteApi(APIView):
    """Signs out API clients: the token stops working."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        services.api_token_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    @extend_schema(responses=UserOutput)
    def get(self, request: Request) -> Response:
        return Response(UserOutput(request.user).data)


def _require_recruiter(user: User) -> None:
    if not user.is_recruiter:
        raise ForbiddenError("this is for recruiters of an organization")


class OrganizationDetailApi(APIView):
    class OutputSerializer(serializers.Serializer):
        name = serializers.CharField()
        slug = serializers.CharField()
        members = UserOutput(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        _require_recruiter(request.user)
        organization = request.user.organization
        members = selectors.organization_members(organization=organization)
        return Response(self.OutputSerializer({"name": organization.name, "slug": organization.slug, "members": members}).data)


class InviteOutput(serializers.ModelSerializer):
    status = serializers.CharField()
    invited_by = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)

    class Meta:
        model = RecruiterInvite
        fields = ["id", "email", "role", "status", "invited_by", "created_at", "expires_at", "accepted_at"]


class InviteListCreateApi(APIView):
    """Organization admins list and send invitations for recruiters."""

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        role = serializers.ChoiceField(choices=[Role.RECRUITER, Role.ORG_ADMIN], default=Role.RECRUITER)

    @extend_schema(responses=InviteOutput(many=True))
    def get(self, request: Request) -> Response:
        if not request.user.is_org_admin:
            raise ForbiddenError("only an organization admin can see invitations")
        invites = selectors.invite_list(organization=request.user.organization)
        return Response(InviteOutput(invites, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: InviteOutput, 409: error_response("`email_taken`: an account with this email exists.")},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invite, _ = services.recruiter_invite_create(invited_by=request.user, **data.validated_data)
        return Response(InviteOutput(invite).data, status=status.HTTP_201_CREATED)


class InviteRevokeApi(APIView):
    @extend_schema(
        request=None,
        responses={200: InviteOutput, 409: error_response("`invite_not_pending`: it was accepted, revoked or expired.")},
    )
    def post(self, request: Request, invite_id: int) -> Response:
        invite = selectors.invite_get(user=request.user, invite_id=invite_id)
        if invite is None:
            raise NotFoundError("no such invite")
        invite = services.recruiter_invite_revoke(invite=invite, revoked_by=request.user)
        return Response(InviteOutput(invite).data)


class InviteAcceptApi(APIView):
    """Creates the invited recruiter's account from the emailed token."""

    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        token = serializers.CharField(max_length=200)
        password = serializers.CharField(write_only=True, max_length=128)
        name = serializers.CharField(max_length=150, required=False, default="")

    @extend_schema(
        request=InputSerializer,
        responses={
            201: SignUpApi.OutputSerializer,
            404: error_response("`invite_invalid`: no invitation has this token."),
            409: error_response("`email_taken`: an account with this email exists."),
            410: error_response("`invite_accepted`, `invite_expired`, `invite_revoked`: the link was used, expired or revoked."),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.recruiter_invite_accept(**data.validated_data)
        token = services.api_token_create(request=request._request, email=user.email, password=data.validated_data["password"])
        return Response(SignUpApi.OutputSerializer({"user": user, "token": token.key}).data, status=status.HTTP_201_CREATED)
