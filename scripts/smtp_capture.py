#!/usr/bin/env python3
"""A real SMTP server that accepts every mail and keeps it, for development and manual tests.

    .venv/bin/python scripts/smtp_capture.py [--host 127.0.0.1] [--port 1025] [--dir data/smtp]

Each mail is written as <n>.eml under --dir and summarised on stdout. Point Ayuda at it with
EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend EMAIL_HOST=127.0.0.1 EMAIL_PORT=1025.
The tests use the same aiosmtpd server in-process (ayuda.notifications.tests.smtp).
"""

import argparse
import itertools
import signal
import threading
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller


class SaveToDirectory:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        start = max((int(p.stem) for p in directory.glob("*.eml") if p.stem.isdigit()), default=0)
        self.counter = itertools.count(start + 1)

    async def handle_DATA(self, server, session, envelope):
        path = self.directory / f"{next(self.counter)}.eml"
        path.write_bytes(envelope.content)
        msg = message_from_bytes(envelope.content, policy=policy.default)
        print(
            f"{path.name}: {envelope.mail_from} -> {', '.join(envelope.rcpt_tos)}: {msg['subject']}"
        )
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", type=Path, default=Path("data/smtp"))
    args = parser.parse_args()
    controller = Controller(SaveToDirectory(args.dir), hostname=args.host, port=args.port)
    controller.start()
    print(f"SMTP capture on {args.host}:{args.port}, saving to {args.dir}/")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
