"""Routes of this area's pages; config/urls.py includes them under dashboard/."""

from __future__ import annotations

from django.urls import URLPattern, path

from review import dashboard_views, invite_views

urlpatterns: list[URLPattern] = [
    path("invites/", invite_views.invites_page, name="candidate-invites"),
    path("invites/bulk/", invite_views.invites_bulk, name="candidate-invites-bulk"),
    path("invites/<id:invite_id>/resend/", invite_views.invite_resend, name="candidate-invite-resend"),
    path("invites/<id:invite_id>/revoke/", invite_views.invite_revoke, name="candidate-invite-revoke"),
    path("export.csv", dashboard_views.dashboard_export_csv, name="dashboard-export-csv"),
    path("export.xlsx", dashboard_views.dashboard_export_xlsx, name="dashboard-export-xlsx"),
]
