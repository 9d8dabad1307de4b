"""Routes of the organization's pages; config/urls.py includes them at ``organization/``.

Settings are a review page (it shows the LLM grading spend, from grading); team and
webhooks are accounts' pages, routed here so the three share one prefix.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from accounts import team_views, webhook_views
from review import organization_views

urlpatterns: list[URLPattern] = [
    path("", organization_views.organization_page, name="organization"),
    path("team/", team_views.team_page, name="team-members"),
    path("team/invites/", team_views.team_invite, name="team-invite"),
    path("team/invites/<id:invite_id>/revoke/", team_views.team_invite_revoke, name="team-invite-revoke"),
    path("team/members/<id:member_id>/remove/", team_views.team_member_remove, name="team-member-remove"),
    path("team/members/<id:member_id>/role/", team_views.team_member_role, name="team-member-role"),
    path("webhooks/", webhook_views.webhook_list, name="webhook-list"),
    path("webhooks/<id:endpoint_id>/", webhook_views.webhook_detail, name="webhook-detail"),
    path("webhooks/<id:endpoint_id>/delete/", webhook_views.webhook_delete, name="webhook-delete"),
    path("webhooks/<id:endpoint_id>/rotate/", webhook_views.webhook_rotate, name="webhook-rotate"),
    path("webhooks/deliveries/<id:delivery_id>/redeliver/", webhook_views.webhook_redeliver, name="webhook-redeliver"),
]
