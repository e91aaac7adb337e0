"""The article record every output uses: ``export``, ``extract`` and ``search --json``.

One list of fields, in output order: a name means the same thing wherever it appears.
``export`` writes the fields marked for it; ``extract`` and ``search`` write the ones
they know (a saved page has no archive id; a hit has a snippet). To add a field, add it
here (and to README's table); :func:`as_record` refuses a name that is not listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

EXPORT, EXTRACT, SEARCH = "export", "extract", "search"


@dataclass(frozen=True)
class Field:
    """One field of the record: its name, its kind and which outputs carry it."""

    name: str
    kind: str  # integer, text, list of text, timestamp (UTC) or date (with its offset)
    description: str
    outputs: frozenset[str]


def _f(name: str, kind: str, description: str, *outputs: str) -> Field:
    return Field(name, kind, description, frozenset(outputs))


RECORD_FIELDS: tuple[Field, ...] = (
    _f("id", "integer", "article id in the archive", EXPORT, SEARCH),
    _f("url", "text", "canonical URL (extract: the --url given)", EXPORT, EXTRACT, SEARCH),
    _f("urls", "list of text", "every URL seen for the article", EXPORT),
    _f("title", "text", "headline", EXPORT, EXTRACT, SEARCH),
    _f("text", "text", "cleaned body text", EXPORT, EXTRACT),
    _f("authors", "list of text", "author names", EXPORT, EXTRACT),
    _f(
        "published",
        "date",
        "publication time, ISO 8601 with the publisher's offset",
        EXPORT,
        EXTRACT,
        SEARCH,
    ),
    _f(
        "published_source",
        "text",
        "where the publication time came from: json-ld, meta, time element, feed, url, text",
        EXPORT,
        EXTRACT,
    ),
    _f(
        "modified",
        "date",
        "last modification the page declares (never the publication)",
        EXPORT,
        EXTRACT,
    ),
    _f("modified_source", "text", "where the modification time came from", EXPORT, EXTRACT),
    _f("language", "text", "language code", EXPORT, EXTRACT),
    _f(
        "language_source",
        "text",
        "declared (by the page) or detected (from the text)",
        EXPORT,
        EXTRACT,
    ),
    _f("access", "text", "free, paywalled or unknown", EXPORT, EXTRACT),
    _f(
        "images",
        "list of objects",
        "the article's own figures: url, caption, credit, lead (true for the lead image)",
        EXPORT,
        EXTRACT,
    ),
    _f(
        "live_updates",
        "list of objects",
        "a live blog's entries: time, headline, text",
        EXPORT,
        EXTRACT,
    ),
    _f("pages", "integer", "how many pages the article was stitched from", EXPORT),
    _f("next_page", "text", "the page's link to the article's next page, if any", EXTRACT),
    _f("first_page", "text", "on a later page: the article's first page", EXTRACT),
    _f(
        "site",
        "text",
        "publisher: the seed name (extract: the page's own site name)",
        EXPORT,
        EXTRACT,
        SEARCH,
    ),
    _f("description", "text", "summary or standfirst from the page metadata", EXPORT, EXTRACT),
    _f("canonical_url", "text", "the canonical URL the page declares", EXTRACT),
    _f("fetched_at", "timestamp", "last fetch (UTC)", EXPORT),
    _f("updated_at", "timestamp", "last change of the stored row (UTC)", EXPORT),
    _f("content_hash", "text", "SHA-256 of the normalised text", EXPORT),
    _f("duplicate_of", "integer", "id of the article this one copies, or null", EXPORT),
    _f("version", "integer", "current version number", EXPORT),
    _f("snippet", "text", "matching words in context", SEARCH),
)
BY_NAME = {f.name: f for f in RECORD_FIELDS}


def fields_of(output: str) -> tuple[str, ...]:
    """The field names ``output`` (export, extract, search) writes, in record order."""
    return tuple(f.name for f in RECORD_FIELDS if output in f.outputs)


def as_record(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` in record order; ValueError for a name the record does not define."""
    unknown = set(values) - set(BY_NAME)
    if unknown:
        raise ValueError(f"not in the record schema: {', '.join(sorted(unknown))}")
    return {f.name: values[f.name] for f in RECORD_FIELDS if f.name in values}
