"""Cleaning after trafilatura: line rules over the extracted text, and body stitching.

trafilatura's plain-text output has one block (paragraph, heading, list item "- …") per
line. Lines are dropped by pattern (teasers, copyright, pitches, captions with agency
credits, aggregator link lists; wording in :mod:`scraper.extract.patterns`) and by shape
(repeated verbatim, a headline run under a "Related" heading, the title leading the body).
"""

from __future__ import annotations

import re
from collections import Counter

from scraper.extract import patterns as P
from scraper.extract.preclean import LINE_BREAK, PARA_BREAK

_MAX_TEASER = 300  # longer lines are prose that merely starts with "More:" etc.
_MAX_FURNITURE = 300
_HEADLINE_MAX = 160
_TITLE_LINES = 3  # the headline, a site-titled copy of it and a kicker lead at most
_TITLE_MIN = 10  # a shorter headline ("Politik") may well be a word of the text
_KICKER_MAX = 60
_SUFFIX_MAX = 40
_SITE_SUFFIX = re.compile(r"\s[|–—-]\s*[^|–—-]{2,40}$")
_SOFT_HYPHEN = "\u00ad"
_SIGN_OFF_LINES = 3
_GAP_PROSE = 120
_LABEL_WORDS = 2  # "Overall Score"; "External content unavailable" is a placeholder
_CODE = re.compile(r"[<>{}()\[\];=]")
_HEADING_WORDS = 6  # "Why we chose this school"; a longer repeated line is a sentence
_FIELD = re.compile(
    r"[^\W\d_][\w'’/&-]*(?: [\w'’/&-]+){0,2}\?? ?: \S"
)  # "Price range: $$", "SCA certified?: No"
_FIELD_MAX = 80
_REPEAT_LONG = 20  # characters of a line's words: a paragraph or a heading, not a digit
_REPEAT_LINES = 10
_REPEAT_SHARE = 0.5
_OUTLINE_ITEMS = 3  # list items in the container, none in trafilatura's text: it read prose only
_NOVEL_SHARE = 0.5  # of a missing block's three-word runs found elsewhere: kept already
# C0 and C1 controls: trafilatura drops them, a double-encoded page is full of them
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_PULL_MIN = 30  # characters of a pull quote's words
_PULL_MAX = 400
_PULL_WORDS = 8
_PULL_SKIP = 2
_END_LINES = 8  # an end section's heading sits among the last lines
_END_TAIL = 6
_END_LINE_MAX = 500  # sign-offs are the last lines, never more than a few
_SIGN_OFF_MAX = 250
# "- A headline of some words - Source Name": a source is a name, so no digits
_NAME_WORD = r"[^\W\d_][^\W\d_.&'’()]*"
_RUN_SOURCE = re.compile(rf"^- (?P<head>.{{10,}})\s[-–|]\s{_NAME_WORD}(?: {_NAME_WORD}){{0,3}}$")
_RUN_HEAD_WORDS = 4  # "- Saatva Classic – Best for Couples" is a product and its verdict
_WORD = re.compile(r"\w+")
_LETTERS = re.compile(r"[^\W\d_]+")
_MARKS = re.compile(rf"\s*{LINE_BREAK}\s*")
_MARK_EOL = re.compile(rf"{LINE_BREAK}[^\S\n]*\n")
_FULL_SENTENCE = re.compile(r"[.!?…。！？][\"”“»«’']?\s*$")
_SENTENCE_END = re.compile(r"[.!?:;…\"”»)。！？]\s*$")  # 。！？ end CJK sentences


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _words(text: str) -> str:
    """Word tokens only: a repeat differing in spacing or punctuation is the same text."""
    return " ".join(_WORD.findall(text.casefold()))


def _headline_words(text: str) -> str:
    """:func:`_words` without soft hyphens: a headline hyphenated for small screens is the same."""
    return _words(text.replace(_SOFT_HYPHEN, ""))


def is_furniture(line: str) -> bool:
    """True for one line of page furniture, judged by wording alone."""
    text = line.strip().lstrip("-•* ").strip()
    if not text:
        return False
    if len(text) <= _MAX_TEASER and P.TEASER_LINE.match(text):
        return True
    if P.SECTION_LINE.match(text) or P.TEASER_HEADING.match(text):
        return True
    if (
        P.LINK_LIST_LINE.search(text)
        or P.PLACEHOLDER_LINE.match(text)
        or P.TEMPLATE_KEY_LINE.match(text)
    ):
        return True
    if len(text) <= _MAX_FURNITURE and (P.COPYRIGHT_LINE.search(text) or P.PITCH_LINE.search(text)):
        return True
    if len(text) <= 400 and (
        P.CAPTION_CREDIT.search(text)
        or P.MEDIA_TEASER_END.search(text)
        or P.PICTURED_LINE.match(text)
    ):
        return True
    # a table row of dates and figures ("| 1/1/2013 | +13.1% |") is data, not a stamp
    if len(text) <= 80 and (P.BYLINE_LINE.match(text) or (is_stamp(text) and text[0] != "|")):
        return True
    return len(text) <= 200 and bool(P.CAPTION_LABEL_LINE.match(text))


def is_stamp(text: str) -> bool:
    """A date/time or reading-time stamp ("Stand: 22.04.2024, 06:00 Uhr", "3 min read")."""
    dates = P.DATE_TOKEN.findall(text)
    if not dates:
        return False
    words = _LETTERS.findall(P.DATE_TOKEN.sub(" ", text))
    if not all(P.STAMP_WORD.match(w) for w in words):
        return False
    # a bare number alone (a table cell, a list count) is not a stamp: need a date or a label
    return bool(words) or any(not d.isdigit() for d in dates)


def _headline_like(line: str) -> bool:
    text = line.strip().lstrip("-•* ")
    return bool(text) and len(text) <= _HEADLINE_MAX and not _SENTENCE_END.search(text)


def drop_teaser_blocks(lines: list[str]) -> list[str]:
    """Drop a "Related"/"Mehr zum Thema" heading and the headline run under it."""
    out: list[str] = []
    skipping = False
    for line in lines:
        stripped = line.strip()
        if P.TEASER_HEADING.match(stripped):
            skipping = True
            continue
        if skipping and _headline_like(stripped):
            continue
        skipping = False
        out.append(line)
    return out


def drop_link_runs(lines: list[str], min_run: int = 3) -> list[str]:
    """Drop runs of list items shaped "- Headline - Source" (aggregator link lists)."""
    keep = [True] * len(lines)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _headline_source(lines[j]):
            j += 1
        if j - i >= min_run:
            for k in range(i, j):
                keep[k] = False
        i = max(j, i + 1)
    return [line for line, k in zip(lines, keep, strict=True) if k]


def _headline_source(line: str) -> bool:
    found = _RUN_SOURCE.match(line.strip())
    return found is not None and len(found.group("head").split()) >= _RUN_HEAD_WORDS


def drop_repeats(lines: list[str]) -> list[str]:
    """Keep the first of verbatim-repeated paragraphs; drop widgets that recur ≥ 3 times.

    Lists and tables are the article's own structure: a comparison repeats "- Free plan"
    or "| Weight | 3 kg |" under every product. Their items go only with their whole list,
    when the same list comes again (trafilatura's fallback returning the body twice).
    """
    line_keys = [_words(line) or _norm(line) for line in lines]
    counts = Counter(key for key, line in zip(line_keys, lines, strict=True) if line.strip())
    widgets = not _body_repeated(counts, 3)
    doubled = _body_repeated(counts, 2)
    # a label straight above its own copy heads nothing: a card's kicker, not a section's
    stacked = {a for a, b in zip(line_keys, line_keys[1:], strict=False) if a == b}
    seen: set[str] = set()
    lists_seen: set[tuple[str, ...]] = set()
    out = []
    for start, end in _runs(lines):
        if end - start > 1 or _is_item(lines[start]):  # a list or table: whole or not at all
            keys = tuple(_words(line) or _norm(line) for line in lines[start:end])
            if keys not in lists_seen or sum(map(len, keys)) < 20:
                out.extend(lines[start:end])
            lists_seen.add(keys)
            seen.update(keys)
            continue
        line = lines[start]
        key = _words(line) or _norm(line)  # "=)" has no words but is still a line
        if not key:
            continue
        if _is_label(line):
            pass  # "How to adapt:" introduces what follows: it heads each repeated section
        elif (
            widgets
            and counts[key] >= 3
            and len(key) <= _MAX_FURNITURE
            and (key in stacked or not _field_label(line))
        ):
            continue  # a placeholder repeated per embed ("External content unavailable")
        elif key in seen and len(key) >= 20 and (doubled or not _field(line)):
            continue  # trafilatura's fallback sometimes returns the body twice
        seen.add(key)
        out.append(line)
    return out


def _field(line: str) -> bool:
    """A field of a product card or a mail header and its value ("Weight: 3 kg", "From: …"):
    two products may share one, so a second copy is no repeat of the body."""
    text = line.strip()
    return len(text) <= _FIELD_MAX and _FIELD.match(text) is not None and not _CODE.search(text)


def _body_repeated(counts: Counter[str], times: int) -> bool:
    """Whether most of the text comes ``times`` times or more: a body repeated whole (tabs
    of one article, trafilatura's fallback), not widgets repeated among the paragraphs."""
    long = [n for key, n in counts.items() if len(key) >= _REPEAT_LONG]
    many = sum(n >= times for n in long)
    return len(long) >= _REPEAT_LINES and many >= _REPEAT_SHARE * len(long)


def _field_label(line: str) -> bool:
    """A label a guide repeats for every product or section, not a placeholder repeated
    per embed: a heading of a few words ("Overall Score", "What we don't like") or a
    field and its value ("Price range: $$", "Warranty: 2 years"); no code, no button."""
    text = line.strip()
    if (
        _LETTERS.search(text) is None
        or _CODE.search(text) is not None
        or P.CALL_TO_ACTION.fullmatch(text)
        or P.WIDGET_LABEL.search(text)
    ):
        return False
    if text.count(" ") < _LABEL_WORDS or _field(text):
        return True
    return text.count(" ") < _HEADING_WORDS and not _FULL_SENTENCE.search(text.rstrip("?"))


def _is_label(line: str) -> bool:
    """A short line ending in a colon: it introduces the lines after it."""
    text = line.strip()
    return text.endswith(":") and len(text) <= _HEADLINE_MAX


def _is_item(line: str) -> bool:
    """A list item or a table row, as trafilatura writes them."""
    return line.lstrip().startswith(("- ", "|"))


def _runs(lines: list[str]) -> list[tuple[int, int]]:
    """Spans of the lines: a run of list items or table rows together, any other line alone."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        j = i + 1
        if _is_item(lines[i]):
            while j < len(lines) and _is_item(lines[j]):
                j += 1
        spans.append((i, j))
        i = j
    return spans


def drop_pull_quotes(lines: list[str]) -> list[str]:
    """Drop a line the text says again inside a longer paragraph: a pull quote.

    Templates lift a sentence of the body into a large-type box (a pull quote) that
    trafilatura returns as a paragraph of its own. A whole sentence of several words that
    occurs word for word within one longer paragraph goes; a fragment is a subheading
    quoting the paragraph below ("'He put me in a hole'"), and stays. The opening lines
    (a standfirst that the first paragraph repeats) stay, and so do lines sharing their
    host with others: a paragraph holding several of them is a digest, not their source.
    """
    keys = [_words(line) for line in lines]
    padded = [f" {key} " for key in keys]
    # every key once, apart: a key found in it only once (its own line) is in no other line,
    # which one C-level count says without a pass over the lines (the rule is quadratic)
    every = "\n".join(padded)
    hosts: dict[int, list[int]] = {}
    for i, key in enumerate(keys):
        if (
            i < _PULL_SKIP
            or not _PULL_MIN <= len(key) <= _PULL_MAX
            or key.count(" ") < _PULL_WORDS - 1
            or not _FULL_SENTENCE.search(lines[i])
        ):
            continue
        if every.count(padded[i]) < 2:
            continue
        found = [
            j for j, other in enumerate(keys) if len(other) > len(key) and padded[i] in padded[j]
        ]
        if len(found) == 1:
            hosts.setdefault(found[0], []).append(i)
    doomed = {quotes[0] for quotes in hosts.values() if len(quotes) == 1}
    return [line for i, line in enumerate(lines) if i not in doomed]


def drop_leading_title(lines: list[str], title: str | None) -> list[str]:
    """The headline belongs in metadata: drop it, and its furniture, when it leads the body.

    Templates print the headline in several forms before the text: alone, with the site's
    name ("Headline | Site"), after a kicker glued to it with or without a space
    ("Ausschuss zur Ahrtal-FlutZwei Rücktritte …"), or under a kicker on its own line
    ("Hitzefolgen" then the headline). Each leading line in such a form goes; a short
    kicker line goes with the headline right below it.
    """
    want = _headline_words(title or "")
    if not want or not lines:
        return lines
    hits = [i for i, line in enumerate(lines[:_TITLE_LINES]) if _is_title_line(line, want)]
    if not hits:
        return lines
    drop = set(hits)
    for i in hits:  # a kicker: a short label line straight above the headline
        if (
            i > 0
            and i - 1 not in drop
            and len(lines[i - 1].strip()) <= _KICKER_MAX
            and _headline_like(lines[i - 1])
            and not lines[i - 1].lstrip().startswith("- ")
        ):
            drop.add(i - 1)
    return [line for i, line in enumerate(lines) if i not in drop]


def _is_title_line(line: str, want: str) -> bool:
    """Whether ``line`` is the headline in one of the forms templates print it."""
    got = _headline_words(line)
    if got == want:  # the headline alone: even a two-word one ("Легкий троннинг")
        return len(want) >= _TITLE_MIN
    if want.count(" ") < 2 or line[:1].islower():
        return False
    if (
        got.startswith(want + " ")
        and _SITE_SUFFIX.search(line)
        and len(got) <= len(want) + _SUFFIX_MAX
    ):
        return True  # "Headline | Site" (a <title> printed in the page)
    if len(got) > len(want) + 80:
        return False
    # a kicker before it, glued with or without a space ("…-SonderparteitagChiesa ruft …")
    return got.endswith(" " + want) or got.replace(" ", "").endswith(want.replace(" ", ""))


class _Line(str):
    """One line of the text, remembering the paragraph (block) it came from."""

    block: int

    def __new__(cls, text: str, block: int) -> _Line:
        line = super().__new__(cls, text)
        line.block = block
        return line


def postclean(text: str, title: str | None = None, headlines: tuple[str, ...] = ()) -> str:
    """Apply every line rule to trafilatura's text output; paragraphs come out as blocks.

    ``title`` is the page's title, ``headlines`` the other forms of it the page declares
    (:attr:`scraper.extract.metadata.PageMeta.headlines`): any of them leading the body goes.

    Each output line of trafilatura is a block, but one ending in :data:`LINE_BREAK`
    continues on the next (a ``<br>`` inside a paragraph). Rules judge single lines (a
    caption or pitch may sit behind a ``<br>``); a block's surviving lines are joined by a
    newline.
    """
    # a soft hyphen is an invisible hint where a word may break: kept, "Helikopter\u00adlandeplatz"
    # would not match a search for the word it is part of
    text = text.replace(_SOFT_HYPHEN, "")
    # a marker ending a row joins the next row to its paragraph (see mark_line_breaks)
    text = _MARK_EOL.sub(LINE_BREAK, text).replace(PARA_BREAK, "\n")
    lines: list[str] = [
        _Line(part, block)
        for block, row in enumerate(text.split("\n"))
        for part in _break(row)
        if part.strip()
    ]
    for headline in (title, *headlines):
        lines = drop_leading_title(lines, headline)
    lines = drop_teaser_blocks(lines)
    lines = [line for line in lines if not is_furniture(line)]
    lines = drop_link_runs(lines)
    lines = drop_repeats(lines)
    lines = drop_pull_quotes(lines)
    lines = drop_end_matter(lines)
    lines = drop_sign_off(lines)
    return join_blocks(lines)


def drop_end_matter(lines: list[str]) -> list[str]:
    """Drop a closing "Sources" / "The author" / "Similar" section and what follows it.

    Only the last lines are looked at, and only a short tail goes: the same heading high
    up in a long piece ("Sources" in an explainer) heads reporting.
    """
    start = max(1, len(lines) - _END_LINES)
    for i in range(start, len(lines)):
        if P.END_HEADING.match(lines[i].strip()):
            tail = lines[i + 1 :]
            if len(tail) <= _END_TAIL and all(len(t) <= _END_LINE_MAX for t in tail):
                return lines[:i]
    return lines


def drop_sign_off(lines: list[str]) -> list[str]:
    """Drop the sign-off lines that end an article ("With files from AP", "(dpa)", a bio)."""
    end = len(lines)
    while end > 1 and len(lines) - end < _SIGN_OFF_LINES:
        line = lines[end - 1].strip().lstrip("-•* ").strip()
        if len(line) > _SIGN_OFF_MAX or not (P.SIGN_OFF.search(line) or P.AUTHOR_BIO.match(line)):
            break
        end -= 1
    return lines[:end]


def _break(row: str) -> list[str]:
    """A block's lines; a ``<br>`` in a table row or list item is only a space."""
    if _is_item(row):
        return [_MARKS.sub(" ", row)]
    return row.split(LINE_BREAK)


def join_blocks(lines: list[str]) -> str:
    """Paragraphs separated by a blank line, as the archive stores them.

    Lines of one block (a paragraph broken by ``<br>``) are joined by a newline; the items
    of one list ("- …") and the rows of one table ("| … |") stay together on consecutive
    lines, as in Markdown: each list or table is one block.
    """
    out: list[str] = []
    prev, prev_block = "", -1
    for raw in lines:
        block = getattr(raw, "block", -1)
        line = raw.strip()
        if out:
            same = block == prev_block and block >= 0
            out.append("\n" if same or _same_block(prev, line) else "\n\n")
        out.append(line)
        prev, prev_block = line, block
    return "".join(out)


def _same_block(prev: str, line: str) -> bool:
    return (prev.startswith("- ") and line.startswith("- ")) or (
        prev.startswith("|") and line.startswith("|")
    )


def stitch(text: str, blocks: tuple[str, ...], containers: int) -> str:
    """Take the full article container when trafilatura kept only part of it.

    ``blocks`` are the container's paragraphs in page order. When the extracted text covers
    less than 60 % of their characters, the container's blocks replace the covered part;
    lines trafilatura found before and after the container (standfirst, notes) stay.
    """
    long_blocks = [b for b in blocks if len(b) >= 40]
    if not long_blocks or (containers < 2 and len(long_blocks) < 3):
        return text
    lines = text.split("\n")
    norm_text = _norm(text)
    covered = sum(len(b) for b in long_blocks if _norm(b) in norm_text)
    total = sum(len(b) for b in long_blocks)
    if covered == 0:
        return text
    if covered >= 0.6 * total:
        if _paragraphs_only(lines, blocks):
            return fill_gaps(lines, list(blocks), outline=True)
        if containers >= 2 and covered < total:
            return fill_gaps(lines, long_blocks)
        return text
    block_keys = {_norm(b.removeprefix("- ")) for b in blocks}
    hits = [i for i, line in enumerate(lines) if _norm(line.lstrip("- ")) in block_keys]
    if not hits:
        return text
    head, tail = lines[: hits[0]], lines[hits[-1] + 1 :]
    return "\n".join(head + list(blocks) + tail)


def _paragraphs_only(lines: list[str], blocks: tuple[str, ...]) -> bool:
    """Whether trafilatura read the container's paragraphs alone, leaving out its lists.

    When it finds no article container by its own rules, trafilatura recovers the page's
    paragraphs only (its "wild text"): the sub-headings and lists between them are lost.
    """
    items = sum(b.startswith("- ") for b in blocks)
    return items >= _OUTLINE_ITEMS and not any(line.startswith("- ") for line in lines)


def fill_gaps(lines: list[str], blocks: list[str], *, outline: bool = False) -> str:
    """Put back the paragraphs of a split body that trafilatura skipped between kept ones.

    With the body in several containers around ad slots, trafilatura sometimes keeps most
    of it but drops a paragraph or two next to a slot. A missing block goes right after the
    kept block that precedes it in the container order; blocks before the first kept one
    or after the last are left out (their edges are where teasers and notes sit), and so
    are short ones ("Here are more of our …" pointers). With ``outline`` (trafilatura read
    the paragraphs alone, :func:`_paragraphs_only`), the sub-headings and list items it
    left out between them come back too.
    """
    where = {_headline_words(line): i for i, line in enumerate(lines)}
    found = [where.get(_headline_words(b)) for b in blocks]
    kept = [i for i, pos in enumerate(found) if pos is not None]
    inserts: dict[int, list[str]] = {}
    have = _trigrams(" ".join(lines))
    said = "\n".join(f" {_words(line)} " for line in lines) if outline else ""
    for k in range(kept[0] + 1, kept[-1]) if kept else ():
        # only paragraphs of prose: a short line between them is a pointer or a label; and
        # only text not kept in another form (a list item holding a sub-list comes back as
        # several lines, never as the one line its text is)
        if found[k] is None and (
            _unsaid(blocks[k], said)
            if outline
            else len(blocks[k]) >= _GAP_PROSE and _novel(blocks[k], have)
        ):
            prev = max(found[j] or 0 for j in range(kept[0], k) if found[j] is not None)
            inserts.setdefault(prev, []).append(blocks[k])
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        out.extend(inserts.get(i, ()))
    return "\n".join(out)


def _unsaid(block: str, said: str) -> bool:
    """Whether a heading or list item is missing from every kept line (``said``: their words,
    one line each, space-padded)."""
    key = _words(block)
    return bool(key) and f" {key} " not in said


def _trigrams(text: str) -> set[tuple[str, ...]]:
    """Runs of three words (controls and punctuation aside), to tell text already kept."""
    words = _WORD.findall(_CONTROL.sub("", text).casefold())
    return set(zip(words, words[1:], words[2:], strict=False))


def _novel(block: str, have: set[tuple[str, ...]]) -> bool:
    """Whether most of ``block``'s three-word runs are missing from ``have``."""
    runs = _trigrams(block)
    return bool(runs) and len(runs & have) < _NOVEL_SHARE * len(runs)
