"""Article identity below the database: URL keys, normalised text, shingles and their hashes.

Four identity levels are built from these pieces (see :mod:`archive.dedup`):

1. URL: :func:`url_key` folds the spellings of one address (http/https, ``www.``, AMP twins,
   tracking parameters, fragments, trailing slash) onto one key.
2. Exact content: :func:`content_hash` hashes the body after Unicode NFKC, case folding and
   whitespace collapsing, so re-encoded or re-wrapped copies hash the same.
3. Near duplicates: :func:`shingle_hashes` gives the word 3-shingles that MinHash
   (:mod:`archive.minhash`) samples and that :func:`jaccard` verifies exactly.
4. Versions are decided by the store from levels 1 and 2.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection
from operator import xor
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SHINGLE_WORDS = 3  # short shingles survive scattered word edits (5 edits cost 15, not 25)
LEAD_WORDS = 20  # a teaser repeats the opening words verbatim; shortest measured lead: 24
_WORD_RE = re.compile(r"\w+")

# Query parameters that identify a campaign, a click or a share, never the page itself: the
# one list both the crawler's canonical URLs (scraper.urls) and the archive's URL keys use.
# Only names no site uses for content are listed. Dropping a meaningful parameter merges
# two pages into one (the second is never fetched); keeping a tracking one costs at most a
# fetch, after which the exact-text check links the page as an alias. So ``ref``,
# ``source``, ``src``, ``cid`` and ``share`` are left out: they are referral tags on many
# news sites but name a revision, a content id or a file on others.
TRACKING_PREFIXES: tuple[str, ...] = (
    "utm_",  # Google Analytics campaign tags
    "pk_", "piwik_", "mtm_",  # Matomo (formerly Piwik)
    "mc_",  # Mailchimp
    "hsa_",  # HubSpot ads
    "hmb_",  # hmb_campaign, hmb_medium, hmb_source: newsletter campaign tags
    "oly_",  # Omeda Olytics
)  # fmt: skip
TRACKING_NAMES: frozenset[str] = frozenset(
    {
        # click ids of ad and social platforms
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "li_fat_id", "igshid", "igsh",
        # analytics and marketing-automation cookies carried in the URL
        "_ga", "_gl", "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking",
        "mkt_tok", "vero_id", "vero_conv", "s_kwcid", "s_cid", "wt.mc_id", "wt.mc_ev",
        # publishers' own campaign, share and placement tags
        "ref_src", "ref_url", "cmpid", "ocid", "ncid", "ito", "smid", "sr_share",
        "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4",
        "xtor", "spm", "guccounter",
    }
)  # fmt: skip
# AMP selectors in the query: not tracking (the canonical URL keeps them, they choose what
# is served) but another skin of the same article, so the URL key folds them like ``m.``.
_AMP_PARAMS = frozenset({"amp", "outputtype", "usqp"})
# Host prefixes serving the same article in another skin (mobile, AMP cache-friendly host).
_HOST_SKINS = ("www.", "m.", "mobile.", "amp.")


def url_key(url: str) -> str:
    """Fold the spellings of one article address onto one key (not a fetchable URL)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").rstrip(".")
    for prefix in _HOST_SKINS:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = _strip_amp_path(parts.path or "/")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not (is_tracking_param(k) or k.lower() in _AMP_PARAMS)
    ]
    # The scheme is dropped on purpose: http and https of one host serve one article.
    return urlunsplit(("", host, path, urlencode(sorted(query)), "")).lstrip("/")


def is_tracking_param(name: str) -> bool:
    """True for a query parameter name that only tracks campaigns, clicks or shares."""
    lowered = name.lower()
    return lowered in TRACKING_NAMES or lowered.startswith(TRACKING_PREFIXES)


def _strip_amp_path(path: str) -> str:
    """Remove AMP markers publishers put in the path (``/amp``, ``/amp/``, ``.amp``)."""
    path = path.rstrip("/") or "/"
    if path.startswith("/amp/"):
        path = path[4:]
    for suffix in ("/amp", ".amp", ".amp.html"):
        if path.endswith(suffix) and len(path) > len(suffix):
            path = path[: -len(suffix)]
    return path or "/"


def normalise_text(text: str) -> str:
    """NFKC, case folding and collapsed whitespace: the form exact identity is computed on."""
    # str.split() splits on every Unicode whitespace, as the regex would, but in one C pass.
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def content_hash(text: str) -> str:
    """Hex SHA-256 of the normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def words(text: str) -> list[str]:
    """The word tokens of ``text`` after normalisation (punctuation dropped)."""
    return tokenize(normalise_text(text))


def tokenize(normalised: str) -> list[str]:
    """The word tokens of an already normalised text."""
    return _WORD_RE.findall(normalised)


# Simple tabulation hashing (Patrascu & Thorup 2012; shown fit for one-permutation MinHash
# by Dahlgaard, Knudsen & Thorup 2017): a 3-shingle hashes to T1[a] ^ T2[b] ^ T3[c], one
# random 64-bit word per (position, word). The tables come from BLAKE2b of the word, so they
# are the same in every process (``hash()`` is salted) and the XORs run inside ``map``.
_TABLES: tuple[dict[str, int], dict[str, int], dict[str, int]] = ({}, {}, {})
_TABLE_MAX = 1_000_000  # bound the memo; news vocabularies stay well below this


def _tabulate(tokens: list[str]) -> tuple[list[int], list[int], list[int]]:
    """The three per-position table words of each token, filling the memo for new words."""
    t1, t2, t3 = _TABLES
    if None in map(t1.get, tokens):  # a word not seen yet in this process (rare once warm)
        if len(t1) > _TABLE_MAX:
            for table in _TABLES:
                table.clear()
        for word in set(tokens).difference(t1):
            digest = hashlib.blake2b(word.encode("utf-8"), digest_size=24).digest()
            t1[word] = int.from_bytes(digest[:8], "little")
            t2[word] = int.from_bytes(digest[8:16], "little")
            t3[word] = int.from_bytes(digest[16:], "little")
    return (
        list(map(t1.__getitem__, tokens)),
        list(map(t2.__getitem__, tokens)),
        list(map(t3.__getitem__, tokens)),
    )


def shingle_hashes(tokens: list[str]) -> set[int]:
    """Unsigned 64-bit hashes of the word 3-shingles of ``tokens`` (one if the text is shorter)."""
    if len(tokens) < SHINGLE_WORDS:
        tokens = tokens + [""] * (SHINGLE_WORDS - len(tokens))
    t1, t2, t3 = _tabulate(tokens)
    return set(map(xor, map(xor, t1, t2[1:]), t3[2:]))


def lead_hash(tokens: list[str]) -> str | None:
    """Hash of the first :data:`LEAD_WORDS` words, or None for a text shorter than that."""
    if len(tokens) < LEAD_WORDS:
        return None
    lead = " ".join(tokens[:LEAD_WORDS]).encode("utf-8")
    return hashlib.blake2b(lead, digest_size=8).hexdigest()


def jaccard(a: set[int] | frozenset[int], b: Collection[int]) -> float:
    """Exact Jaccard similarity of two shingle sets (``b`` any collection of distinct ones)."""
    if not a or not b:
        return 0.0
    inter = len(a.intersection(b))
    return inter / (len(a) + len(b) - inter)


def containment(a: set[int] | frozenset[int], b: Collection[int]) -> float:
    """Share of the smaller one's shingles found in the other (``b``: distinct shingles)."""
    small = min(len(a), len(b))
    return len(a.intersection(b)) / small if small else 0.0
