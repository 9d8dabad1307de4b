from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Organization, RecruiterInvite, User, WebhookDelivery, WebhookEndpoint


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "role", "organization", "is_staff", "is_active"]
    list_filter = ["role", "organization", "is_staff", "is_active"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "role", "organization"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "role", "organization", "password1", "password2"]})]


@admin.register(RecruiterInvite)
class RecruiterInviteAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["organization", "role"]
    readonly_fields = ["token_hash"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organization", "events", "is_active", "created_by", "created_at"]
    list_filter = ["organization", "is_active"]
    search_fields = ["url"]
    # The signing secret stays out of the admin: the API shows it once, or rotates it.
    fields = ["organization", "url", "events", "is_active", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "event_id", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at", "created_at"]
    list_filter = ["status", "event"]
    search_fields = ["event_id", "endpoint__url"]
    readonly_fields = [
        "endpoint",
        "event_id",
        "event",
        "payload",
        "attempts",
        "last_status_code",
        "last_error",
        "last_duration_ms",
        "attempt_log",
        "created_at",
        "delivered_at",
    ]
