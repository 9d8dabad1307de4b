"""Routes of this area's pages; config/urls.py includes them."""

from __future__ import annotations

from django.urls import URLPattern, path

from review.review_queue_views import review_queue_page

urlpatterns: list[URLPattern] = [
    path("", review_queue_page, name="review-queue"),
]
