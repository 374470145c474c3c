"""Dedup keys of mail with a Message-ID become a SHA-256 of the whole identifier.

The old key was ``mid:<id>`` (or ``mid:<id>#<digest16>``) cut at 600 characters, so two mails
whose ids differed only after that were taken for one. The new key hashes the whole id (kept in
``message_id``). Rows are rewritten in batches; any other key (``uid:``, ``sha:``) stays.
"""

import hashlib

from django.db import migrations

BATCH = 2000


def _key(message_id: str, digest: str = "") -> str:
    key = "mid:" + hashlib.sha256(message_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{key}#{digest[:16]}" if digest else key


def rekey(apps, schema_editor):
    InboundMail = apps.get_model("intake", "InboundMail")
    rows = (
        InboundMail.objects.filter(dedup_key__startswith="mid:<")
        .only("pk", "dedup_key", "message_id", "digest")
        .order_by("pk")
    )
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        mid = row.message_id
        if row.digest and row.dedup_key == f"mid:{mid}#{row.digest[:16]}"[:600]:
            row.dedup_key = _key(mid, row.digest)
        elif row.dedup_key == f"mid:{mid}"[:600]:
            row.dedup_key = _key(mid)
        else:
            continue
        batch.append(row)
        if len(batch) >= BATCH:
            InboundMail.objects.bulk_update(batch, ["dedup_key"])
            batch = []
    if batch:
        InboundMail.objects.bulk_update(batch, ["dedup_key"])


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop, elidable=True)]
