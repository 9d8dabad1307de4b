from django.contrib import admin

from questions.models import Question, QuestionVersion, Topic


class QuestionVersionInline(admin.TabularInline):
    model = QuestionVersion
    fields = ["number", "title", "difficulty", "content_hash", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["slug", "track", "kind", "organization", "current_version", "updated_at"]
    list_filter = ["track", "kind", "organization"]
    search_fields = ["slug", "current_version__title"]
    readonly_fields = ["current_version"]
    inlines = [QuestionVersionInline]


@admin.register(QuestionVersion)
class QuestionVersionAdmin(admin.ModelAdmin):
    list_display = ["question", "number", "title", "difficulty", "created_at"]
    list_filter = ["difficulty", "question__track"]
    search_fields = ["title", "question__slug"]
    readonly_fields = ["question", "number", "content_hash", "spec", "prompt_html", "created_at"]


admin.site.register(Topic)
