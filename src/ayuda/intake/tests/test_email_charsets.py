"""Text whatever its charset claims (intake/email/charsets.py)."""

import pytest

from ayuda.intake.email.charsets import header_8bit_decode, no_nul, text_decode

UTF8 = "año, pingüino".encode()
CP1252 = "Ça coûte 3 €".encode("cp1252")


@pytest.mark.parametrize(
    ("payload", "charset", "text"),
    [
        (UTF8, None, "año, pingüino"),  # no charset: UTF-8 first
        (UTF8, "us-ascii", "año, pingüino"),  # a label that says nothing about 8-bit bytes
        (CP1252, "unknown-8bit", "Ça coûte 3 €"),  # not UTF-8: Windows-1252
        (UTF8 + b"\n" + CP1252, "unknown-8bit", "año, pingüino\nÇa coûte 3 €"),  # line by line
        (UTF8, "iso-8859-1", "año, pingüino"),  # UTF-8 mislabelled as Latin-1
        ("Málaga".encode("latin-1"), "iso-8859-1", "Málaga"),  # real Latin-1 stays Latin-1
        ("ログイン".encode("iso-2022-jp"), "iso-2022-jp", "ログイン"),
        (UTF8, "x-no-such-charset", "año, pingüino"),  # unknown to Python: undeclared
        (CP1252, "utf-8", "Ça coûte 3 €"),  # a wrong label falls back line by line
        (b"\x81\x8d", None, "\x81\x8d"),  # bytes Windows-1252 does not define: Latin-1
    ],
)
def test_text_decode_reads_what_was_meant(payload, charset, text):
    assert text_decode(payload, charset) == text


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("José Pérez".encode().decode("ascii", "surrogateescape"), "José Pérez"),
        ("José".encode("latin-1").decode("ascii", "surrogateescape"), "José"),
        ("plain ascii", "plain ascii"),
    ],
)
def test_raw_8bit_headers_are_decoded(raw, text):
    assert header_8bit_decode(raw) == text


def test_nul_is_dropped():
    assert no_nul("a\x00b") == "ab"
