"""The fixture corpus parsed and filtered without a database; see fixtures/email/expected.json."""

import pytest

from ayuda.intake.email.filters import mail_classify
from ayuda.intake.email.parsing import MailParseError, html_sanitise, mail_parse
from ayuda.intake.email.pipeline import attachments_split
from ayuda.intake.email.trimming import html_trim, text_trim

from .mail_fixtures import expected, fixture_bytes, fixture_names

OWN = {"support@ayuda.test", "soporte@ayuda.test", "assistenza@ayuda.test"}


def test_every_fixture_has_an_expectation():
    from .mail_fixtures import FIXTURES

    # given the corpus on disk / when compared with expected.json / then nothing is untested
    assert sorted(p.name for p in FIXTURES.glob("*.eml")) == fixture_names()


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_parses_as_expected(name):
    # given
    exp = expected()[name]
    raw = fixture_bytes(name)

    # when
    if exp["verdict"] == "error":
        with pytest.raises(MailParseError):
            mail_parse(raw)
        return
    mail = mail_parse(raw)
    verdict = mail_classify(mail, own_addresses=OWN, instance_id="test-instance")

    # then
    assert verdict.kind == exp["verdict"], verdict.reason
    for key in ("from", "from_name", "subject", "message_id", "in_reply_to"):
        if key in exp:
            attr = {"from": "from_address"}.get(key, key)
            assert getattr(mail, attr) == exp[key], key
    if "subject_startswith" in exp:
        assert mail.subject.startswith(exp["subject_startswith"])
    if "references_count" in exp:
        assert len(mail.references) == exp["references_count"]
    if "thread_ids" in exp:
        assert mail.thread_ids == exp["thread_ids"]
    if "bounced_message_ids" in exp:
        assert verdict.bounced_message_ids == exp["bounced_message_ids"]
    for needle in exp.get("text_contains", []):
        assert needle in mail.text
    for needle in exp.get("text_not_contains", []):
        assert needle not in mail.text
    for needle in exp.get("html_contains", []):
        assert needle in mail.html
    for needle in exp.get("html_not_contains", []):
        assert needle.lower() not in mail.html.lower()
    if "trimmed" in exp:
        assert text_trim(mail.text) == exp["trimmed"]
    for needle in exp.get("trimmed_not_contains", []):
        assert needle not in text_trim(mail.text)
    for needle in exp.get("trimmed_html_not_contains", []):
        assert needle not in html_trim(mail.raw_html)
    if "attachments" in exp:
        assert [[f.name, f.inline] for f in mail.attachments] == exp["attachments"]


@pytest.mark.parametrize("name", [n for n in fixture_names() if "accepted" in expected()[n]])
def test_fixture_attachments_pass_the_content_checks_as_expected(name, settings):
    # given
    exp = expected()[name]
    for setting, value in exp.get("settings", {}).items():
        setattr(settings, setting, value)
    mail = mail_parse(fixture_bytes(name))

    # when: the checks the ingestion applies (content, size, count)
    accepted, refused = attachments_split(mail.attachments)

    # then
    assert [f.name for f in accepted] == exp["accepted"]
    assert len(refused) == len(exp["refused"])
    for name_refused, reason in zip(exp["refused"], refused, strict=True):
        assert name_refused in reason


def test_trimming_keeps_the_whole_text_when_only_a_quote_remains():
    # given a reply that only quotes
    text = "On Mon, 1 Jan 2025 at 10:00, A <a@example.com> wrote:\n> hello"

    # when / then
    assert text_trim(text) == text


def test_sanitiser_removes_active_content():
    # given
    html = (
        '<a href="javascript:x()" onclick="y()">a</a><iframe src="https://e.x"></iframe><b>ok</b>'
    )

    # when
    clean = html_sanitise(html)

    # then
    assert "javascript" not in clean and "onclick" not in clean and "iframe" not in clean
    assert "<b>ok</b>" in clean


def test_malformed_address_header_falls_back_to_a_plain_reading():
    # given a From header with an unquoted comma in the display name
    raw = (
        b"From: Lopez, Maria <maria@example.com>\r\nSubject: x\r\n"
        b"Message-ID: <m1@example.com>\r\n\r\nhi\r\n"
    )

    # when
    mail = mail_parse(raw)

    # then
    assert mail.from_address == "maria@example.com"


def test_broken_encoded_word_in_subject_does_not_fail():
    # given an encoded word with an unknown charset and bad base64
    raw = (
        b"From: a@example.com\r\nSubject: =?x-unknown?B?####?= tail\r\n"
        b"Message-ID: <m2@example.com>\r\n\r\nhi\r\n"
    )

    # when
    mail = mail_parse(raw)

    # then
    assert "tail" in mail.subject
