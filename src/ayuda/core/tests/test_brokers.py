"""A real Celery worker on each production broker (R37): started as production starts it, it
answers over the broker, has Ayuda's tasks loaded and runs one sent to it. The rest of the
suite runs tasks eagerly."""

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

BROKERS = {
    "redis": "redis://127.0.0.1:6379/13",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
}
OUR_TASKS = {
    "ayuda.intake.tasks.mailboxes_poll",
    "ayuda.notifications.tasks.notifications_sweep",
    "ayuda.notifications.tasks.outgoing_send",
}


def _wait_for(check, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    return None


@pytest.fixture
def worker(request, tmp_path):
    """A worker on the broker named by the test's parameter, with its own (migrated) SQLite
    database and its own queue; yields its name and queue, a client app on the same broker,
    and the database's path."""
    database = tmp_path / "worker.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ayuda.config.settings.base",
        "CELERY_BROKER_URL": BROKERS[request.param],
        "AYUDA_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "0",
    }
    manage = Path(__file__).resolve().parents[4] / "manage.py"
    subprocess.run([sys.executable, str(manage), "migrate", "-v", "0"], env=env, check=True)
    token = uuid.uuid4().hex[:8]
    name, queue = f"test-{token}@localhost", f"test-{token}"  # nothing else consumes it
    celery = Path(sys.executable).with_name("celery")
    process = subprocess.Popen(
        [str(celery), "-A", "ayuda.config", "worker", "--pool", "solo", "-n", name, "-Q", queue,
         "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = Celery("probe", broker=BROKERS[request.param])
    try:
        yield name, queue, client, database
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        client.close()


def _sweep_cursors(database: Path) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT name FROM notifications_eventcursor").fetchall()


@pytest.mark.parametrize(
    "worker",
    [
        pytest.param("redis", marks=pytest.mark.needs_server("redis")),
        pytest.param("rabbitmq", marks=pytest.mark.needs_server("rabbitmq")),
    ],
    indirect=True,
)
def test_a_worker_on_the_broker_runs_ayudas_tasks(worker):
    # given a worker started as production starts it, on a real broker
    name, queue, client, database = worker

    # when it is asked over the broker whether it is there and what it runs
    pong = _wait_for(lambda: client.control.ping(destination=[name], timeout=0.5))
    registered = client.control.inspect(destination=[name], timeout=2).registered()

    # then it answers, with Ayuda's tasks loaded
    assert pong == [{name: {"ok": "pong"}}]
    assert set(registered[name]) >= OUR_TASKS

    # when a task is sent to it through the broker (the notification sweep, as beat sends it)
    assert _sweep_cursors(database) == []
    client.send_task("ayuda.notifications.tasks.notifications_sweep", queue=queue)

    # then the worker ran it against its database
    assert _wait_for(lambda: _sweep_cursors(database)), "the task did not run"
