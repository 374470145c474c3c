#!/usr/bin/env bash
# Start Ayuda on the embedded default: the Django web app and one Celery worker with its beat
# scheduler. `make run` calls this after migrating and loading the demo data.
#
#   PORT=8000 HOST=127.0.0.1 bash scripts/run.sh
#
# Ctrl-C (or SIGTERM to this script) stops every process it started. If one of them exits on
# its own (say the port is taken), the others are stopped too and the script exits non-zero.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
DATA_DIR="${AYUDA_DATA_DIR:-data}"
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
CELERY="$VENV/bin/celery"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-ayuda.config.settings.base}"
export PYTHONUNBUFFERED=1
# Importable even when the virtualenv holds only the dependencies (manage.py does the same).
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"

for tool in "$PY" "$CELERY"; do
    if [[ ! -x "$tool" ]]; then
        echo "run.sh: $tool not found; run 'make run' (it installs the virtualenv first)." >&2
        exit 1
    fi
done

# The embedded broker (sqla+sqlite:///data/broker.sqlite3) needs data/; a filesystem:// broker
# needs its folders to exist before the first message is written.
mkdir -p "$DATA_DIR/broker/out" "$DATA_DIR/broker/processed" "$DATA_DIR/broker/control"

# Each child runs in its own session and process group (setsid), so stopping a group also stops
# what it forked: runserver's autoreloader child and the worker's pool and beat processes.
web_pid=""
worker_pid=""

stop_all() {
    local pid alive
    trap - INT TERM HUP
    # runserver: the whole group (its autoreloader parent does not pass the signal on).
    [[ -n "$web_pid" ]] && kill -TERM -- "-$web_pid" 2>/dev/null
    # Celery: only the main process, which does a warm shutdown (running tasks finish, prefetched
    # ones go back to the broker) and stops its pool and beat itself.
    [[ -n "$worker_pid" ]] && kill -TERM "$worker_pid" 2>/dev/null
    for _ in $(seq 1 30); do
        alive=0
        for pid in $web_pid $worker_pid; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        ((alive)) || break
        sleep 1
    done
    # Whatever is left after 30 s (or was orphaned) is killed.
    for pid in $web_pid $worker_pid; do
        kill -KILL -- "-$pid" 2>/dev/null
    done
    wait 2>/dev/null
}

on_signal() {
    echo
    echo "Stopping Ayuda..."
    stop_all
    exit 0
}
trap on_signal INT TERM HUP

setsid "$PY" manage.py runserver "$HOST:$PORT" &
web_pid=$!
setsid "$CELERY" -A ayuda.config worker -B --loglevel=INFO &
worker_pid=$!

url="http://$HOST:$PORT/"
# Say where to go once the web app answers (at most ~60 s; the worker starts alongside).
"$PY" - "$url" <<'EOF' || true
import sys
import time
import urllib.error
import urllib.request

url = sys.argv[1]
for _ in range(120):
    try:
        urllib.request.urlopen(url + "health", timeout=2)  # noqa: S310 - our own local URL
        break
    except urllib.error.HTTPError:
        break  # it answered (503 means the broker or database is not ready yet)
    except OSError:
        time.sleep(0.5)
EOF

echo
echo "================================================================"
echo " Ayuda is running at $url"
if [[ -s "$DATA_DIR/demo-logins.txt" ]]; then
    echo
    echo " Demo log-ins:"
    sed 's/^/   /' "$DATA_DIR/demo-logins.txt"
fi
echo
echo " Press Ctrl-C to stop."
echo "================================================================"
echo

# Wait until any child exits on its own (or a signal arrives and on_signal runs).
wait -n
status=$?
echo "run.sh: a process exited (status $status); stopping the others." >&2
stop_all
exit "$((status == 0 ? 1 : status))"
