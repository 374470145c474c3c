"""``manage.py bulk_load N``: N synthetic tickets, fast. FOR BENCHMARKS ONLY.

This is the one place that writes tickets without the services, on purpose: a million tickets
through ``ticket_create`` would take hours, and the benchmarks (``bench/``) need a million.
Every ticket still gets what the services would give it: its first article and a valid
hash-chained history (a "created" event and, if it is no longer new, the state change), built
with ``ayuda.tickets.history.events_build``, keyed with the site's history key like every
event, so ``verify_history`` passes.

Set-based: rows are generated in Python in batches and written with PostgreSQL's ``COPY``
(or ``executemany`` on other databases), with explicit primary keys so the article and event
rows can point at their ticket without a round trip. Do not run it while other processes
create tickets in the same database.

The tickets belong to their own reference data ("Bulk ..." organisations, sites, teams, agents,
requesters and categories), created on first use. The spread resembles a working service desk:
created over the last two years (``--years``), about 37% still active (more among recent
tickets), levels, teams, owners, channels, types and priorities drawn by weight.
"""

import json
import math
import random
import time
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction

from ayuda.accounts.models import Level
from ayuda.tickets.bulk_reference import (
    ACTIVE_SHARE_NEWEST,
    ACTIVE_SHARE_OLDEST,
    ACTIVE_SPLIT,
    CHANNELS,
    DESCRIPTION,
    DONE_SPLIT,
    PRIORITIES,
    SUBJECTS,
    TYPES,
    Reference,
    reference_data,
    weighted,
)
from ayuda.tickets.history import Step, events_build
from ayuda.tickets.models import (
    Article,
    ArticleKind,
    Channel,
    EventAction,
    SenderRole,
    StateCategory,
    Ticket,
    TicketEvent,
)
from ayuda.tickets.services.lifecycle import CHANNEL_ARTICLE_KIND


class Table:
    """Writes rows (tuples in ``columns`` order) to one model's table, set-based."""

    def __init__(self, model: type[models.Model], columns: list[str]):
        self.model = model
        self.columns = columns
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.db_columns = [fields[c].column for c in columns]
        self.postgres = connection.vendor == "postgresql"
        adapt = []
        for name in columns:
            field = fields[name]
            if isinstance(field, models.JSONField):
                adapt.append(lambda v: json.dumps(v, separators=(",", ":")))
            elif isinstance(field, models.DateTimeField) and not self.postgres:
                adapt.append(connection.ops.adapt_datetimefield_value)
            else:
                adapt.append(None)
        self.adapt = adapt if any(adapt) else None

    def prep(self, row: tuple) -> tuple:
        if self.adapt is None:
            return row
        return tuple(
            v if f is None or v is None else f(v) for f, v in zip(self.adapt, row, strict=True)
        )

    def write(self, rows: list[tuple]) -> None:
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        cols = ", ".join(quote(c) for c in self.db_columns)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(self.prep(row))
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({cols}) VALUES ({marks})",  # noqa: S608
                    [self.prep(row) for row in rows],
                )


TICKET_COLUMNS = [
    "id",
    "subject",
    "description",
    "type",
    "channel",
    "state_id",
    "state_category",
    "priority",
    "category_id",
    "level",
    "team_id",
    "owner_id",
    "referral_team_id",
    "vendor_id",
    "vendor_reference",
    "requester_id",
    "organisation_id",
    "site_id",
    "url",
    "software_version",
    "software_edition",
    "steps_to_reproduce",
    "browser",
    "operating_system",
    "extra",
    "solution",
    "delay_reason",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "version",
    "history_seq",
    "history_head",
]
ARTICLE_COLUMNS = [
    "id",
    "ticket_id",
    "kind",
    "sender_role",
    "internal",
    "author_id",
    "body",
    "body_html",
    "created_at",
    "message_id",
    "in_reply_to",
    "email_from",
    "email_to",
    "email_cc",
]
EVENT_COLUMNS = [
    "id",
    "ticket_id",
    "seq",
    "actor_id",
    "at",
    "action",
    "field",
    "old_value",
    "new_value",
    "data",
    "prev_hash",
    "hash",
    "key_id",
]


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


