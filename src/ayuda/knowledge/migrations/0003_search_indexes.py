"""The search indexes (docs/knowledge.md, Search).

PostgreSQL: the unaccent and pg_trgm extensions, the text search configurations ayuda_es,
ayuda_it, ayuda_en and ayuda_simple (unaccent, then a Snowball stemmer without stop words),
the side tables knowledge_articledoc and knowledge_ticketdoc with their GIN indexes, and a
trigram index on article titles. SQLite: the FTS5 tables knowledge_article_fts and
knowledge_ticket_fts. No Django model: the search service writes and reads them in SQL.

Existing articles are indexed here, and existing tickets when there are at most 100,000; a
larger installation runs ``manage.py search_rebuild --tickets`` after migrating.
"""

from django.db import migrations

FILL_LIMIT = 100_000


def forwards(apps, schema_editor):
    from ayuda.knowledge.search import index

    for sql in index.setup_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)
    index.articles_rebuild()
    Ticket = apps.get_model("tickets", "Ticket")
    if Ticket.objects.count() <= FILL_LIMIT:
        index.tickets_rebuild()
    else:
        print("\n  Search: run `manage.py search_rebuild` to index the existing tickets.")


def backwards(apps, schema_editor):
    from ayuda.knowledge.search import index

    for sql in index.teardown_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0002_articles_trees_problems"),
        ("tickets", "0022_category_solution_required_event_actions"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
