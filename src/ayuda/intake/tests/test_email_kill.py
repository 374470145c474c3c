"""The kill test (issue 3): the poller is SIGKILLed again and again in the middle of a batch,
restarted each time, and in the end every mail is in exactly once.

It runs ``manage.py poll_mailboxes`` as a real process on its own database (an SQLite file,
or a fresh PostgreSQL database when DATABASE_URL points at PostgreSQL) against the Dovecot
that scripts/dovecot.sh starts, and reads the result straight from that database.
"""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from ayuda.intake.email.imap import PROCESSED_KEYWORD

from .factories import mail_bytes

pytestmark = [pytest.mark.needs_server("dovecot"), pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[4]
MAILS = 300
KILLS = 8


class Database:
    """A database the subprocesses share with the test, outside the test's transaction."""

    def __init__(self, tmp_path: Path) -> None:
        base = os.environ.get("DATABASE_URL", "")
        self.postgres = base.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            import psycopg

            self.name = f"ayuda_kill_{uuid.uuid4().hex[:8]}"
            self.admin_url = base.rsplit("/", 1)[0] + "/postgres"
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = base.rsplit("/", 1)[0] + "/" + self.name
        else:
            self.path = tmp_path / "kill.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def rows(self, sql: str) -> list[tuple]:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return conn.execute(sql).fetchall()
        with sqlite3.connect(self.path) as conn:
            return conn.execute(sql).fetchall()

    def drop(self) -> None:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _manage(env, *args, check=True, **kwargs):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=check,
        capture_output=True,
        text=True,
        **kwargs,
    )


@pytest.fixture
def kill_db(tmp_path):
    db = Database(tmp_path)
    yield db
    db.drop()


def test_poller_killed_repeatedly_ingests_every_mail_exactly_once(
    imap_server, imap_folder, kill_db, tmp_path
):
    # given a database, a mailbox and a batch of mails, some without a Message-ID
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ayuda.config.settings.test",
        "DATABASE_URL": kill_db.url,
        "AYUDA_DATA_DIR": str(tmp_path),
        "PYTHONWARNINGS": "ignore",
    }
    _manage(env, "migrate", "--noinput")
    _manage(
        env,
        "shell",
        "-c",
        "from ayuda.intake.models import Mailbox;"
        f"m = Mailbox(name='kill', email_address='support@ayuda.test', host='{imap_server.host}',"
        f" port={imap_server.port}, security='none', username='{imap_server.user}',"
        f" folder='{imap_folder}'); m.set_password('{imap_server.password}'); m.save()",
    )
    mails = [
        mail_bytes(
            sender=f"Customer {i} <customer{i}@example.com>",
            subject=f"KILLTEST-{i:04d} till number {i} is down",
            body=f"Mail {i} of the kill test.\n" + "Some more text to parse. " * 20,
            message_id=None if i % 10 == 0 else f"<kill-{i}-{uuid.uuid4().hex}@example.com>",
        )
        for i in range(MAILS)
    ]
    imap_server.deliver(imap_folder, *mails)

    # when the poller is killed mid-batch again and again, then left to finish
    interrupted = 0
    rng = random.Random(3)
    for _ in range(KILLS):
        before = kill_db.rows("SELECT COUNT(*) FROM intake_inboundmail")[0][0]
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "poll_mailboxes", "kill"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Kill once it has committed a few more mails (a random number), then at a random
        # moment a little later: between commits, mid-transaction or before the flags.
        target = min(before + rng.randint(3, MAILS // (KILLS + 2)), MAILS - 1)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if kill_db.rows("SELECT COUNT(*) FROM intake_inboundmail")[0][0] >= target:
                break
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 0.05))
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = kill_db.rows("SELECT COUNT(*) FROM intake_inboundmail")[0][0]
        if not finished and before < after < MAILS:
            interrupted += 1
        if finished:
            break
    final = _manage(env, "poll_mailboxes", "kill", timeout=300)
    again = _manage(env, "poll_mailboxes", "kill", timeout=120)

    # then the kills really landed in the middle of the work
    print(f"kills that interrupted a batch: {interrupted}")
    assert interrupted >= 3, f"only {interrupted} kills interrupted a batch"
    # and every mail became exactly one ticket, with one intake record
    subjects = kill_db.rows("SELECT subject, COUNT(*) FROM tickets_ticket GROUP BY subject")
    counts = {s.split()[0]: n for s, n in subjects}
    assert sorted(counts) == [f"KILLTEST-{i:04d}" for i in range(MAILS)], final.stdout
    assert set(counts.values()) == {1}
    assert kill_db.rows("SELECT COUNT(*) FROM intake_inboundmail")[0][0] == MAILS
    assert kill_db.rows("SELECT COUNT(*) FROM tickets_article")[0][0] == MAILS
    # and every mail is flagged on the server; the last run found nothing new
    with imap_server.client() as client:
        client.select_folder(imap_folder, readonly=True)
        assert client.search(["UNKEYWORD", PROCESSED_KEYWORD]) == []
    assert "0 new" in again.stdout
