from django.contrib import admin

from grading.models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "question_version", "mode", "status", "verdict", "score", "attempts", "created_at"]
    list_filter = ["mode", "status", "verdict", "backend"]
    search_fields = ["user__email", "question_version__question__slug"]
    readonly_fields = [f.name for f in Submission._meta.fields]
