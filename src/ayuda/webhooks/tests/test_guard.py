"""No server-side request forgery: internal addresses are refused when a URL is saved and
again when a delivery connects, after DNS; the allow-list lets a named receiver through.
No test here opens a connection anywhere but 127.0.0.1."""

import json

import pytest

from ayuda.core.errors import ValidationError
from ayuda.tickets.tests.factories import desk_make, ticket_make
from ayuda.webhooks import guard, transport
from ayuda.webhooks.models import Delivery, DeliveryStatus

from .factories import subscription_make

pytestmark = pytest.mark.django_db

INTERNAL = [
    "http://127.0.0.1/hook",
    "http://127.8.9.10:8080/hook",
    "http://localhost:8000/hook",  # a name that resolves to loopback
    "http://[::1]/hook",
    "http://10.0.0.1/hook",
    "http://172.16.5.4/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",  # the cloud metadata address
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",  # loopback inside an IPv4-mapped IPv6 address
    "http://[64:ff9b::a9fe:a9fe]/hook",  # 169.254.169.254 through NAT64
    "http://0.0.0.0/hook",
    "http://[::]/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://2130706433/hook",  # 127.0.0.1 written as one number
    "http://0177.0.0.1/hook",  # in octal
    "http://0x7f000001/hook",  # in hexadecimal
    "http://127.1/hook",  # shortened
    "http://[::ffff:a9fe:a9fe]/hook",  # 169.254.169.254, IPv4-mapped in hexadecimal
    "http://[fec0::1]/hook",  # IPv6 site-local (deprecated, still private in practice)
    "http://[fe80::1%25eth0]/hook",  # link-local with a zone
]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused_when_saved(url, settings):
    # given
    settings.AYUDA_WEBHOOK_ALLOW = []
    desk = desk_make()

    # when / then
    with pytest.raises(ValidationError) as refused:
        subscription_make(admin=desk.admin, url=url)
    assert refused.value.field == "url"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "gopher://x/",
        "http://",
        "not a url",
        "http://user:secret@example.com/",
    ],
)
def test_other_schemes_and_broken_urls_are_refused(url):
    desk = desk_make()
    with pytest.raises(ValidationError):
        subscription_make(admin=desk.admin, url=url)


def test_a_public_address_is_accepted_when_saved():
    # given
    desk = desk_make()

    # when (checked only: nothing is sent to it in this test)
    subscription, _secret = subscription_make(admin=desk.admin, url=" https://93.184.215.14/h ")

    # then
    assert subscription.url == "https://93.184.215.14/h"


def test_the_allow_list_names_a_host_or_a_network(settings):
    # given
    settings.AYUDA_WEBHOOK_ALLOW = ["localhost", "10.20.0.0/16"]

    # when
    by_name = guard.target_resolve("http://localhost:9000/a?b=1")
    by_network = guard.target_resolve("http://10.20.3.4/hook")

    # then
    assert (by_name.address, by_name.path, by_name.host_header) == (
        "127.0.0.1",
        "/a?b=1",
        "localhost:9000",
    )
    assert by_network.address == "10.20.3.4"
    with pytest.raises(guard.ForbiddenAddressError):
        guard.target_resolve("http://10.21.0.1/hook")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:{port}/hook", "http://localhost:{port}/hook", "http://[::1]:{port}/"]
)
def test_an_internal_address_is_refused_again_when_connecting(url, receiver, committed, settings):
    # given: saved while an allow-list let it through, then the allow-list changed
    settings.AYUDA_WEBHOOK_ALLOW = ["127.0.0.0/8", "::1"]
    desk = desk_make()
    subscription, _secret = subscription_make(admin=desk.admin, url=url.format(port=receiver.port))
    settings.AYUDA_WEBHOOK_ALLOW = []

    # when
    committed(ticket_make, requester=desk.requester)

    # then: no connection was made; the refusal is in the log
    assert receiver.requests == []
    delivery = Delivery.objects.get(subscription=subscription)
    attempt = delivery.attempt_log.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert attempt.status_code is None
    assert "internal address" in attempt.error
    assert attempt.address == ""


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(receiver):
    # given: a name that never resolves (.invalid), pinned to the checked address
    target = guard.Target("http", "receiver.invalid", receiver.port, "/in?x=1", "127.0.0.1")

    # when
    outcome = transport.post(target, body=b"{}", headers={"webhook-id": "msg_1"})

    # then: nothing resolved the name again; the request arrived with it
    assert outcome.status_code == 204
    request = receiver.requests[0]
    assert request.headers["host"] == f"receiver.invalid:{receiver.port}"
    assert request.path == "/in?x=1"


def test_redirects_are_not_followed(receiver, committed):
    # given
    receiver.status = 302
    desk = desk_make()
    subscription, _secret = subscription_make(admin=desk.admin, url=receiver.url)

    # when
    committed(ticket_make, requester=desk.requester)

    # then
    assert len(receiver.requests) == 1
    delivery = Delivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.RETRYING, 302)


def test_a_receiver_that_does_not_answer_times_out(settings):
    # given: a socket that accepts and never answers
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    settings.AYUDA_WEBHOOK_TIMEOUT_SECONDS = 0.5
    target = guard.Target("http", "127.0.0.1", listener.getsockname()[1], "/", "127.0.0.1")

    # when
    try:
        outcome = transport.post(target, body=json.dumps({}).encode(), headers={})
    finally:
        listener.close()
        transport.pools_clear()

    # then
    assert outcome.status_code is None
    assert "timed out" in outcome.error.lower()
    assert outcome.duration_ms < 3000


@pytest.fixture
def tls_receiver(tmp_path, settings):
    """An HTTPS receiver on 127.0.0.1 with a certificate for receiver.test from a private CA."""
    import ssl

    from .receiver import Receiver
    from .tls import certificates_make

    ca, cert, key = certificates_make(tmp_path, dns_name="receiver.test")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    settings.AYUDA_WEBHOOK_CA_FILE = str(ca)
    transport.pools_clear()
    server = Receiver(tls=context).start()
    yield server
    server.stop()
    transport.pools_clear()


def test_https_to_the_checked_address_verifies_the_certificate_for_the_name(tls_receiver):
    # given: the name (which no resolver knows) pinned to the checked address
    target = guard.Target("https", "receiver.test", tls_receiver.port, "/in", "127.0.0.1")

    # when
    outcome = transport.post(target, body=b"{}", headers={})

    # then: TLS checked the certificate against the name (SNI), not the address
    assert (outcome.status_code, outcome.error) == (204, "")
    assert tls_receiver.requests[0].headers["host"] == f"receiver.test:{tls_receiver.port}"


def test_https_refuses_a_certificate_for_another_name(tls_receiver):
    # given: the same server reached under a name its certificate does not carry
    target = guard.Target("https", "other.test", tls_receiver.port, "/in", "127.0.0.1")

    # when
    outcome = transport.post(target, body=b"{}", headers={})

    # then
    assert outcome.status_code is None
    assert "certificate" in outcome.error.lower() or "hostname" in outcome.error.lower()
    assert tls_receiver.requests == []


def test_a_url_longer_than_its_column_is_refused_with_a_reason():
    # given: a public address and a path longer than the 2,000 characters stored
    desk = desk_make()
    url = "http://93.184.216.34/" + "a" * 2000

    # when / then: a field error, not the database's (PostgreSQL refuses it; SQLite keeps it)
    with pytest.raises(ValidationError) as refused:
        subscription_make(admin=desk.admin, url=url)
    assert refused.value.field == "url"
