"""Search on PostgreSQL: full-text search per language, with unaccent, and trigram similarity.

Two side tables hold the documents (created by knowledge migration 0003, no Django model):
- ``knowledge_articledoc``: one row per *published* article, its tsvector in the article's
  language (``ayuda_es``, ``ayuda_it``, ``ayuda_en``), weights A title, B summary, C body.
- ``knowledge_ticketdoc``: one row per ticket, its tsvector in the requester's language:
  A subject, B description, C public messages, D internal notes; ``solved`` (resolved or
  closed with a solution) for similar tickets, with a partial GIN index of its own.

A query is built from words (``text.terms_parse``), never parsed by PostgreSQL: each word is
``to_tsquery(<config>, '<word>')`` in every language, ORed; the words ANDed. Someone who may
not read internal notes searches weights A-C only (``'word':ABC``), so a note's words never
find a ticket for them.
"""

from django.db import connection

from .text import LANGUAGES, Terms

CONFIGS = {code: f"ayuda_{code}" for code in LANGUAGES}
SIMPLE = "ayuda_simple"
CANDIDATES = 500  # the newest matching tickets that are ranked (see docs/knowledge.md)
RANK_POOL = 50  # the articles best by title that are ranked on their whole text
SUGGEST_POOL = 200  # the titles with every word typed that are ranked for a suggestion

# Sanitised HTML to text, in SQL (tags and entities out) so rebuilds stay set-based.
_PLAIN = "regexp_replace(regexp_replace({0}, '<[^>]*>', ' ', 'g'), '&[#a-zA-Z0-9]+;', ' ', 'g')"

SETUP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {config}"
        for config in [*CONFIGS.values(), SIMPLE]
    ),
    *(f"DROP TEXT SEARCH DICTIONARY IF EXISTS {config}_stem" for config in CONFIGS.values()),
    # Snowball stemmers without stop words: a word that is a stop word in one language is a
    # word in another, and queries are ORed across languages (see text.STOPWORDS).
    *(
        f"CREATE TEXT SEARCH DICTIONARY {CONFIGS[code]}_stem "
        f"(TEMPLATE = snowball, Language = {language})"
        for code, language in LANGUAGES.items()
    ),
    *(
        f"CREATE TEXT SEARCH CONFIGURATION {CONFIGS[code]} (COPY = {language}); "
        f"ALTER TEXT SEARCH CONFIGURATION {CONFIGS[code]} ALTER MAPPING FOR asciiword, "
        f"asciihword, hword_asciipart, hword, hword_part, word WITH unaccent, "
        f"{CONFIGS[code]}_stem"
        for code, language in LANGUAGES.items()
    ),
    f"CREATE TEXT SEARCH CONFIGURATION {SIMPLE} (COPY = simple); "
    f"ALTER TEXT SEARCH CONFIGURATION {SIMPLE} ALTER MAPPING FOR asciiword, asciihword, "
    "hword_asciipart, hword, hword_part, word WITH unaccent, simple",
    # unaccent() is only STABLE; an index needs an IMMUTABLE function, with its schema named.
    "DO $$ DECLARE s text := (SELECT extnamespace::regnamespace::text FROM pg_extension "
    "WHERE extname = 'unaccent'); BEGIN EXECUTE format('CREATE OR REPLACE FUNCTION "
    "ayuda_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
    "$f$ SELECT lower(%1$s.unaccent(%2$L::regdictionary, $1)) $f$', s, s || '.unaccent'); "
    "END $$",
    # language, visibility and category copied from the article, so a search reads this
    # table alone; the results are checked against the articles themselves (articles_for).
    "CREATE TABLE IF NOT EXISTS knowledge_articledoc (article_id bigint PRIMARY KEY, "
    "language varchar(8) NOT NULL, visibility varchar(10) NOT NULL, category_id bigint, "
    "document tsvector NOT NULL, title tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS knowledge_articledoc_document ON knowledge_articledoc "
    "USING gin (document)",
    # Suggestions as you type read the titles alone, from a narrow table of their own (a
    # common word's thousands of matches fit in a few pages), the reader's language first:
    # one small index per language.
    "CREATE TABLE IF NOT EXISTS knowledge_articletitle (article_id bigint PRIMARY KEY, "
    "language varchar(8) NOT NULL, visibility varchar(10) NOT NULL, category_id bigint, "
    "title tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS knowledge_articletitle_title ON knowledge_articletitle "
    "USING gin (title)",
    *(
        f"CREATE INDEX IF NOT EXISTS knowledge_articletitle_{code} ON knowledge_articletitle "
        f"USING gin (title) WHERE language = '{code}'"
        for code in LANGUAGES
    ),
    "CREATE INDEX IF NOT EXISTS kb_title_trgm ON knowledge_kbarticle "
    "USING gin (ayuda_fold(title) gin_trgm_ops)",
    "CREATE TABLE IF NOT EXISTS knowledge_ticketdoc (ticket_id bigint PRIMARY KEY, "
    "solved boolean NOT NULL DEFAULT false, document tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS knowledge_ticketdoc_document ON knowledge_ticketdoc "
    "USING gin (document)",
    "CREATE INDEX IF NOT EXISTS knowledge_ticketdoc_solved ON knowledge_ticketdoc "
    "USING gin (document) WHERE solved",
    # Rare words (a number, a name) are estimated as rare, not at the default frequency of a
    # word missing from the statistics: the planner then reads the GIN index for them.
    "ALTER TABLE knowledge_ticketdoc ALTER COLUMN document SET STATISTICS 1000",
    "ALTER TABLE knowledge_articledoc ALTER COLUMN document SET STATISTICS 1000",
]

