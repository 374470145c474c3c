#!/usr/bin/env bash
# Install Debian's chromium for the end-to-end tests (tests/e2e), if it is not there yet.
# Idempotent. The tests drive /usr/bin/chromium through Playwright's `executable_path`; we never
# download a browser through Playwright.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
    echo "chromium: already installed ($("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM"))"
    exit 0
fi

if ! command -v apt-get >/dev/null; then
    echo "chromium: $CHROMIUM is missing and apt-get is not available; install Chromium" \
        "yourself (the e2e tests skip without it)." >&2
    exit 1
fi

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null; then
        SUDO=(sudo)
    else
        echo "chromium: run as root (or install sudo) to install the chromium package." >&2
        exit 1
    fi
fi

# Only what is missing: no recommended extras (a font is named, so pages have text), and no
# upgrade of packages already installed beyond what chromium's own dependencies require.
# apt's output goes to a log; one line says what happened.
LOG="${TMPDIR:-/tmp}/ayuda-chromium-install.log"
export DEBIAN_FRONTEND=noninteractive
if ! { "${SUDO[@]}" apt-get update -qq &&
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-liberation; } \
    >"$LOG" 2>&1; then
    echo "chromium: installing Debian's chromium failed; see $LOG" >&2
    exit 1
fi
echo "chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")" \
    "($(grep -c '^Setting up' "$LOG") packages set up; apt's log: $LOG)"
