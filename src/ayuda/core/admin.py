from django.contrib import admin

from .cache import lookups_changed


class LookupsAdmin(admin.ModelAdmin):
    """Admin for a model the workspace caches in its select boxes: every change refreshes them."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        lookups_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        lookups_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        lookups_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        lookups_changed()
