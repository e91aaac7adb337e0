"""Safe XML parsing for feeds and sitemaps fetched from untrusted publishers.

Decisions (``docs/hardening.md``, "Feeds and sitemaps", scenarios 20-22):

* No DTD is loaded, no entity is resolved, no network is used, ``huge_tree`` stays off so
  libxml2's own limits (depth, text node size, entity amplification) apply.
* Documents whose internal DTD subset declares an *external* entity (XXE), a parameter
  entity, a nested entity (billion laughs) or a long entity value (quadratic blow-up) are
  refused with :class:`EntitiesRefused`: they are attacks, not news, and are counted as
  malformed. Short internal declarations (``<!ENTITY nbsp "&#160;">``, seen in old CMS
  feeds) are tolerated but never expanded: references to them simply drop out of the text.
* Recover mode is on: a truncated or sloppy document yields every element that parsed, so a
  feed cut off mid-item still gives its complete items. Only a document with no root at
  all raises :class:`XMLError`.
"""

from __future__ import annotations

import re
import zlib

from lxml import etree

GZIP_MAGIC = b"\x1f\x8b"
_ENTITY_VALUE_LIMIT = 64  # characters; longer internal entities only make sense as a bomb
_DOCTYPE_SCAN_BYTES = 1024 * 1024
_DOCTYPE_RE = re.compile(rb"<!DOCTYPE\b[^\[>]*\[(.*?)\]\s*>", re.DOTALL | re.IGNORECASE)
_ENTITY_RE = re.compile(
    rb"<!ENTITY\s+(%\s+)?[^\s>]+\s+(?:(SYSTEM|PUBLIC)\b|\"([^\"]*)\"|'([^']*)')", re.DOTALL
)

_CHAR_REF_RE = re.compile(r"&#(x[0-9a-fA-F]{1,6}|[0-9]{1,7});")


class XMLError(ValueError):
    """An XML document was refused; the message is one line (malformed, entities, size)."""


class XMLTooLarge(XMLError):
    """The document, or its decompressed form, is over the byte cap."""


class EntitiesRefused(XMLError):
    """The document declares external, parameter, nested or oversized entities."""


def parse_xml(data: bytes, *, max_bytes: int, base_url: str | None = None) -> etree._Element:
    """Parse untrusted XML bytes into the root element; raise :class:`XMLError` if refused.

    ``base_url`` lets ``element.base`` honour ``xml:base`` (Atom) relative to the fetch URL.
    """
    if len(data) > max_bytes:
        raise XMLTooLarge(f"too large: {len(data)} bytes > cap {max_bytes}")
    _refuse_entities_in_prolog(data[:_DOCTYPE_SCAN_BYTES])
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser, base_url=base_url)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise XMLError(f"malformed XML: {_one_line(str(exc))}") from None
    if root is None:
        raise XMLError(f"malformed XML: {_first_error(parser)}")
    _refuse_declared_entities(root)
    return root


def gunzip_capped(data: bytes, max_bytes: int) -> bytes:
    """Decompress gzip ``data``, refusing output past ``max_bytes`` (gzip bombs)."""
    # wbits=16+MAX_WBITS: gzip header and trailer, as served for sitemaps.org ``.xml.gz``.
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise XMLError(f"malformed gzip: {_one_line(str(exc))}") from None
    if len(out) > max_bytes:
        raise XMLTooLarge(f"too large: gzip expands past cap {max_bytes} bytes")
    # A truncated gzip stream still gives what was inflated: recover like truncated XML.
    return out


def maybe_gunzip(data: bytes, max_bytes: int) -> bytes:
    """Gunzip ``data`` when it starts with the gzip magic bytes, else return it unchanged."""
    return gunzip_capped(data, max_bytes) if data[:2] == GZIP_MAGIC else data


def _refuse_entities_in_prolog(head: bytes) -> None:
    # Fast path before libxml2 sees the document; only ASCII-compatible encodings match here,
    # the post-parse check below covers the rest (e.g. UTF-16).
    match = _DOCTYPE_RE.search(head)
    if match is None or b"<!ENTITY" not in match.group(1):
        return
    for ent in _ENTITY_RE.finditer(match.group(1)):
        parameter, external, dq, sq = ent.groups()
        value = dq if dq is not None else sq
        _check_entity(bool(parameter), bool(external), value.decode("latin-1") if value else "")


def _refuse_declared_entities(root: etree._Element) -> None:
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is None:
        return
    for ent in dtd.iterentities():
        try:
            values = (ent.orig or "", ent.content or "")
        except UnicodeError:  # recover mode let bytes that are not UTF-8 into the DTD
            raise EntitiesRefused("entities refused: undecodable entity declared") from None
        for value in values:
            _check_entity(False, ent.system_url is not None, value)


def _check_entity(parameter: bool, external: bool, value: str) -> None:
    if external:
        raise EntitiesRefused("entities refused: external entity declared (XXE)")
    if parameter:
        raise EntitiesRefused("entities refused: parameter entity declared")
    # Character references are expanded at declaration time, so "&#38;lol;" nests too.
    value = _CHAR_REF_RE.sub(_char_ref, value)
    if "&" in value or "%" in value:
        raise EntitiesRefused("entities refused: nested entity declared (entity expansion)")
    if len(value) > _ENTITY_VALUE_LIMIT:
        raise EntitiesRefused("entities refused: oversized entity declared (entity expansion)")


def _char_ref(match: re.Match[str]) -> str:
    ref = match.group(1)
    code = int(ref[1:], 16) if ref.startswith("x") else int(ref)
    return chr(code) if code < 0x110000 else "&"


def _first_error(parser: etree.XMLParser) -> str:
    errors = parser.error_log
    return _one_line(errors[0].message) if len(errors) else "no root element"


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200] or "unknown error"