TEARDOWN = [
    "DROP TABLE IF EXISTS knowledge_ticketdoc",
    "DROP INDEX IF EXISTS kb_title_trgm",
    "DROP TABLE IF EXISTS knowledge_articledoc",
    "DROP TABLE IF EXISTS knowledge_articletitle",
    "DROP FUNCTION IF EXISTS ayuda_fold(text)",
    *(
        f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {config}"
        for config in [*CONFIGS.values(), SIMPLE]
    ),
    *(f"DROP TEXT SEARCH DICTIONARY IF EXISTS {config}_stem" for config in CONFIGS.values()),
]


def _config_of(column: str) -> str:
    """The text search configuration for a language code held in ``column``."""
    cases = " ".join(f"WHEN '{code}' THEN '{config}'" for code, config in CONFIGS.items())
    return f"(CASE {column} {cases} ELSE '{SIMPLE}' END)::regconfig"


# -- indexing -----------------------------------------------------------------------------


def articles_index(ids: list[int]) -> None:
    """Bring the documents of these articles up to date: published ones (re)written, any
    other (draft, in review, archived, deleted) removed."""
    config = _config_of("a.language")
    with connection.cursor() as cursor:
        for table in ("knowledge_articledoc", "knowledge_articletitle"):
            cursor.execute(
                f"DELETE FROM {table} d WHERE d.article_id = ANY(%s) AND NOT EXISTS "
                "(SELECT 1 FROM knowledge_kbarticle a WHERE a.id = d.article_id "
                "AND a.status = 'published')",
                [ids],
            )
        cursor.execute(
            "INSERT INTO knowledge_articletitle "
            "(article_id, language, visibility, category_id, title) "
            f"SELECT a.id, a.language, a.visibility, a.category_id, to_tsvector({config}, a.title) "
            "FROM knowledge_kbarticle a WHERE a.id = ANY(%s) AND a.status = 'published' "
            "ON CONFLICT (article_id) DO UPDATE SET language = EXCLUDED.language, "
            "visibility = EXCLUDED.visibility, category_id = EXCLUDED.category_id, "
            "title = EXCLUDED.title",
            [ids],
        )
        cursor.execute(
            "INSERT INTO knowledge_articledoc "
            "(article_id, language, visibility, category_id, document, title) "
            "SELECT a.id, a.language, a.visibility, a.category_id, "
            f"setweight(to_tsvector({config}, a.title), 'A') || "
            f"setweight(to_tsvector({config}, a.summary), 'B') || "
            f"setweight(to_tsvector({config}, left({_PLAIN.format('a.body')}, 500000)), 'C'), "
            f"to_tsvector({config}, a.title) "
            "FROM knowledge_kbarticle a WHERE a.id = ANY(%s) AND a.status = 'published' "
            "ON CONFLICT (article_id) DO UPDATE SET language = EXCLUDED.language, "
            "visibility = EXCLUDED.visibility, category_id = EXCLUDED.category_id, "
            "document = EXCLUDED.document, title = EXCLUDED.title",
            [ids],
        )


