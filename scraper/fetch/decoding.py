"""Content-Encoding decoding with an output limit.

httpx decodes a whole compressed network chunk at once with no output limit: 63 KiB of
gzip or 106 bytes of brotli came out as one 64 MiB chunk (``docs/hardening.md``,
"Decompression"). So the fetcher reads ``aiter_raw()`` and decodes here, where every
decoder stops as soon as its output passes the cap.
"""

from __future__ import annotations

import zlib
from typing import Protocol

import brotli

from archive import Reason
from scraper.errors import FetchError, TooLargeError

# What we advertise in Accept-Encoding is exactly what we can decode with a limit.
ACCEPT_ENCODING = "gzip, deflate, br"
# Output per decompress call. One call with the whole remaining cap as its limit let zlib
# and brotli grow (and copy) their output buffers to 2-4x the cap before we could check;
# in small steps a bomb is cut at the cap plus one step.
STEP = 256 * 1024


class Decoder(Protocol):
    """Turns compressed chunks into at most ``limit`` bytes of output per call."""

    def feed(self, data: bytes, limit: int) -> bytes: ...
    def flush(self, limit: int) -> bytes: ...


class _Identity:
    def feed(self, data: bytes, limit: int) -> bytes:
        return data

    def flush(self, limit: int) -> bytes:
        return b""


class _Zlib:
    """gzip (wbits 47 also accepts zlib) or deflate, which servers send raw or wrapped."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._raw_fallback = encoding == "deflate"
        self._d = zlib.decompressobj(47 if encoding != "deflate" else 15)
        self._started = False

    def feed(self, data: bytes, limit: int) -> bytes:
        out: list[bytes] = []
        total = 0
        while True:
            try:
                piece = self._d.decompress(data, STEP)
            except zlib.error:
                if self._raw_fallback and not self._started:  # deflate sent without header
                    self._raw_fallback = False
                    self._d = zlib.decompressobj(-15)
                    return self.feed(data, limit)
                raise FetchError(
                    f"corrupt {self._encoding} body", reason=Reason.BAD_ENCODING
                ) from None
            self._started = True
            out.append(piece)
            total += len(piece)
            if total > limit:
                raise TooLargeError("decoded body exceeds the size cap", reason=Reason.TOO_LARGE)
            data = self._d.unconsumed_tail
            if not data and len(piece) < STEP:  # input used up and no output pending
                return b"".join(out)

    def flush(self, limit: int) -> bytes:
        out = self._d.flush(limit + 1)
        if len(out) > limit:
            raise TooLargeError("decoded body exceeds the size cap", reason=Reason.TOO_LARGE)
        return out


class _Brotli:
    def __init__(self) -> None:
        self._d = brotli.Decompressor()

    def feed(self, data: bytes, limit: int) -> bytes:
        out: list[bytes] = []
        total = 0
        while True:
            try:
                # output_buffer_limit (brotli ≥ 1.2) stops the output buffer growing at about
                # STEP; the decoder keeps the input it has not used yet, and later calls with
                # empty input go on producing output until a call yields nothing.
                piece = self._d.process(data, output_buffer_limit=STEP)
            except brotli.error:
                raise FetchError("corrupt br body", reason=Reason.BAD_ENCODING) from None
            out.append(piece)
            total += len(piece)
            if total > limit:
                raise TooLargeError("decoded body exceeds the size cap", reason=Reason.TOO_LARGE)
            if not piece or self._d.is_finished():
                return b"".join(out)
            data = b""

    def flush(self, limit: int) -> bytes:
        return b""


def _make(encoding: str) -> Decoder:
    if encoding in ("identity", ""):
        return _Identity()
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _Zlib(encoding)
    if encoding == "br":
        return _Brotli()
    raise FetchError(f"unsupported Content-Encoding {encoding!r}", reason=Reason.BAD_ENCODING)


class CappedDecoder:
    """Decodes a (possibly stacked) Content-Encoding, never producing more than ``cap``."""

    def __init__(self, content_encoding: str, cap: int, *, max_encodings: int = 2) -> None:
        names = [e.strip().lower() for e in content_encoding.split(",") if e.strip()]
        names = [n for n in names if n != "identity"]
        if len(names) > max_encodings:
            raise FetchError(
                f"{len(names)} stacked Content-Encodings refused", reason=Reason.STACKED_ENCODING
            )
        # Encodings are listed in the order applied; undo them last-first.
        self._chain = [_make(n) for n in reversed(names)]
        self._cap = cap
        self._total = 0

    @property
    def total(self) -> int:
        return self._total

    def feed(self, data: bytes) -> bytes:
        for decoder in self._chain:
            data = decoder.feed(data, self._cap - self._total)
        return self._count(data)

    def finish(self) -> bytes:
        out = b""
        for decoder in self._chain:
            out = decoder.feed(out, self._cap - self._total) if out else b""
            out += decoder.flush(self._cap - self._total - len(out))
        return self._count(out)

    def _count(self, data: bytes) -> bytes:
        self._total += len(data)
        if self._total > self._cap:
            raise TooLargeError(f"body exceeds the size cap of {self._cap} bytes")
        return data
