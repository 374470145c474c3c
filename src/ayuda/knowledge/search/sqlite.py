"""Search on SQLite (the embedded default): FTS5 over text stemmed in Python.

SQLite has no stemmer, so the documents are stored already stemmed with Snowball in their
language (``text.stemmed``: folded, accents removed) in two FTS5 tables (created by knowledge
migration 0003), each row's rowid the article's or ticket's id:
- ``knowledge_article_fts(title, summary, body)``: published articles only;
- ``knowledge_ticket_fts(subject, description, public, internal)``, plus the ``solved`` flag
  (unindexed) for similar tickets.

The tokenizer is ``unicode61 remove_diacritics 2``. Queries are built from words, each one
double-quoted (``"impresor" OR "impresora"``), so FTS5's own syntax is never reached. Ranking
is ``bm25`` with column weights (title above summary above body). No typo tolerance here.
"""

from django.db import connection

from ayuda.tickets.models import Article, StateCategory, Ticket

from ..models import ArticleStatus, KbArticle
from .text import Terms, plain, stemmed

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"
SETUP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_article_fts USING fts5("
    f"title, summary, body, {TOKENIZE})",
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_ticket_fts USING fts5("
    f"subject, description, public, internal, solved UNINDEXED, {TOKENIZE})",
]
TEARDOWN = [
    "DROP TABLE IF EXISTS knowledge_ticket_fts",
    "DROP TABLE IF EXISTS knowledge_article_fts",
]
CHUNK = 500


def _chunks(ids: list[int]):
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


# -- indexing -----------------------------------------------------------------------------


def articles_index(ids: list[int]) -> None:
    with connection.cursor() as cursor:
        for chunk in _chunks(ids):
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM knowledge_article_fts WHERE rowid IN ({marks})", chunk)
            rows = [
                (a.pk, stemmed(a.title, a.language), stemmed(a.summary, a.language),
                 stemmed(plain(a.body), a.language))
                for a in KbArticle.objects.filter(pk__in=chunk, status=ArticleStatus.PUBLISHED)
                .only("pk", "language", "title", "summary", "body")
            ]  # fmt: skip
            cursor.executemany(
                "INSERT INTO knowledge_article_fts (rowid, title, summary, body) "
                "VALUES (%s, %s, %s, %s)",
                rows,
            )


def tickets_index(ids: list[int]) -> None:
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(set(ids))):
            tickets = (
                Ticket.objects.filter(pk__in=chunk)
                .select_related("requester")
                .only(
                    "pk", "subject", "description", "solution", "state_category",
                    "requester__language",
                )
            )  # fmt: skip
            texts = {t.pk: ([], []) for t in tickets}
            messages = (
                Article.objects.filter(ticket_id__in=chunk)
                .order_by("pk")
                .values_list("ticket_id", "internal", "body")
            )
            descriptions = {t.pk: t.description for t in tickets}
            for ticket_id, internal, body in messages:
                if ticket_id in texts and body != descriptions[ticket_id]:
                    texts[ticket_id][1 if internal else 0].append(body)
            rows = []
            for t in tickets:
                language = t.requester.language if t.requester_id else ""
                public, internal = texts[t.pk]
                solved = t.state_category in (StateCategory.RESOLVED, StateCategory.CLOSED)
                rows.append(
                    (
                        t.pk,
                        stemmed(t.subject, language),
                        stemmed(t.description[:100_000], language),
                        stemmed(" ".join(public)[:300_000], language),
                        stemmed(" ".join(internal)[:300_000], language),
                        1 if solved and t.solution else 0,
                    )
                )
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM knowledge_ticket_fts WHERE rowid IN ({marks})", chunk)
            cursor.executemany(
                "INSERT INTO knowledge_ticket_fts "
                "(rowid, subject, description, public, internal, solved) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                rows,
            )


def tickets_index_range(first: int, last: int) -> int:
    ids = list(Ticket.objects.filter(pk__gte=first, pk__lt=last).values_list("pk", flat=True))
    tickets_index(ids)
    return len(ids)


