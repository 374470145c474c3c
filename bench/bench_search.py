#!/usr/bin/env python
"""Benchmark: the search service on PostgreSQL (articles, suggestions, tickets).

Run on demand (not part of the test suite):

    .venv/bin/python bench/bench_search.py --tickets 1000000 --articles 50000

It uses its own database (``--database``, default ``ayuda_bench_search``) on the server that
``DATABASE_URL`` points at (default ``postgres://postgres@127.0.0.1:5432``), creating and
migrating it if needed (``--fresh`` drops it first); it never touches the database in
``DATABASE_URL`` itself. Tickets come from ``manage.py bulk_load`` and are indexed with
``manage.py search_rebuild --tickets`` (timed); articles are generated here (realistic
multilingual help articles in es, it and en, published, public or internal) and indexed with
``search_rebuild --articles``.

It measures p50/p95 over ``--reps`` runs of the service functions themselves
(``article_search``, ``article_suggest``, ``ticket_search``, ``similar_tickets``), as a portal
requester and as an agent, for common and rare words, and writes the results to
``bench/results/<date>-search-<tickets>.md`` (and ``.json``).
"""

import argparse
import io
import json
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_queue import bench_database_url, database_ensure, setup_django  # noqa: E402
from measure import timed  # noqa: E402

TOPICS = {
    "es": [
        ("impresora", "impresoras", "imprime"),
        ("escáner", "escáneres", "lee"),
        ("terminal de cobro", "terminales", "cobra"),
        ("red wifi", "redes", "conecta"),
        ("contapersonas", "contadores", "cuenta"),
        ("router", "routers", "arranca"),
        ("aplicación móvil", "aplicaciones", "abre"),
        ("configuración de la VPN", "conexiones", "conecta"),
        ("contraseña", "contraseñas", "caduca"),
        ("informe de ventas", "informes", "exporta"),
        ("cajón portamonedas", "cajones", "abre"),
        ("etiquetadora", "etiquetadoras", "imprime"),
    ],
    "it": [
        ("stampante", "stampanti", "stampa"),
        ("scanner", "scanner", "legge"),
        ("cassa", "casse", "incassa"),
        ("rete wifi", "reti", "collega"),
        ("contapersone", "contatori", "conta"),
        ("router", "router", "riavvia"),
        ("applicazione", "applicazioni", "apre"),
        ("configurazione della VPN", "connessioni", "collega"),
        ("password", "password", "scade"),
        ("rapporto vendite", "rapporti", "esporta"),
        ("cassetto", "cassetti", "apre"),
        ("etichettatrice", "etichettatrici", "stampa"),
    ],
    "en": [
        ("printer", "printers", "prints"),
        ("scanner", "scanners", "reads"),
        ("payment terminal", "terminals", "charges"),
        ("wifi network", "networks", "connects"),
        ("people counter", "counters", "counts"),
        ("router", "routers", "boots"),
        ("mobile app", "apps", "opens"),
        ("VPN configuration", "connections", "connects"),
        ("password", "passwords", "expires"),
        ("sales report", "reports", "exports"),
        ("cash drawer", "drawers", "opens"),
        ("label printer", "label printers", "prints"),
    ],
}
TITLES = {
    "es": ["Qué hacer si la {t} no {v}", "Cómo configurar la {t}", "Errores frecuentes de {p}",
           "La {t} de la tienda {n} falla", "Guía rápida: {t}"],
    "it": ["Cosa fare se la {t} non {v}", "Come configurare la {t}", "Errori frequenti: {p}",
           "La {t} del negozio {n} non va", "Guida rapida: {t}"],
    "en": ["What to do when the {t} never {v}", "How to set up the {t}", "Common {p} errors",
           "The {t} at store {n} fails", "Quick guide: {t}"],
}  # fmt: skip
SENTENCES = {
    "es": ["Compruebe que la {t} está encendida y conectada.", "Reinicie la {t} y espere dos "
           "minutos.", "Si el problema continúa, anote el código de error {n}.", "Las {p} de "
           "la tienda comparten la misma configuración.", "Llame al soporte si la {t} no {v} "
           "después de actualizar el firmware.", "Revise el cable de red y la alimentación."],
    "it": ["Verificare che la {t} sia accesa e collegata.", "Riavviare la {t} e attendere due "
           "minuti.", "Se il problema continua, annotare il codice di errore {n}.", "Le {p} del "
           "negozio condividono la stessa configurazione.", "Chiamare l'assistenza se la {t} "
           "non {v} dopo l'aggiornamento.", "Controllare il cavo di rete e l'alimentazione."],
    "en": ["Check that the {t} is switched on and connected.", "Restart the {t} and wait two "
           "minutes.", "If the problem persists, note the error code {n}.", "The store's {p} "
           "share the same configuration.", "Call support if the {t} never {v} after the "
           "firmware update.", "Check the network cable and the power supply."],
}  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--database", default="ayuda_bench_search")
    parser.add_argument("--fresh", action="store_true", help="Drop the bench database first.")
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--only", default="", help="Measure only what names this text.")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


