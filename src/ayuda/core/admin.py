from functools import cached_property

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections

from .cache import lookups_changed

ESTIMATE_ABOVE = 100_000


class LargeTablePaginator(Paginator):
    """The admin counts the rows of a list on every page. On PostgreSQL, an unfiltered list of
    a large table (tickets, their history, mail) takes the planner's row estimate instead of
    reading the whole table (45-55 ms at a million rows, growing with it); filtered lists and
    small tables are counted exactly."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor == "postgresql" and not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] > ESTIMATE_ABOVE:
                return row[0]
        return super().count


class LargeTableAdmin(admin.ModelAdmin):
    """A list that must stay quick at millions of rows: estimated count, no second count."""

    paginator = LargeTablePaginator
    show_full_result_count = False


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