class Command(BaseCommand):
    help = (
        "FOR BENCHMARKS ONLY: bulk-load N synthetic tickets (each with its first article and a "
        "valid hash-chained history) with set-based inserts, bypassing the ticket services."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="How many tickets to add.")
        parser.add_argument("--batch-size", type=int, default=20_000)
        parser.add_argument("--years", type=float, default=2.0, help="Spread of created_at.")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--no-analyze", action="store_true", help="Skip ANALYZE after loading (PostgreSQL)."
        )

    def handle(self, *args, count: int, batch_size: int, years: float, seed, **options):
        if count < 1:
            raise CommandError("Give a positive number of tickets.")
        started = time.monotonic()
        rng = random.Random(seed)
        ref = reference_data()
        now = datetime.now(UTC)
        self.start = now - timedelta(days=365.25 * years)
        self.span = (now - self.start).total_seconds()
        self.now = now
        tables = (
            Table(Ticket, TICKET_COLUMNS),
            Table(Article, ARTICLE_COLUMNS),
            Table(TicketEvent, EVENT_COLUMNS),
        )
        rows = {"tickets": 0, "articles": 0, "events": 0}
        done = 0
        report_every = max(batch_size, 10 ** max(4, int(math.log10(count)) - 1))
        while done < count:
            size = min(batch_size, count - done)
            with transaction.atomic():
                ids = (_next_id(Ticket), _next_id(Article), _next_id(TicketEvent))
                tickets, articles, events = self.batch(rng, ref, ids, done, size, count)
                for table, batch in zip(tables, (tickets, articles, events), strict=True):
                    table.write(batch)
            rows["tickets"] += len(tickets)
            rows["articles"] += len(articles)
            rows["events"] += len(events)
            done += size
            if done % report_every < size or done == count:
                elapsed = time.monotonic() - started
                self.stdout.write(
                    f"  {done:>10,} tickets  {elapsed:7.1f} s  {done / elapsed:,.0f}/s"
                )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(
                    no_style(), [Ticket, Article, TicketEvent]
                ):
                    cursor.execute(sql)
                if not options["no_analyze"]:
                    for model in (Ticket, Article, TicketEvent):
                        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {rows['tickets']:,} tickets, {rows['articles']:,} articles and "
                f"{rows['events']:,} events in {elapsed:.1f} s "
                f"({rows['tickets'] / elapsed:,.0f} tickets/s) on {connection.vendor}."
            )
        )

    def batch(self, rng, ref: Reference, ids, done: int, size: int, count: int):
        """Rows for tickets ``done`` .. ``done + size`` of ``count``; created_at rises with id."""
        ticket_id, article_id, event_id = ids
        tickets, articles, events = [], [], []
        channels = weighted(rng, CHANNELS, size)
        types = weighted(rng, TYPES, size)
        priorities = weighted(rng, PRIORITIES, size)
        active_split = weighted(rng, ACTIVE_SPLIT, size)
        done_split = weighted(rng, DONE_SPLIT, size)
        states = ref.states
        new_name = states[StateCategory.NEW].name
        for k in range(size):
            position = done + k
            created = self.start + timedelta(seconds=(position + rng.random()) * self.span / count)
            age = 1 - position / count  # 1 = oldest, 0 = newest
            p_active = ACTIVE_SHARE_NEWEST - (ACTIVE_SHARE_NEWEST - ACTIVE_SHARE_OLDEST) * age
            category = active_split[k] if rng.random() < p_active else done_split[k]
            state = states[category]
            channel = channels[k]
            requester_id, org_id, site_ids = rng.choice(ref.requesters)
            site_id = rng.choice(site_ids) if site_ids and rng.random() < 0.8 else None
            level = Level.L2.value if rng.random() < 0.25 else Level.L1.value
            team_id, members = rng.choice(ref.teams[level])
            vendor_id, vendor_reference = None, ""
            if category == StateCategory.PENDING_VENDOR or (
                category == StateCategory.CLOSED and rng.random() < 0.04
            ):
                vendor_id, vendor_reference = ref.vendor_id, f"V-{rng.randint(100000, 999999)}"
                if category == StateCategory.PENDING_VENDOR:
                    level = Level.VENDOR.value
            is_new = category == StateCategory.NEW
            owner_id = None if is_new or rng.random() < 0.2 else rng.choice(members)
            later = min(created + timedelta(seconds=rng.uniform(300, 10 * 86400)), self.now)
            resolved_at = (
                later if category in (StateCategory.RESOLVED, StateCategory.CLOSED) else None
            )
            closed_at = later if category == StateCategory.CLOSED else None
            subject = f"{rng.choice(SUBJECTS)} ({position % 997})"
            description = DESCRIPTION.format(site=site_id or "head office", n=ticket_id)
            category_id = rng.choice(ref.categories) if rng.random() < 0.9 else None
            tickets.append(
                (
                    ticket_id,
                    subject,
                    description,
                    types[k],
                    channel,
                    state.pk,
                    category,
                    priorities[k],
                    category_id,
                    level,
                    team_id,
                    owner_id,
                    None,
                    vendor_id,
                    vendor_reference,
                    requester_id,
                    org_id,
                    site_id,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    {},
                    "Restarted the device and updated it." if resolved_at else "",
                    "",  # delay_reason (R28): none
                    created,
                    created if is_new else later,
                    None if is_new else later,
                    resolved_at,
                    closed_at,
                    1 if is_new else 2,
                )
            )
            # The first article and the history, as ticket_create and ticket_write make them.
            by_agent = channel in (Channel.PHONE, Channel.WALK_IN)
            system = channel in (Channel.EMAIL, Channel.MONITORING)
            actor_id = rng.choice(ref.teams[Level.L1.value][0][1]) if by_agent else requester_id
            sender_role = (
                SenderRole.SYSTEM if channel == Channel.MONITORING else SenderRole.CUSTOMER
            ).value
            articles.append(
                (
                    article_id,
                    ticket_id,
                    CHANNEL_ARTICLE_KIND.get(channel, ArticleKind.SYSTEM).value,
                    sender_role,
                    False,
                    actor_id,
                    description,
                    "",
                    created,
                    "",
                    "",
                    "",
                    "",
                    "",
                )
            )
            chain = events_build(
                ticket_id=ticket_id,
                actor_id=None if system else actor_id,
                at=created,
                steps=[
                    Step(
                        EventAction.CREATED.value,
                        new=subject,
                        data={
                            "article_id": article_id,
                            "sender_role": sender_role,
                            "internal": False,
                            "channel": channel,
                            "logged_by_agent": by_agent,
                        },
                    )
                ],
                last_seq=0,
                last_hash="",
            )
            if not is_new:
                chain += events_build(
                    ticket_id=ticket_id,
                    actor_id=owner_id,
                    at=later,
                    steps=[
                        Step(
                            EventAction.CHANGED.value,
                            field="state",
                            old=new_name,
                            new=state.name,
                            data={"from_category": "new", "to_category": category},
                        )
                    ],
                    last_seq=chain[-1].seq,
                    last_hash=chain[-1].hash,
                )
            tickets[-1] = (*tickets[-1], chain[-1].seq, chain[-1].hash)
            for event in chain:
                events.append(
                    (
                        event_id,
                        ticket_id,
                        event.seq,
                        event.actor_id,
                        event.at,
                        event.action,
                        event.field,
                        event.old_value,
                        event.new_value,
                        event.data,
                        event.prev_hash,
                        event.hash,
                        event.key_id,
                    )
                )
                event_id += 1
            ticket_id += 1
            article_id += 1
        return tickets, articles, events