def articles_generate(count: int, rng: random.Random) -> None:
    from django.utils import timezone

    from ayuda.knowledge.models import ArticleStatus, KbArticle, Visibility

    now = timezone.now()
    languages = list(TOPICS)
    batch = []
    for i in range(count):
        language = languages[i % 3]
        topic, plural, verb = rng.choice(TOPICS[language])
        words = {"t": topic, "p": plural, "v": verb, "n": rng.randint(100, 99999)}
        title = rng.choice(TITLES[language]).format(**words)
        paragraphs = [
            " ".join(rng.choice(SENTENCES[language]).format(**words) for _ in range(5))
            for _ in range(rng.randint(3, 6))
        ]
        batch.append(
            KbArticle(
                language=language,
                title=title,
                summary=rng.choice(SENTENCES[language]).format(**words),
                body="".join(f"<p>{p}</p>" for p in paragraphs),
                visibility=Visibility.PUBLIC if rng.random() < 0.7 else Visibility.INTERNAL,
                status=ArticleStatus.PUBLISHED if rng.random() < 0.9 else ArticleStatus.DRAFT,
                created_at=now,
                updated_at=now,
                published_at=now,
            )
        )
        if len(batch) == 2000:
            KbArticle.objects.bulk_create(batch)
            batch = []
    KbArticle.objects.bulk_create(batch)


