"""htmldate's free-text date parsing held to the page's own language.

For a date written in words ("5. März 2024"), htmldate's extensive search falls back to
dateparser with every one of its ~200 locales. The first time each locale is tried,
dateparser compiles its patterns: seconds of CPU in every worker process before the
first such date is read, then a scan of all locales for each string it cannot read.
Where the page declares its language, only that language (and English, the language of
most templates' stamps) can have written its dates, so the parser is given just those.
A page that declares none keeps the full search: a wrong guess would lose its date.

htmldate builds its dateparser instance in ``htmldate.extractors.get_external_parser``
(looked up by name at each call); :func:`held_to` swaps in a cached parser for the
languages asked for, for the duration of one search, and puts the original back.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

FALLBACK = "en"


def page_languages(declared: str | None) -> tuple[str, ...] | None:
    """The dateparser languages of a page that declares ``declared`` ("de-AT" → de, en)."""
    code = (declared or "").strip().replace("_", "-").split("-")[0].casefold()
    if not code.isalpha() or not 2 <= len(code) <= 3:
        return None  # declared nothing usable: every locale stays in the search
    return tuple(dict.fromkeys((code, FALLBACK)))


# htmldate's own dateparser settings (htmldate 1.x, ``get_external_parser``)
_SETTINGS = {
    "NORMALIZE": True,
    "PARSERS": ["custom-formats", "absolute-time"],
    "PREFER_DATES_FROM": "past",
    "PREFER_LOCALE_DATE_ORDER": True,
    "RETURN_AS_TIMEZONE_AWARE": False,
    "STRICT_PARSING": True,
}


@functools.lru_cache(maxsize=32)
def _parser(languages: tuple[str, ...]) -> Any | None:
    """A dateparser set up as htmldate sets up its own, for ``languages`` only."""
    from dateparser import DateDataParser  # type: ignore[attr-defined]

    known = [code for code in languages if _known(code)]
    if not known:
        return None
    try:
        return DateDataParser(locales=known, settings=_SETTINGS)
    except (ValueError, TypeError):  # a code or setting this dateparser does not take
        return None


@functools.lru_cache(maxsize=256)
def _known(code: str) -> bool:
    """dateparser has a locale for ``code``: looked up in its list of languages.

    Asking its loader instead loads every locale (~0.07 s of CPU in each worker).
    """
    try:
        from dateparser.data.languages_info import language_order
    except ImportError:  # a dateparser without that table: ask its loader
        from dateparser.languages.loader import default_loader

        return code in default_loader.get_locale_map()
    return code in language_order


@contextmanager
def held_to(languages: tuple[str, ...] | None) -> Iterator[None]:
    """htmldate's searches inside use a parser for ``languages`` only (None: all of them)."""
    import htmldate.extractors as extractors

    original = getattr(extractors, "get_external_parser", None)
    parser = _parser(languages) if languages and original is not None else None
    if parser is None:
        yield
        return
    setattr(extractors, "get_external_parser", lambda: parser)  # noqa: B010 (typed lru_cache)
    try:
        yield
    finally:
        setattr(extractors, "get_external_parser", original)  # noqa: B010
