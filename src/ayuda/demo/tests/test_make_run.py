"""`make run` prints the demo log-ins once: what its load_demo step prints plus what
scripts/run.sh prints once the web app answers, both run for real."""

import os
import shlex
import signal
import socket
import subprocess
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from ayuda.demo.data.desk import USERS

ROOT = Path(__file__).resolve().parents[4]
pytestmark = pytest.mark.django_db


def _load_demo_as_make_run_does(settings, tmp_path) -> str:
    """Run the load_demo command line that `make run` runs (read from `make -n run`)."""
    plan = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in plan.splitlines() if "manage.py load_demo" in line)
    args = shlex.split(line)
    args = args[args.index("load_demo") :]
    settings.DATA_DIR = tmp_path
    settings.DEBUG = True  # as `make run` runs
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_sh_banner(data_dir: Path) -> str:
    """Start scripts/run.sh, read what it prints until its banner ends, then stop it."""
    env = os.environ | {
        "AYUDA_DATA_DIR": str(data_dir),
        "PORT": str(_free_port()),
        "DJANGO_SETTINGS_MODULE": "ayuda.config.settings.base",
        "CELERY_BROKER_URL": f"sqla+sqlite:///{data_dir / 'broker.sqlite3'}",
    }
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        ["bash", "scripts/run.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Press Ctrl-C to stop." in line:
                break
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    assert any("Press Ctrl-C to stop." in line for line in lines), "".join(lines)
    return "".join(lines)


def test_make_run_lists_the_demo_log_ins_once(settings, tmp_path):
    # when `make run` loads the demo and starts the app
    printed = _load_demo_as_make_run_does(settings, tmp_path) + _run_sh_banner(tmp_path)

    # then each demo user's log-in line appears exactly once, as does the password line
    for username, *_rest in USERS:
        rows = [line for line in printed.splitlines() if line.split()[:1] == [username]]
        assert len(rows) == 1, (username, printed)
    assert printed.count("password for every user: ayuda-demo") == 1
