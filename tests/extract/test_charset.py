"""Charset decoding: BOM, header, meta, detection, and pages that lie about themselves."""

from __future__ import annotations

import codecs

import pytest

from scraper.extract.charset import decode_html, header_charset, meta_charset, normalise_charset

TEXT = "<p>It’s “quoted” — café, Größe, naïve… €5</p>"


def test_utf8_header_over_cp1252_bytes_comes_out_right() -> None:
    got = decode_html(TEXT.encode("cp1252"), "text/html; charset=utf-8")
    assert got == TEXT
    assert "\ufffd" not in got


def test_latin1_header_over_utf8_bytes_comes_out_right() -> None:
    got = decode_html(TEXT.encode("utf-8"), "text/html; charset=ISO-8859-1")
    assert got == TEXT


def test_meta_charset_used_when_header_has_none() -> None:
    page = '<html><head><meta charset="windows-1252"></head><body>' + TEXT
    assert decode_html(page.encode("cp1252"), "text/html") == page


def test_http_equiv_meta_is_read() -> None:
    page = (
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">'
        "<p>Prix: 5 €, œuvre</p>"
    )
    assert decode_html(page.encode("iso-8859-15"), None) == page


def test_header_beats_meta_when_bytes_agree() -> None:
    page = '<meta charset="shift_jis"><p>Straße</p>'
    assert decode_html(page.encode("utf-8"), "text/html; charset=utf-8") == page


@pytest.mark.parametrize(
    ("bom_codec", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_bom_beats_a_wrong_header(bom_codec: bytes, codec: str) -> None:
    body = bom_codec + TEXT.encode(codec)
    assert decode_html(body, "text/html; charset=iso-8859-1") == TEXT


def test_utf8_page_with_a_few_stray_cp1252_bytes_loses_nothing() -> None:
    body = TEXT.encode("utf-8") + b" and then " + "“pasted”".encode("cp1252")
    got = decode_html(body, "text/html; charset=utf-8")
    assert got.endswith("and then “pasted”")
    assert got.startswith(TEXT)


def test_unknown_charset_label_falls_back_to_detection() -> None:
    assert decode_html(TEXT.encode("utf-8"), "text/html; charset=x-no-such-thing") == TEXT


def test_undeclared_legacy_cyrillic_is_detected() -> None:
    text = "<p>Москва — столица России, крупнейший по численности населения город страны.</p>"
    assert decode_html(text.encode("cp1251"), None) == text


def test_empty_and_binary_input_never_raise() -> None:
    assert decode_html(b"", None) == ""
    assert isinstance(decode_html(bytes(range(256)), "text/html; charset=utf-8"), str)


def test_label_helpers() -> None:
    assert normalise_charset("latin1") == "cp1252"  # WHATWG: latin1 means windows-1252
    assert normalise_charset("UTF-16") == "utf-8"  # an ASCII-compatible page cannot be UTF-16
    assert normalise_charset("bogus") is None
    assert header_charset('text/html; charset="UTF-8"') == "utf-8"
    assert header_charset("text/html") is None
    assert meta_charset(b"<meta content='text/html; charset=koi8-r'>") == "koi8-r"


def test_wrongly_declared_central_european_page_uses_its_lang() -> None:
    text = '<html lang="pl"><p>Zażółć gęślą jaźń — Łódź, Kraków i Gdańsk, świętość.</p></html>'
    assert decode_html(text.encode("cp1250"), "text/html; charset=utf-8") == text


def test_iso8859_15_meta_over_utf8_bytes_comes_out_right() -> None:
    text = "Nada más cruzar la meta, «el karma» llegó: ¡qué carrera! " * 3
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; '
        f'charset=iso-8859-15"></head><body><p>{text}</p></body></html>'
    ).encode()
    assert text in decode_html(page)


def test_iso8859_15_page_in_its_own_charset_still_decodes_with_it() -> None:
    text = "Le prix est de 5 € pour l'œuvre complète, dit-il à la fête."
    page = (
        f'<html><head><meta charset="iso-8859-15"></head><body><p>{text}</p></body></html>'
    ).encode("iso8859-15")
    assert text in decode_html(page)
