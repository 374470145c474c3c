"""Signing, once, the chains written before keyed hashes (migration 0010).

Those events carry a plain SHA-256 (``legacy_event_hash``) that anyone could recompute, and an
empty ``key_id``. At the upgrade, each ticket's chain is checked the old way (every link and
the ticket's head); a chain that holds is re-hashed under the current history key, link by
link, and the ticket's head moves with it. A chain that was already broken is left as it is,
unsigned, so ``verify_history`` keeps reporting it ("not signed with a history key") instead
of the upgrade laundering it. This is a one-time migration step: afterwards nothing rewrites
events (the database refuses it, migration 0011), and an unsigned event never verifies.
"""

from itertools import groupby

from django.db import connections

from .chain import event_content, event_hash, legacy_event_hash
from .keys import signing_key


def _legacy_chain_holds(chain: list, head: tuple[int, str] | None) -> bool:
    prev = ""
    for expected_seq, event in enumerate(chain, start=1):
        if event.key_id or event.seq != expected_seq or event.prev_hash != prev:
            return False
        if legacy_event_hash(**event_content(event)) != event.hash:
            return False
        prev = event.hash
    return bool(chain) and head == (chain[-1].seq, chain[-1].hash)


def legacy_chains_sign(*, ticket_model, event_model, batch_size: int = 1000) -> tuple[int, int]:
    """Sign every unsigned chain that verifies the old way; return (signed, left unsigned).

    Takes the models as arguments so a migration can pass its historical ones. Tickets are
    read in batches by id, their events in one ordered query per batch."""
    kid, secret = signing_key()
    signed = left = 0
    last_pk = 0
    while True:
        heads = {
            pk: (seq, head)
            for pk, seq, head in ticket_model.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "history_seq", "history_head")[:batch_size]
        }
        if not heads:
            return signed, left
        ids = list(heads)
        last_pk = ids[-1]
        rows = event_model.objects.filter(ticket_id__gte=ids[0], ticket_id__lte=last_pk).order_by(
            "ticket_id", "seq"
        )
        events, tickets = [], []
        for ticket_id, group in groupby(rows.iterator(chunk_size=5000), key=lambda e: e.ticket_id):
            chain = list(group)
            if all(event.key_id for event in chain):
                continue  # written after the upgrade
            if ticket_id not in heads or not _legacy_chain_holds(chain, heads[ticket_id]):
                left += 1
                continue
            prev = ""
            for event in chain:
                event.prev_hash, event.key_id = prev, kid
                event.hash = prev = event_hash(secret=secret, **event_content(event))
            events += chain
            tickets.append(ticket_model(pk=ticket_id, history_head=prev))
            signed += 1
        _write(event_model, ["prev_hash", "key_id", "hash"], events)
        _write(ticket_model, ["history_head"], tickets)


def _write(model, fields: list[str], objects: list) -> None:
    """UPDATE by primary key, one statement executed many times (pipelined by psycopg):
    several times faster than ``bulk_update``'s CASE expressions on large batches."""
    if not objects:
        return
    connection = connections[model.objects.db]
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name).column for name in fields]
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [(*(getattr(obj, name) for name in fields), obj.pk) for obj in objects]
        )
