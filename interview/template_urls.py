"""Routes of the recruiter's template pages; config/urls.py includes them under templates/."""

from __future__ import annotations

from django.urls import URLPattern, path

from interview import template_views as views

urlpatterns: list[URLPattern] = [
    path("", views.template_list, name="template-list"),
    path("new/", views.template_new, name="template-new"),
    path("<id:template_id>/", views.template_edit, name="template-edit"),
    path("<id:template_id>/preview/", views.template_preview, name="template-preview"),
    path("<id:template_id>/duplicate/", views.template_duplicate_view, name="template-duplicate"),
    path("<id:template_id>/archive/", views.template_archive_view, name="template-archive"),
    path("<id:template_id>/unarchive/", views.template_unarchive_view, name="template-unarchive"),
]