def articles_clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM knowledge_article_fts")


def tickets_prune() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM knowledge_ticket_fts WHERE rowid NOT IN (SELECT id FROM tickets_ticket)"
        )


def tickets_clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM knowledge_ticket_fts")


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO knowledge_article_fts(knowledge_article_fts) VALUES('optimize')"
        )
        cursor.execute("INSERT INTO knowledge_ticket_fts(knowledge_ticket_fts) VALUES('optimize')")


# -- queries ------------------------------------------------------------------------------


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def match_expression(terms: Terms, *, columns: str = "") -> str:
    """An FTS5 query for ``terms``: every word double-quoted, its variants ORed."""
    last = len(terms.words) - 1
    groups = []
    for i, group in enumerate(terms.groups()):
        star = "*" if terms.prefix and i == last else ""
        groups.append("(" + " OR ".join(_quoted(v) + star for v in sorted(group)) + ")")
    expression = (" OR " if terms.any_word else " AND ").join(groups)
    return f"{columns} : ({expression})" if columns else expression


def _score(bm25: float) -> float:
    """bm25 is negative, lower better: 0..1, higher better."""
    return rank_score(-bm25)


def rank_score(rank: float) -> float:
    """A ticket's rank (``-bm25``, higher better) as a score 0..1."""
    value = max(rank, 0.0)
    return value / (1 + value)


def _scope_sql(queryset) -> tuple[str, list]:
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return sql, list(params)


def article_ids(
    *,
    terms: Terms,
    public_only: bool,
    category_id: int | None,
    language: str | None,
    limit: int,
    titles_only: bool = False,
) -> list[tuple[int, float]]:
    where, params = [], []
    if public_only:
        where.append("a.visibility = 'public'")
    if category_id:
        where.append("a.category_id = %s")
        params.append(category_id)
    sql = (
        "SELECT f.rowid, bm25(knowledge_article_fts, 10.0, 4.0, 1.0) AS rank "
        "FROM knowledge_article_fts f JOIN knowledge_kbarticle a ON a.id = f.rowid "
        "WHERE knowledge_article_fts MATCH %s AND a.status = 'published' "
        f"{''.join(' AND ' + w for w in where)} "
        "ORDER BY (a.language = %s) DESC, rank, a.id LIMIT %s"
    )
    expression = match_expression(terms, columns="{title}" if titles_only else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression, *params, language or "", limit])
        return [(row[0], _score(row[1])) for row in cursor.fetchall()]


def article_ids_similar_title(**kwargs) -> list[tuple[int, float]]:
    return []  # no trigram similarity on SQLite


def ticket_ids(
    *,
    terms: Terms,
    scope,
    public_only: bool,
    limit: int,
    after: tuple[float, int] | None = None,
    solved_only: bool = False,
    exclude: int | None = None,
    candidates: int = 0,
) -> list[tuple[int, float]]:
    columns = "{subject description public}" if public_only else ""
    where, params = ["knowledge_ticket_fts MATCH %s"], [match_expression(terms, columns=columns)]
    if solved_only:
        where.append("f.solved = 1")
    if exclude is not None:
        where.append("f.rowid <> %s")
        params.append(exclude)
    if scope is not None:
        scope_sql, scope_params = _scope_sql(scope)
        where.append(f"f.rowid IN ({scope_sql})")
        params += scope_params
    page, page_params = "", []
    if after is not None:
        page = "WHERE (h.rank, h.id) < (%s, %s)"
        page_params = [after[0], after[1]]
    sql = (
        "WITH hits AS (SELECT f.rowid AS id, "
        "round(-bm25(knowledge_ticket_fts, 4.0, 2.0, 1.0, 1.0), 6) AS rank "
        f"FROM knowledge_ticket_fts f WHERE {' AND '.join(where)}) "
        f"SELECT h.id, h.rank FROM hits h {page} ORDER BY h.rank DESC, h.id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *page_params, limit])
        return [(row[0], float(row[1])) for row in cursor.fetchall()]
