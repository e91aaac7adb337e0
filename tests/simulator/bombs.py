"""Compression bombs: small on the wire, at least 1 GiB decoded; built once per process."""

from __future__ import annotations

import gzip
import struct
import threading
import zlib
from functools import cache

import brotli

GIB = 1 << 30
_UNIT = 1 << 20  # one MiB of filler per deflate block run
_lock = threading.Lock()


def _filler(prefix: bytes) -> bytes:
    return prefix + b" " * (_UNIT - len(prefix))


@cache
def _deflate_runs(prefix: bytes) -> tuple[bytes, bytes, bytes]:
    """Raw deflate: first MiB, a repeatable MiB, and the final empty block.

    After Z_FULL_FLUSH the compressor forgets its window (zlib manual), so every later MiB of
    identical input compresses to identical bytes: 1 GiB costs one compression of 2 MiB.
    """
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(_filler(prefix)) + comp.flush(zlib.Z_FULL_FLUSH)
    repeat = comp.compress(_filler(b"")) + comp.flush(zlib.Z_FULL_FLUSH)
    return first, repeat, comp.flush(zlib.Z_FINISH)


def _raw_and_checksums(size: int, prefix: bytes) -> tuple[bytes, int, int]:
    first, repeat, tail = _deflate_runs(prefix)
    units = size // _UNIT
    crc = zlib.crc32(_filler(prefix))
    adler = zlib.adler32(_filler(prefix))
    blank = _filler(b"")
    for _ in range(units - 1):
        crc = zlib.crc32(blank, crc)
        adler = zlib.adler32(blank, adler)
    return first + repeat * (units - 1) + tail, crc, adler


@cache
def gzip_bomb(size: int = GIB, prefix: bytes = b"") -> bytes:
    """gzip (RFC 1952) of ``prefix`` followed by spaces, ``size`` bytes decoded."""
    with _lock:
        raw, crc, _ = _raw_and_checksums(size, prefix)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + raw + struct.pack("<II", crc, size & 0xFFFFFFFF)


@cache
def deflate_bomb(size: int = GIB, raw: bool = False) -> bytes:
    """HTTP "deflate" is zlib-wrapped (RFC 1950); ``raw=True`` gives the bare stream some send."""
    with _lock:
        stream, _, adler = _raw_and_checksums(size, b"")
    if raw:
        return stream
    return b"\x78\xda" + stream + struct.pack(">I", adler)


@cache
def brotli_bomb(size: int = GIB) -> bytes:
    """Brotli (RFC 7932) of ``size`` spaces: about 1.6 KB for 1 GiB."""
    with _lock:
        comp = brotli.Compressor(quality=5)
        blank = _filler(b"")
        out = [comp.process(blank) for _ in range(size // _UNIT)]
        out.append(comp.finish())
    return b"".join(out)


def stacked_gzip(body: bytes, layers: int) -> bytes:
    """``body`` gzipped ``layers`` times, for ``Content-Encoding: gzip, gzip, …``."""
    for _ in range(layers):
        body = gzip.compress(body, compresslevel=1, mtime=0)
    return body


SITEMAP_BOMB_PREFIX = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
)


def sitemap_bomb() -> bytes:
    """A ``.xml.gz`` file: the start of a urlset, then 1 GiB of whitespace."""
    return gzip_bomb(GIB, SITEMAP_BOMB_PREFIX)
