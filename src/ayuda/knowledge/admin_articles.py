"""Articles in the admin: read-only, with their versions and feedback inline. Articles are
written in the workspace ("Knowledge"), whose services keep the versions, the review and the
search index; an admin edit would bypass all three."""

from django.contrib import admin

from .models import ArticleFeedback, ArticleVersion, KbArticle


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VersionInline(_ReadOnlyInline):
    model = ArticleVersion
    fields = ["number", "title", "status", "visibility", "edited_by", "note", "created_at"]
    readonly_fields = fields
    ordering = ["-number"]


class FeedbackInline(_ReadOnlyInline):
    model = ArticleFeedback
    fields = ["outcome", "query", "user", "ticket", "created_at"]
    readonly_fields = fields


@admin.register(KbArticle)
class KbArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "status", "visibility", "category", "version"]
    list_filter = ["status", "visibility", "language"]
    list_select_related = ["category"]
    search_fields = ["title"]
    inlines = [VersionInline, FeedbackInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
