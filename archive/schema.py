"""The archive's SQL, written out: the first (v1) schema and each step after it.

Times are ISO 8601 text in UTC with microseconds (``2024-05-01T06:00:00.000000+00:00``), so
they sort and compare as strings. Lists (authors, counts) are JSON text.
"""

from __future__ import annotations

# v1: the plain schema of the first release (articles, URL states, runs). Kept verbatim:
# migrations start from it, and tests build an "old" archive with it.
V1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL,
    counts TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT,
    text TEXT NOT NULL,
    authors TEXT NOT NULL DEFAULT '[]',
    published TEXT,
    language TEXT,
    site TEXT,
    fetched_at TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE INDEX articles_content_hash ON articles(content_hash);
CREATE TABLE urls (
    url TEXT PRIMARY KEY,
    status INTEGER,
    outcome TEXT,
    reason TEXT,
    etag TEXT,
    last_modified TEXT,
    fetched_at TEXT,
    article_id INTEGER REFERENCES articles(id),
    run_id INTEGER REFERENCES runs(id)
);
"""

# v2: identity levels, versions, raw pages, full-text search.
V2 = """
ALTER TABLE articles ADD COLUMN description TEXT;
ALTER TABLE articles ADD COLUMN first_seen TEXT;
ALTER TABLE articles ADD COLUMN updated_at TEXT;
ALTER TABLE articles ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE articles ADD COLUMN duplicate_of INTEGER REFERENCES articles(id);
ALTER TABLE articles ADD COLUMN dedup_kind TEXT;
ALTER TABLE articles ADD COLUMN similarity REAL;
ALTER TABLE articles ADD COLUMN lead_hash TEXT;
ALTER TABLE articles ADD COLUMN run_id INTEGER REFERENCES runs(id);
CREATE INDEX articles_updated ON articles(updated_at, id);
CREATE INDEX articles_duplicate_of ON articles(duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE INDEX articles_lead ON articles(lead_hash) WHERE lead_hash IS NOT NULL;

CREATE TABLE article_urls (
    url TEXT PRIMARY KEY,
    url_key TEXT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    first_seen TEXT NOT NULL
);
CREATE INDEX article_urls_key ON article_urls(url_key);
CREATE INDEX article_urls_article ON article_urls(article_id);

CREATE TABLE article_versions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    version INTEGER NOT NULL,
    title TEXT,
    text TEXT NOT NULL,
    authors TEXT NOT NULL DEFAULT '[]',
    published TEXT,
    language TEXT,
    description TEXT,
    content_hash TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    replaced_at TEXT NOT NULL,
    UNIQUE (article_id, version)
);

CREATE TABLE raw_pages (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    http_status INTEGER,
    content_type TEXT,
    etag TEXT,
    last_modified TEXT,
    extractor_version TEXT,
    compression TEXT NOT NULL,
    size INTEGER NOT NULL,
    body BLOB NOT NULL
);

-- LSH bands of root articles only; WITHOUT ROWID keeps one B-tree keyed by band.
CREATE TABLE minhash_bands (
    band_key INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    PRIMARY KEY (band_key, article_id)
) WITHOUT ROWID;

-- External-content FTS5 over root articles; duplicates stay out so a story has one hit.
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles
WHEN new.duplicate_of IS NULL BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles
WHEN old.duplicate_of IS NULL BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.id, old.title, old.text);
END;
-- One trigger for both halves so the old entry is always removed before the new one is added.
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text, duplicate_of ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    SELECT 'delete', old.id, old.title, old.text WHERE old.duplicate_of IS NULL;
    INSERT INTO articles_fts(rowid, title, text)
    SELECT new.id, new.title, new.text WHERE new.duplicate_of IS NULL;
END;
"""

# v4: the part of a crawl's frontier it does not hold in memory. A host's queue keeps a
# window of URLs in memory and parks the rest here, in discovery order; the crawl takes them
# back as the window empties. Only the running crawl uses it: it is emptied when a run
# starts (what a killed run parked is still ``queued`` in ``urls``, so it is not lost).
V4 = """
CREATE TABLE frontier (
    id INTEGER PRIMARY KEY,
    host TEXT NOT NULL,
    url TEXT NOT NULL,
    seed TEXT NOT NULL,
    source TEXT NOT NULL,
    published TEXT
);
CREATE INDEX frontier_host ON frontier(host, id);
"""

V7 = """
CREATE TABLE IF NOT EXISTS ingest_progress (
    file TEXT PRIMARY KEY,
    offset INTEGER,
    finished INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(id)
);
"""