def main() -> None:
    args = parse_args()
    url = bench_database_url(args.database)
    database_ensure(url, args.fresh)
    setup_django(url)

    from django.core.management import call_command
    from django.db import connection

    from ayuda.accounts.models import Role, User
    from ayuda.knowledge.models import KbArticle
    from ayuda.knowledge.search import (
        article_search,
        article_suggest,
        similar_tickets,
        ticket_search,
    )
    from ayuda.tickets.models import Ticket

    rng = random.Random(12)
    result: dict = {"date": datetime.now(UTC).isoformat(timespec="minutes")}
    have = Ticket.objects.count()
    if have < args.tickets:
        started = time.monotonic()
        call_command("bulk_load", str(args.tickets - have), "--seed", "1", stdout=io.StringIO())
        result["ticket_load_s"] = round(time.monotonic() - started)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM knowledge_ticketdoc")
        indexed = cursor.fetchone()[0]
    tickets = Ticket.objects.count()
    if indexed < tickets:
        started = time.monotonic()
        call_command("search_rebuild", "--tickets", stdout=io.StringIO())
        result["ticket_rebuild_s"] = round(time.monotonic() - started, 1)
    if KbArticle.objects.count() < args.articles:
        articles_generate(args.articles - KbArticle.objects.count(), rng)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM knowledge_articledoc")
        articles_indexed = cursor.fetchone()[0]
    if articles_indexed < KbArticle.objects.filter(status="published").count():
        started = time.monotonic()
        call_command("search_rebuild", "--articles", stdout=io.StringIO())
        result["article_rebuild_s"] = round(time.monotonic() - started, 1)
    with connection.cursor() as cursor:
        for table in ("knowledge_kbarticle", "knowledge_articledoc", "knowledge_ticketdoc"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("SELECT version()")
        result["postgresql"] = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('knowledge_ticketdoc'))")
        result["ticketdoc_size"] = cursor.fetchone()[0]
    result["tickets"] = Ticket.objects.count()
    result["articles"] = KbArticle.objects.count()

    agent = User.objects.filter(role=Role.AGENT_L1, is_active=True).first()
    requester = (
        User.objects.filter(role=Role.REQUESTER, requested_tickets__isnull=False)
        .order_by("pk")
        .first()
    )
    requester_tickets = Ticket.objects.filter(requester=requester).count()
    rows = []

    def measure(name: str, fn, note: str = "") -> None:
        if args.only not in name:
            return
        hits = len(fn())
        stats = timed(fn, args.reps)
        rows.append({"what": name, "hits": hits, "note": note, **stats})
        print(f"{name:60} p50 {stats['p50']:7.2f} ms  p95 {stats['p95']:7.2f} ms  ({hits} hits)")

    queries = {
        "impresoras": "common, es plural",
        "stampanti": "common, it plural",
        "printer": "common, en",
        "configuracion vpn": "two words, no accent",
        "firmware etichettatrice": "two words, it",
        "error code 4242": "rare number",
        '"" OR * -': "operators only",
    }
    for query, note in queries.items():
        measure(
            f"article_search portal '{query}'",
            lambda q=query: article_search(user=requester, query=q, portal=True, language="es"),
            note,
        )
    for query in ("impresoras", "printer"):
        measure(
            f"article_search agent '{query}'",
            lambda q=query: article_search(user=agent, query=q, portal=False),
            "all published",
        )
    for typed in ("imp", "impr", "impresora no", "stamp", "how to set up the pr"):
        measure(
            f"article_suggest '{typed}'",
            lambda q=typed: article_suggest(user=requester, query=q, language="es"),
            "as you type",
        )
    some = Ticket.objects.order_by("-pk").values_list("pk", flat=True)[500]
    ticket_queries = {
        "printer": "common (1 in 20 subjects)",
        "impresora imprime": "common, es, two words",
        "back office": "common, two words",
        "contapersone dati": "common, it",
        str(some): "rare: one ticket's number",
        "firmware": "in no ticket",
    }
    for query, note in ticket_queries.items():
        measure(
            f"ticket_search agent '{query}'",
            lambda q=query: ticket_search(user=agent, query=q),
            note,
        )
    for query in ("printer", "impresora", "wi-fi slow"):
        measure(
            f"ticket_search requester '{query}'",
            lambda q=query: ticket_search(user=requester, query=q),
            f"{requester_tickets:,} own tickets",
        )
    first = ticket_search(user=agent, query="printer")
    if first:
        measure(
            "ticket_search agent 'printer' page 2",
            lambda: ticket_search(user=agent, query="printer", after=first[-1].cursor),
            "keyset",
        )
    target = Ticket.objects.order_by("-pk").first()
    measure(
        "similar_tickets (newest ticket)",
        lambda: similar_tickets(ticket=target, user=agent),
        "OR of its words, solved only",
    )
    result["rows"] = rows
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    only = f"-{args.only.replace(' ', '-')}" if args.only else ""
    stem = f"{datetime.now(UTC):%Y-%m-%d-%H%M}-search-{result['tickets']}{only}"
    (out / f"{stem}.json").write_text(json.dumps(result, indent=2))
    lines = [
        f"# Search benchmark, {result['date']}",
        "",
        f"{result['postgresql']}; {result['tickets']:,} tickets "
        f"(ticket index {result['ticketdoc_size']}), {result['articles']:,} articles; "
        f"{args.reps} runs each. Rebuild: tickets {result.get('ticket_rebuild_s', '-')} s, "
        f"articles {result.get('article_rebuild_s', '-')} s.",
        "",
        "| what | hits | note | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|---|",
        *(
            f"| {r['what']} | {r['hits']} | {r['note']} | {r['p50']} | {r['p95']} | {r['max']} |"
            for r in rows
        ),
    ]
    (out / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print(f"Results: {out / stem}.md")


if __name__ == "__main__":
    main()
