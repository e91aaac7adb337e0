"""Bytes → text: BOM, HTTP header, ``<meta>`` declaration, then detection.

The order follows the WHATWG encoding-sniffing algorithm (BOM beats everything, then the
transport layer, then the prescan of the first bytes), with two deliberate departures
for pages that lie about themselves:

* a declaration is only believed if the bytes agree: a page declared UTF-8 whose bytes are
  not UTF-8 is re-examined, and a page declared as a single-byte Western charset whose
  bytes form valid multi-byte UTF-8 is read as UTF-8 (the classic "utf-8 stored, latin-1
  served" mix-up);
* a page that is mostly UTF-8 with a few stray cp1252 bytes (templates pasted from
  Word) is read as UTF-8 with those bytes mapped through cp1252, so nothing becomes U+FFFD.

httpx only looks at the header, never at ``<meta charset>``, hence this module.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

# Per the WHATWG Encoding Standard these labels all mean windows-1252 on the web.
_WESTERN_SINGLE_BYTE = {"ascii", "latin-1", "iso8859-1", "cp1252"}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # must precede UTF-16 LE: it starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:\-]+)""", re.I)
# WHATWG prescan looks at the first 1024 bytes; real pages put long <head> scripts first.
_PRESCAN_BYTES = 8192
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([\w.:\-]+)""", re.I)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_LATIN_RIVALS = {
    "cp1250",
    "iso8859-2",
    "cp1257",
    "iso8859-4",
    "iso8859-13",
    "iso8859-15",
    "iso8859-9",
    "cp1254",
    "mac-roman",
    "mac-latin2",
    "cp850",
    "cp437",
}
# Single-byte legacy codecs: their text almost never forms valid UTF-8 multi-byte runs, so
# such runs prove the declaration wrong (multi-byte CJK codecs can look like UTF-8: excluded).
_SINGLE_BYTE_PREFIXES = ("cp125", "iso8859", "koi8", "mac-", "cp437", "cp85", "cp86", "tis")
_CENTRAL_EUROPEAN_LANG = re.compile(rb"""<html[^>]+lang=["']?(pl|cs|sk|hu|sl|hr|ro|bs|sr)""", re.I)
_FALLBACK_HANDLER = "scraper-cp1252-fallback"
_HIGH_BYTES = bytes(range(0x80, 0x100))


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode the offending bytes as cp1252 (undefined cp1252 bytes as latin-1)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    chunk = exc.object[exc.start : exc.end]
    out = []
    for byte in chunk:
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out), exc.end


codecs.register_error(_FALLBACK_HANDLER, _cp1252_fallback)


def normalise_charset(label: str | None) -> str | None:
    """Return Python's codec name for a charset label, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in ("x-user-defined", "unicode", "none", "utf8mb4"):
        return "utf-8" if label == "utf8mb4" else None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _WESTERN_SINGLE_BYTE:
        return "cp1252"
    # A page cannot declare UTF-16 in a header/meta and be ASCII-compatible (WHATWG).
    if name.startswith("utf-16") or name.startswith("utf-32"):
        return "utf-8"
    return name


def header_charset(content_type: str | None) -> str | None:
    """The codec named by a Content-Type header's ``charset`` parameter, if known."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return normalise_charset(match.group(1)) if match else None


def meta_charset(body: bytes) -> str | None:
    """The codec named by ``<meta charset>`` or ``http-equiv`` in the page's first bytes."""
    match = _META_CHARSET.search(body[:_PRESCAN_BYTES])
    if not match:
        return None
    return normalise_charset(match.group(1).decode("ascii", "ignore"))


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode an HTML body to text; never raises, never yields U+FFFD for valid input."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, errors="replace")
    for declared in (header_charset(content_type), meta_charset(body)):
        if declared is None:
            continue
        text = _try_declared(body, declared)
        if text is not None:
            return text
    return _detect(body)


def _try_declared(body: bytes, codec: str) -> str | None:
    """Decode with a declared codec if the bytes agree with it, else None."""
    if codec == "utf-8":
        return _decode_utf8_lenient(body)
    if codec.startswith(_SINGLE_BYTE_PREFIXES) and _looks_utf8(body):
        return _decode_utf8_lenient(body)  # declared single-byte, stored as UTF-8
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_utf8(body: bytes) -> bool:
    """True if most non-ASCII bytes form UTF-8 multi-byte sequences.

    Legacy single-byte text almost never does (an accented letter is followed by ASCII),
    so "most" is a safe bar and lets a UTF-8 page keep a few stray cp1252 bytes.
    """
    high = len(body) - len(body.translate(None, _HIGH_BYTES))
    if high == 0:
        return False
    in_sequences = sum(len(m.group()) for m in _UTF8_MULTIBYTE.finditer(body))
    return in_sequences >= 0.5 * high


def _decode_utf8_lenient(body: bytes) -> str | None:
    """UTF-8, tolerating a few stray cp1252 bytes; None if the page is not UTF-8 at all."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if not _looks_utf8(body):
        return None
    return body.decode("utf-8", errors=_FALLBACK_HANDLER)


def _detect(body: bytes) -> str:
    """No usable declaration: UTF-8 if it fits, else charset-normalizer, else cp1252."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _looks_utf8(body):
        return body.decode("utf-8", errors=_FALLBACK_HANDLER)
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    codec = normalise_charset(best.encoding) if best is not None else None
    if codec in _LATIN_RIVALS and not _CENTRAL_EUROPEAN_LANG.search(body[:_PRESCAN_BYTES]):
        # Short Western texts often score slightly better as cp1250 ("ï" vs "ď"); without
        # a Central European lang attribute, the web's legacy default is the better bet.
        codec = "cp1252"
    if codec and codec != "utf-8":
        try:
            return body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    # cp1252 is the web's de-facto legacy default (WHATWG); undefined bytes via latin-1.
    return body.decode("cp1252", errors=_FALLBACK_HANDLER)
