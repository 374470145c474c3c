"""Words, stems and snippets: the part of search that is the same on every database.

A query is cut into words here and never handed to a database's own query parser, so no input
(operators only, a lone quote, NUL bytes, ten thousand characters) can make a query fail:
``terms_parse`` keeps letters and digits only. Each word is searched in every language the
search covers (``LANGUAGES``): its Snowball stems in Spanish, Italian and English, ORed, so
"impresoras" finds an article that says "impresora" whatever the reader's language.

Accents are folded away before stemming, on both sides (documents and queries), as
PostgreSQL's ``unaccent`` does: "configuracion" and "configuración" are one word.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

# Ayuda's languages and their Snowball stemmers (PostgreSQL's configurations ayuda_<code>).
LANGUAGES = {"es": "spanish", "it": "italian", "en": "english"}

MAX_INPUT = 1000  # characters of a query read; the rest is ignored
MAX_WORDS = 8  # words of a query searched (ANDed)
MAX_SIMILAR_WORDS = 12  # words of a ticket used to find similar ones (ORed)
MAX_WORD = 40  # longer "words" are cut (no real word is longer)
MIN_PREFIX = 3  # a prefix shorter than this is not searched as you type

WORD = re.compile(r"[^\W_]+")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Words too common to search for in any of the three languages. Documents keep them (the
# PostgreSQL configurations and the SQLite index have no stop words, so a word that is a stop
# word in one language is still found in another); queries drop them, unless nothing else is
# left, because an AND with a word found in half the documents only costs time.
_STOPWORDS = """
    a al algo como con de del el en es esta este la las le lo los mas me mi no o para pero por
    que se si sin su sus un una uno unos y ya
    ad ai alla anche che ci col come da dal dei della delle di e gli ha ho i il in io le lo ma
    mi nel nella non per piu se si sono su tra un una uno
    an and are as at be by do for from has have i is it its my not of on or our so than that
    the their there this to was we were what when with you your
"""
STOPWORDS = frozenset(_STOPWORDS.split())

_local = threading.local()


def _stemmer(language: str):
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(LANGUAGES[language])
    return stemmers[language]


@lru_cache(maxsize=50_000)
def stem(language: str, word: str) -> str:
    """``word`` (already folded) stemmed in ``language``; unknown languages leave it as is."""
    if language not in LANGUAGES:
        return word
    return _stemmer(language).stemWord(word)


def fold(text: str) -> str:
    """Lower case without accents: "Configuración" -> "configuracion"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text`` (letters and digits; everything else separates)."""
    return [w[:MAX_WORD] for w in WORD.findall(fold(text))]


def plain(html: str) -> str:
    """The text of a sanitised HTML body (an article's)."""
    from html import unescape

    return unescape(strip_tags(html or ""))


def stemmed(text: str, language: str) -> str:
    """``text`` as the SQLite index stores it: folded words stemmed in ``language``."""
    return " ".join(stem(language, w) for w in words(text))


def variants(word: str) -> frozenset[str]:
    """What ``word`` may be in an index: itself and its stem in each language."""
    return frozenset({word, *(stem(language, word) for language in LANGUAGES)})


@dataclass(frozen=True)
class Terms:
    """A parsed query: words ANDed (or ORed for similar tickets), each one any of its
    variants; with ``prefix``, the last word also matches longer words (as you type)."""

    words: tuple[str, ...]
    prefix: bool = False
    any_word: bool = False

    def __bool__(self) -> bool:
        return bool(self.words)

    def groups(self) -> list[frozenset[str]]:
        return [variants(w) for w in self.words]


def terms_parse(query: str, *, prefix: bool = False) -> Terms:
    """Words to search for in ``query``, whatever it holds; empty when none."""
    found = words(CONTROL.sub(" ", (query or "")[:MAX_INPUT]))
    if prefix and found and len(found[-1]) < MIN_PREFIX:
        found = found[:-1]  # one letter typed: wait for the next
        prefix = False
    kept = [w for w in found if w not in STOPWORDS]
    if prefix and found and kept and kept[-1] != found[-1]:
        prefix = False  # the word being typed was a stop word: the others stay whole
    kept = kept or found
    unique = list(dict.fromkeys(kept))[:MAX_WORDS]
    return Terms(words=tuple(unique), prefix=prefix and bool(unique))


def similar_terms(text: str) -> Terms:
    """The words of a ticket's text to find similar ones with: any of them (ORed)."""
    kept = [w for w in words(CONTROL.sub(" ", text[:4000])) if len(w) > 2 and w not in STOPWORDS]
    unique = list(dict.fromkeys(kept))[:MAX_SIMILAR_WORDS]
    return Terms(words=tuple(unique), any_word=True)


@lru_cache(maxsize=50_000)
def _token_keys(token: str) -> frozenset[str]:
    folded = fold(token)
    return frozenset({folded, *(stem(language, folded) for language in LANGUAGES)})


def _matcher(terms: Terms):
    groups = terms.groups()
    exact = set().union(*groups) if groups else set()
    prefixes = tuple(groups[-1]) if terms.prefix and groups else ()

    def matches(token: str) -> int | None:
        """The index of the group ``token`` matches, or None."""
        keys = _token_keys(token)
        if keys & exact:
            for i, group in enumerate(groups):
                if keys & group:
                    return i
        if prefixes and any(k.startswith(p) for k in keys for p in prefixes):
            return len(groups) - 1
        return None

    return matches


def matched_share(terms: Terms, text: str) -> float:
    """The share (0..1) of ``terms``' words found in ``text``: the score shown for a
    similar ticket ("7 of its 10 words")."""
    if not terms:
        return 0.0
    matches = _matcher(terms)
    found = {m for m in (matches(t) for t in WORD.findall(text[:20_000])) if m is not None}
    return len(found) / len(terms.words)


def snippet(text: str, terms: Terms, *, length: int = 200) -> SafeString:
    """Up to ``length`` characters of ``text`` around its first match, escaped, with every
    matching word in ``<mark>``: safe HTML whatever the text holds."""
    text = CONTROL.sub(" ", text or "")
    text = " ".join(text[:20_000].split())
    matches = _matcher(terms) if terms else None
    first = None
    if matches:
        first = next((m for m in WORD.finditer(text) if matches(m.group()) is not None), None)
    start = 0
    if first and first.start() > length // 3:
        start = text.rfind(" ", 0, first.start() - length // 4) + 1
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + length // 2 else end
    hits = []
    if first:  # the words shown: only those are looked at again
        hits = [
            m
            for m in WORD.finditer(text, start, end)
            if m.end() <= end and matches(m.group()) is not None
        ]
    parts = ["…" if start > 0 else ""]
    position = start
    for hit in hits:
        parts.append(escape(text[position : hit.start()]))
        parts.append(f"<mark>{escape(hit.group())}</mark>")
        position = hit.end()
    parts.append(escape(text[position:end]))
    parts.append("…" if end < len(text) else "")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped
