"""Article texts for the simulated publishers: our own short news stories plus the seed texts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

TEXTS_DIR = Path(__file__).parent / "texts"

# The seed texts carry no header; their metadata lives here (titles are ours, in the style of
# the sites they came from: a tech-news rewrite, an aggregator copy, a small blog paraphrase).
_SEED_META = {
    "000_80a2c0029f798d69": (
        "China Bets on ‘Little Giants’ to Lead Its Tech Push",
        "Tech Desk",
        "tech",
    ),
    "002_977739124ad0c336": (
        "China’s ‘Little Giants’ Are the New Darlings of Its Tech Industry",
        "Bloomberg News",
        "business",
    ),
    "003_e6c101b011df3c97": ("Why Beijing Is Betting on Its ‘Little Giants’", "Ravi Menon", "tech"),
}


@dataclass(frozen=True)
class Text:
    """One source story: metadata and its body paragraphs (the exact cleaned text)."""

    key: str
    title: str
    author: str
    section: str
    lang: str
    paragraphs: tuple[str, ...]


def _paragraphs(body: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in body.strip().split("\n\n") if p.strip())


def _load_own(path: Path) -> Text:
    head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    meta = dict(line.split(": ", 1) for line in head.splitlines())
    return Text(
        key=path.stem,
        title=meta["title"],
        author=meta["author"],
        section=meta["section"],
        lang=path.stem.split("_", 1)[0],
        paragraphs=_paragraphs(body),
    )


def _load_seed(path: Path) -> Text:
    key = path.name.removesuffix(".clean.txt")
    title, author, section = _SEED_META[key]
    body = path.read_text(encoding="utf-8")
    return Text(key, title, author, section, "en", _paragraphs(body))


@cache
def load_texts() -> tuple[Text, ...]:
    """Every text, sorted by key: seed texts first, then ours (``de_*``, ``en_*``)."""
    seeds = [_load_seed(p) for p in sorted(TEXTS_DIR.glob("*.clean.txt"))]
    own = [_load_own(p) for p in sorted(TEXTS_DIR.glob("[a-z][a-z]_*.txt"))]
    return tuple(seeds + own)


def texts_in(lang: str) -> tuple[Text, ...]:
    """The texts written in ``lang`` (``en`` or ``de``)."""
    return tuple(t for t in load_texts() if t.lang == lang)
