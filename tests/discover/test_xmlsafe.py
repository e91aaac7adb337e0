"""Safe XML: XXE and entity bombs refused fast, truncated documents recovered, caps hold."""

from __future__ import annotations

import gzip
import time

import pytest

from scraper.discover.xmlsafe import (
    EntitiesRefused,
    XMLError,
    XMLTooLarge,
    gunzip_capped,
    maybe_gunzip,
    parse_xml,
)
from tests import paths

FIXTURES = paths.FIXTURES / "discovery"
MB = 1024 * 1024


def test_xxe_refused_and_file_content_never_read() -> None:
    data = (FIXTURES / "xxe_feed.xml").read_bytes()
    with pytest.raises(EntitiesRefused) as info:
        parse_xml(data, max_bytes=MB)
    assert "root:" not in str(info.value)
    assert "\n" not in str(info.value)


def test_xxe_refused_in_utf16_document_too() -> None:
    # The byte pre-scan cannot read UTF-16; the check after parsing must still refuse it.
    text = (FIXTURES / "xxe_feed.xml").read_text().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    with pytest.raises(EntitiesRefused):
        parse_xml(text.encode("utf-16"), max_bytes=MB)


def test_parameter_entity_refused() -> None:
    data = b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><r/>'
    with pytest.raises(EntitiesRefused):
        parse_xml(data, max_bytes=MB)


@pytest.mark.parametrize("value", [b"\xff\xfe", b"ab\xc3", b"\x80\x81"])
def test_entity_with_bytes_that_are_not_utf8_is_refused_not_a_crash(value: bytes) -> None:
    # Found by the long fuzz run: recover mode lets such bytes into the DTD, and reading the
    # entity back raised UnicodeDecodeError out of the feed and sitemap parsers.
    data = b'<!DOCTYPE r [<!ENTITY a "' + value + b'">]><urlset><url><loc>https://a.example/x'
    data += b"</loc></url></urlset>"
    with pytest.raises(EntitiesRefused, match="undecodable"):
        parse_xml(data, max_bytes=MB)


def test_billion_laughs_fails_fast() -> None:
    data = (FIXTURES / "billion_laughs.xml").read_bytes()
    start = time.perf_counter()
    with pytest.raises(EntitiesRefused, match="entities refused"):
        parse_xml(data, max_bytes=MB)
    assert time.perf_counter() - start < 1.0


def test_char_ref_disguised_nesting_refused() -> None:
    data = b'<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&#38;a;&#38;a;">]><r>&b;</r>'
    with pytest.raises(EntitiesRefused):
        parse_xml(data, max_bytes=MB)


def test_quadratic_blowup_fails_fast() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "'
        + b"x" * 100_000
        + b'">]><r>'
        + b"&a;" * 100_000
        + b"</r>"
    )
    start = time.perf_counter()
    with pytest.raises(EntitiesRefused, match="oversized"):
        parse_xml(data, max_bytes=MB)
    assert time.perf_counter() - start < 1.0


def test_short_internal_entity_tolerated_but_not_expanded() -> None:
    root = parse_xml(b'<!DOCTYPE r [<!ENTITY nbsp "&#160;">]><r><t>a&nbsp;b</t></r>', max_bytes=MB)
    assert root.tag == "r" and root.find("t") is not None


def test_truncated_document_recovers_what_parsed() -> None:
    root = parse_xml(b"<list><a>one</a><a>two</a><a>thr", max_bytes=MB)
    assert [el.text for el in root.findall("a")][:2] == ["one", "two"]


@pytest.mark.parametrize("data", [b"", b"garbage", b"\x00\x01\x02", b"<", b"<?xml version='1.0'?>"])
def test_no_root_is_a_one_line_error(data: bytes) -> None:
    with pytest.raises(XMLError) as info:
        parse_xml(data, max_bytes=MB)
    assert "\n" not in str(info.value) and str(info.value).startswith("malformed")


def test_size_cap() -> None:
    with pytest.raises(XMLTooLarge, match="too large"):
        parse_xml(b"<r>" + b"x" * 2000 + b"</r>", max_bytes=1000)


def test_gunzip_roundtrip_and_bomb_capped() -> None:
    assert gunzip_capped(gzip.compress(b"<r/>"), 100) == b"<r/>"
    bomb = gzip.compress(b" " * (20 * MB))  # ~20 KB on the wire
    start = time.perf_counter()
    with pytest.raises(XMLTooLarge):
        gunzip_capped(bomb, MB)
    assert time.perf_counter() - start < 1.0


def test_gunzip_garbage_and_truncation() -> None:
    with pytest.raises(XMLError, match="malformed gzip"):
        gunzip_capped(b"\x1f\x8bnot really gzip", MB)
    body = b"<r>" + b"".join(b"<u>%d</u>" % (i * 7919 % 100_003) for i in range(3000)) + b"</r>"
    payload = gzip.compress(body)
    partial = gunzip_capped(payload[: len(payload) // 2], MB)
    assert len(partial) > 1000 and body.startswith(partial)


def test_maybe_gunzip_by_magic_bytes_only() -> None:
    assert maybe_gunzip(b"<r/>", MB) == b"<r/>"
    assert maybe_gunzip(gzip.compress(b"<r/>"), MB) == b"<r/>"
