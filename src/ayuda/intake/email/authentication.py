"""Whether the receiving mail server vouches for a mail's From address (RFC 8601).

Anyone can write a staff member's address in From. What cannot be forged from outside is the
verdict of our own receiving server, written in an ``Authentication-Results`` header that
starts with its *authserv-id* (``mx.example.com; dmarc=pass header.from=example.com``). So:

- only headers whose authserv-id is one the administrator configured for the mailbox
  (``Mailbox.authserv_ids``) are read; any other was written by a server we do not run, or by
  the sender, and is ignored (RFC 8601, section 5);
- the From address is verified when one of them says ``dmarc=pass`` with ``header.from``
  the From domain, or
  ``dkim=pass`` with a signing domain (``header.d``, or ``header.i``'s domain) aligned with the
  From domain, or ``spf=pass`` with a MAIL FROM (``smtp.mailfrom``) aligned with it;
- a ``dmarc`` result other than ``pass`` for the From domain in any of them wins over a DKIM or
  SPF pass, and over another header's DMARC pass (a forged header lower down cannot outweigh
  the real one).

Alignment is DMARC's relaxed alignment without the Public Suffix List: the same domain, or one a
subdomain of the other, the parent having at least two labels. Headers are parsed with
``authres`` (RFC 8601 grammar: comments, versions, several results, any case); a header it
cannot parse counts for nothing.
"""

import logging
from collections.abc import Iterable

import authres

from .parsing import ParsedMail

logger = logging.getLogger(__name__)


def authserv_ids_parse(value: str) -> list[str]:
    """ "mx1.example.com, mx2.example.com" -> the ids, lower-cased."""
    parts = (value or "").replace(";", ",").split(",")
    return [part.strip().lower() for part in parts if part.strip()]


def _domain(value: str) -> str:
    return (value or "").strip().strip('"<>').rpartition("@")[2].strip(".").lower()


def aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment: equal, or one a subdomain of the other (the parent with 2+ labels)."""
    if not domain or not from_domain:
        return False
    if domain == from_domain:
        return True
    parent, child = sorted((domain, from_domain), key=len)
    return parent.count(".") >= 1 and child.endswith("." + parent)


def _headers(mail: ParsedMail, name: str) -> list[str]:
    return [
        " ".join(str(value).split())
        for key, value in mail.message.raw_items()
        if key.lower() == name.lower()
    ]


def _results(mail: ParsedMail, authserv_ids: Iterable[str]) -> list:
    """The results of the Authentication-Results headers written by our receiving server."""
    wanted = {a.lower() for a in authserv_ids}
    results = []
    for value in _headers(mail, "Authentication-Results"):
        try:
            header = authres.AuthenticationResultsHeader.parse_value(value)
        except Exception:  # authres raises its own SyntaxError and others on garbage
            logger.info("Unreadable Authentication-Results header ignored: %.200s", value)
            continue
        if (header.authserv_id or "").lower() in wanted:
            results += header.results
    return results


def _property(result, ptype: str, name: str) -> str:
    for prop in result.properties:
        if (prop.type or "").lower() == ptype and (prop.name or "").lower() == name:
            return str(prop.value or "")
    return ""


def mail_authenticated(*, mail: ParsedMail, authserv_ids: Iterable[str]) -> bool:
    """Whether our receiving server verified the mail's From domain (see the module doc)."""
    from_domain = _domain(mail.from_address)
    if not from_domain:
        return False
    results = _results(mail, authserv_ids)
    dmarc_passed = False
    for result in results:
        if (result.method or "").lower() != "dmarc":
            continue
        checked = _domain(_property(result, "header", "from"))
        if checked and checked != from_domain:
            continue  # about another From domain (a second From header, say)
        verdict = (result.result or "").lower()
        if verdict not in ("pass", "none"):
            return False
        dmarc_passed = dmarc_passed or (verdict == "pass" and checked == from_domain)
    if dmarc_passed:
        return True
    for result in results:
        method, verdict = (result.method or "").lower(), (result.result or "").lower()
        if verdict != "pass":
            continue
        if method == "dkim":
            signer = _property(result, "header", "d") or _domain(_property(result, "header", "i"))
            if aligned(_domain(signer), from_domain):
                return True
        elif method == "spf" and aligned(
            _domain(_property(result, "smtp", "mailfrom")), from_domain
        ):
            return True
    return False