def _tickets_sql(where: str) -> str:
    config = _config_of("u.language")
    messages = (
        "(SELECT left(string_agg(m.body, ' ' ORDER BY m.id), 300000) FROM tickets_article m "
        "WHERE m.ticket_id = t.id AND m.internal = {0} AND m.body <> t.description)"
    )
    return (
        "INSERT INTO knowledge_ticketdoc (ticket_id, solved, document) "
        "SELECT t.id, t.state_category IN ('resolved', 'closed') AND t.solution <> '', "
        f"setweight(to_tsvector({config}, t.subject), 'A') || "
        f"setweight(to_tsvector({config}, left(t.description, 100000)), 'B') || "
        f"setweight(to_tsvector({config}, coalesce({messages.format('false')}, '')), 'C') || "
        f"setweight(to_tsvector({config}, coalesce({messages.format('true')}, '')), 'D') "
        "FROM tickets_ticket t LEFT JOIN accounts_user u ON u.id = t.requester_id "
        f"WHERE {where} "
        "ON CONFLICT (ticket_id) DO UPDATE SET solved = EXCLUDED.solved, "
        "document = EXCLUDED.document"
    )


def tickets_index(ids: list[int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_tickets_sql("t.id = ANY(%s)"), [ids])


def tickets_index_range(first: int, last: int) -> int:
    """Index tickets ``first`` <= id < ``last`` in one statement; the rows written."""
    with connection.cursor() as cursor:
        cursor.execute(_tickets_sql("t.id >= %s AND t.id < %s"), [first, last])
        return cursor.rowcount


def articles_clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE knowledge_articledoc, knowledge_articletitle")


def tickets_prune() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM knowledge_ticketdoc d WHERE NOT EXISTS "
            "(SELECT 1 FROM tickets_ticket t WHERE t.id = d.ticket_id)"
        )


def tickets_clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE knowledge_ticketdoc")


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE knowledge_articledoc")
        cursor.execute("ANALYZE knowledge_articletitle")
        cursor.execute("ANALYZE knowledge_ticketdoc")


# -- queries ------------------------------------------------------------------------------


def _tsquery(terms: Terms, *, public_only: bool = False) -> tuple[str, list[str]]:
    """SQL for the tsquery of ``terms`` and its parameters: each word in every language,
    ORed; the words ANDed (or ORed for ``any_word``)."""
    weights = "ABC" if public_only else ""
    configs = [*CONFIGS.values(), SIMPLE]
    parts, params = [], []
    last = len(terms.words) - 1
    for i, word in enumerate(terms.words):
        # ``word`` holds letters and digits only (text.WORD): quoting it is enough.
        star = "*" if terms.prefix and i == last else ""
        lexeme = f"'{word}':{star}{weights}" if (star or weights) else f"'{word}'"
        parts.append("(" + " || ".join(f"to_tsquery('{c}', %s)" for c in configs) + ")")
        params += [lexeme] * len(configs)
    joiner = " || " if terms.any_word else " && "
    return "(" + joiner.join(parts) + ")", params


