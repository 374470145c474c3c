"""The private Dovecot that scripts/dovecot.sh starts, as the tests reach it."""

import os
import socket
import uuid
from dataclasses import dataclass

from imapclient import IMAPClient

SKIP_HINT = "start it with scripts/dovecot.sh start"


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    tls_port: int = 10993
    ca_file: str = ""

    def client(self) -> IMAPClient:
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def folder_create(self) -> str:
        name = f"test-{uuid.uuid4().hex[:12]}"
        with self.client() as client:
            client.create_folder(name)
        return name

    def folder_delete(self, name: str) -> None:
        with self.client() as client:
            if client.folder_exists(name):
                client.delete_folder(name)

    def deliver(self, folder: str, *mails: bytes) -> None:
        """Put mails into a folder, as the MTA's local delivery would (IMAP APPEND)."""
        with self.client() as client:
            for raw in mails:
                client.append(folder, _crlf(raw))


def _crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def imap_server_from_env() -> ImapServer:
    return ImapServer(
        host=os.environ.get("AYUDA_TEST_IMAP_HOST", "127.0.0.1"),
        port=int(os.environ.get("AYUDA_TEST_IMAP_PORT", "10143")),
        user=os.environ.get("AYUDA_TEST_IMAP_USER", "ayuda"),
        password=os.environ.get("AYUDA_TEST_IMAP_PASSWORD", "ayuda-test"),
        tls_port=int(os.environ.get("AYUDA_TEST_IMAPS_PORT", "10993")),
        ca_file=os.environ.get(
            "AYUDA_TEST_IMAP_CA_FILE", f"/tmp/ayuda-dovecot-{os.getuid()}/cert.pem"
        ),
    )


def dovecot_running(server: ImapServer) -> bool:
    try:
        with socket.create_connection((server.host, server.port), timeout=2) as sock:
            return sock.recv(100).startswith(b"* OK")
    except OSError:
        return False
