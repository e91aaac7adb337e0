"""Is a file HTML at all? ``scraper extract`` asks before extracting a local file.

A crawl knows a response's type from its Content-Type; a file on disk has only its bytes.
Random bytes or a program decode as *some* text in cp1252, and extraction then keeps
hundreds of KB of it as an "article". Markup in any charset this project reads (UTF-8,
legacy 8-bit, ISO-2022-JP with its ESC sequences, UTF-16 with a BOM) has almost no C0
control bytes, and binary formats announce themselves by their first bytes.
"""

from __future__ import annotations

SNIFF_BYTES = 8192
# Signatures of formats met in place of a page (WHATWG MIME Sniffing §6, and ELF).
_MAGIC = (
    (b"\x7fELF", "an ELF program"),
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "gzip data"),
    (b"PK\x03\x04", "a ZIP file"),
    (b"MZ", "a Windows program"),
    (b"RIFF", "a RIFF (WebP, WAV) file"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\x1b")  # whitespace, and ESC of ISO-2022-JP
_MAX_CONTROL_SHARE = 0.01  # random bytes have ~11 %; text in a real page, none


def not_html(body: bytes) -> str | None:
    """Why ``body`` is not an HTML page ("an ELF program", "binary data"), or None."""
    head = body[:SNIFF_BYTES]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if not head.strip():
        return "an empty file"
    if head.startswith(_UTF16_BOMS):
        return None
    controls = sum(1 for byte in head if byte < 0x20 and byte not in _TEXT_CONTROLS)
    if controls > _MAX_CONTROL_SHARE * len(head):
        return "binary data"
    return None