def _tsquery_value(terms: Terms, *, public_only: bool = False) -> str:
    """The tsquery of ``terms`` as text, computed first so that the search query holds a
    constant: the planner then estimates how many documents match from the index's
    statistics (a rare word: the GIN index; a common one: the newest tickets first, stopping
    at ``CANDIDATES``), and nothing is evaluated per row."""
    tsquery, params = _tsquery(terms, public_only=public_only)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({tsquery})::text", params)
        return cursor.fetchone()[0] or ""


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
    """(article id, score 0..1), best first; ``language``'s articles before the others.
    One table, one GIN index: only the matching documents are read and ranked.
    ``titles_only`` (suggestions as you type) searches and ranks the titles alone."""
    tsquery = _tsquery_value(terms)
    if not tsquery:
        return []
    column = "title" if titles_only else "document"
    where, params = [f"d.{column} @@ %s::tsquery"], [tsquery]
    if public_only:
        where.append("d.visibility = 'public'")
    if category_id:
        where.append("d.category_id = %s")
        params.append(category_id)
    if titles_only:
        # The reader's language alone first (its own partial index); the others only when
        # it has too few.
        found = []
        steps = [("d.language = %s", language), ("d.language <> %s", language)]
        # Every title in the pool has all the words typed: ranking thousands of them ("how
        # to set up") only orders near-equals, so at most SUGGEST_POOL are ranked. Any-word
        # matches differ in how many words they have: all of them are ranked.
        pool = "" if terms.any_word else f"LIMIT {SUGGEST_POOL}"
        for condition, value in steps if language in LANGUAGES else [("true", None)]:
            sql = (
                "WITH pool AS (SELECT d.article_id, d.title FROM knowledge_articletitle d "
                f"WHERE {' AND '.join([*where, condition])} {pool}) "
                "SELECT p.article_id, ts_rank_cd(p.title, %s::tsquery, 32) AS rank "
                "FROM pool p ORDER BY rank DESC, p.article_id LIMIT %s"
            )
            args = [*params, *([value] if value else []), tsquery, limit - len(found)]
            with connection.cursor() as cursor:
                cursor.execute(sql, args)
                found += [(row[0], float(row[1])) for row in cursor.fetchall()]
            if len(found) >= limit:
                break
        return found
    # Ranking a whole article (ts_rank_cd over every position) is what costs: the
    # matches are first ordered by their title alone (a few words), and the best
    # RANK_POOL of them are ranked on the whole text.
    sql = (
        "WITH pool AS (SELECT d.article_id, d.language, d.document "
        f"FROM knowledge_articledoc d WHERE {' AND '.join(where)} "
        "ORDER BY (d.language = %s) DESC, ts_rank(d.title, %s::tsquery) DESC, "
        "d.article_id LIMIT %s) "
        "SELECT p.article_id, ts_rank_cd(p.document, %s::tsquery, 32) AS rank FROM pool p "
        "ORDER BY (p.language = %s) DESC, rank DESC, p.article_id LIMIT %s"
    )
    language = language or ""
    args = [*params, language, tsquery, max(RANK_POOL, limit), tsquery, language, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def article_ids_similar_title(
    *, text: str, public_only: bool, category_id: int | None, exclude: list[int], limit: int
) -> list[tuple[int, float]]:
    """Typo tolerance: articles whose title has a word like one typed (trigrams), for when
    full-text search found too few. Scores are halved: below any full-text match."""
    where, params = [], []
    if public_only:
        where.append("a.visibility = 'public'")
    if category_id:
        where.append("a.category_id = %s")
        params.append(category_id)
    sql = (
        "SELECT a.id, word_similarity(ayuda_fold(%s), ayuda_fold(a.title)) AS s "
        "FROM knowledge_kbarticle a "
        "WHERE ayuda_fold(%s) <%% ayuda_fold(a.title) AND a.status = 'published' "
        f"AND NOT (a.id = ANY(%s)) {''.join(' AND ' + w for w in where)} "
        "ORDER BY s DESC, a.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [text, text, exclude, *params, limit])
        return [(row[0], float(row[1]) / 2) for row in cursor.fetchall()]


def rank_score(rank: float) -> float:
    """A ticket's rank (``ts_rank_cd`` normalised with 32: rank / (rank + 1)) as a score."""
    return rank


def ticket_ids(
    *,
    terms: Terms,
    scope,
    public_only: bool,
    limit: int,
    after: tuple[float, int] | None = None,
    solved_only: bool = False,
    exclude: int | None = None,
    candidates: int = CANDIDATES,
) -> list[tuple[int, float]]:
    """(ticket id, score 0..1), best first, among the ``candidates`` newest matches that
    ``scope`` (a queryset of tickets, or None for all) holds."""
    tsquery = _tsquery_value(terms, public_only=public_only)
    if not tsquery:
        return []
    where, where_params = ["d.document @@ %s::tsquery"], [tsquery]
    if solved_only:
        where.append("d.solved")
    if exclude is not None:
        where.append("d.ticket_id <> %s")
        where_params.append(exclude)
    if scope is not None:
        scope_sql, scope_params = _scope_sql(scope)
        where.append(f"d.ticket_id IN ({scope_sql})")
        where_params += scope_params
    page, page_params = "", []
    if after is not None:
        page = "WHERE (h.rank, h.ticket_id) < (%s, %s)"
        page_params = [after[0], after[1]]
    sql = (
        f"WITH found AS (SELECT d.ticket_id FROM knowledge_ticketdoc d "
        f"WHERE {' AND '.join(where)} ORDER BY d.ticket_id DESC LIMIT %s), hits AS ("
        "SELECT f.ticket_id, round(ts_rank_cd(d.document, %s::tsquery, 32)::numeric, 6) AS rank "
        "FROM found f JOIN knowledge_ticketdoc d ON d.ticket_id = f.ticket_id) "
        f"SELECT h.ticket_id, h.rank FROM hits h {page} "
        "ORDER BY h.rank DESC, h.ticket_id DESC LIMIT %s"
    )
    params = [*where_params, candidates, tsquery]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *page_params, limit])
        return [(row[0], float(row[1])) for row in cursor.fetchall()]
