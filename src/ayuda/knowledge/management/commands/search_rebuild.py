"""``manage.py search_rebuild [--tickets] [--articles]``: the search documents again.

Set-based: on PostgreSQL one ``INSERT ... SELECT`` per 20,000 tickets (by id), each in its own
transaction; on SQLite the same chunks stemmed in Python. Without an option, both. Safe to run
while Ayuda is in use: search answers from the documents not yet rewritten.
"""

import time

from django.core.management.base import BaseCommand

from ayuda.knowledge.search import index


class Command(BaseCommand):
    help = "Rebuild the search index of tickets and articles (docs/knowledge.md, Search)."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", action="store_true", help="Only the tickets.")
        parser.add_argument("--articles", action="store_true", help="Only the articles.")

    def handle(self, *args, tickets: bool, articles: bool, **options):
        both = not tickets and not articles
        if articles or both:
            started = time.monotonic()
            count = index.articles_rebuild()
            self.stdout.write(f"Articles: {count:,} indexed in {time.monotonic() - started:.1f} s")
        if tickets or both:
            started = time.monotonic()

            def progress(done: int) -> None:
                if options["verbosity"] > 1:
                    self.stdout.write(f"  {done:,} tickets")

            count = index.tickets_rebuild(progress=progress)
            self.stdout.write(f"Tickets: {count:,} indexed in {time.monotonic() - started:.1f} s")
