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
import zlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SHINGLE_WORDS = 3  # short shingles survive scattered word edits (5 edits cost 15, not 25)
LEAD_WORDS = 20  # a teaser repeats the opening words verbatim; shortest measured lead: 24
_MASK64 = (1 << 64) - 1
_WORD_RE = re.compile(r"\w+")

# Query parameters that identify a campaign or a click, never the page itself.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "hsa_", "oly_")
_TRACKING_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "_ga",
        "_gl",
        "ref",
        "ref_src",
        "cmpid",
        "ocid",
        "ito",
        "smid",
        "sr_share",
        "share",
        "amp",
        "outputtype",
        "usqp",
        "at_medium",
        "at_campaign",
        "guccounter",
        "xtor",
        "spm",
        "s_cid",
        "cid",
        "source",
        "src",
    }
)
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
        if not (k.lower() in _TRACKING_NAMES or k.lower().startswith(_TRACKING_PREFIXES))
    ]
    # The scheme is dropped on purpose: http and https of one host serve one article.
    return urlunsplit(("", host, path, urlencode(sorted(query)), "")).lstrip("/")


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


_WORD_IDS: dict[str, int] = {}
_WORD_IDS_MAX = 1_000_000  # bound the memo; news vocabularies stay well below this


def _word_ids(tokens: list[str]) -> list[int]:
    """Stable 32-bit ids of words: crc32, because ``hash()`` is salted per process."""
    if len(_WORD_IDS) > _WORD_IDS_MAX:
        _WORD_IDS.clear()
    memo = _WORD_IDS
    out = list(map(memo.get, tokens))
    if None not in out:  # the common case once the vocabulary is warm: no Python loop
        return out  # type: ignore[return-value]
    for i, wid in enumerate(out):
        if wid is None:
            word = tokens[i]
            out[i] = memo[word] = zlib.crc32(word.encode("utf-8"))
    return out  # type: ignore[return-value]


def shingle_hashes(tokens: list[str]) -> set[int]:
    """64-bit hashes of the word 3-shingles of ``tokens`` (one shingle if the text is shorter).

    The last multiplication makes the top bits depend on all three words: MinHash takes its
    bin from them.
    """
    ids = _word_ids(tokens)
    if len(ids) < SHINGLE_WORDS:
        ids = ids + [0] * (SHINGLE_WORDS - len(ids))
    m = _MASK64
    return {
        (((a * 0x9E3779B97F4A7C15 + b) & m) * 0xBF58476D1CE4E5B9 + c) * 0x94D049BB133111EB & m
        for a, b, c in zip(ids, ids[1:], ids[2:], strict=False)
    }


def lead_hash(tokens: list[str]) -> str | None:
    """Hash of the first :data:`LEAD_WORDS` words, or None for a text shorter than that."""
    if len(tokens) < LEAD_WORDS:
        return None
    lead = " ".join(tokens[:LEAD_WORDS]).encode("utf-8")
    return hashlib.blake2b(lead, digest_size=8).hexdigest()


def jaccard(a: set[int], b: set[int]) -> float:
    """Exact Jaccard similarity of two shingle sets."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def containment(small: set[int], big: set[int]) -> float:
    """Share of ``small``'s shingles found in ``big``."""
    return len(small & big) / len(small) if small else 0.0
