"""Whether the article is free to read: ``free``, ``paywalled`` or ``unknown``.

Google's structured data for subscription content is the publishers' own declaration:
``isAccessibleForFree`` on the article (a boolean, or the strings "True"/"False") and
``hasPart`` elements with ``isAccessibleForFree: false`` whose ``cssSelector`` names the
paywalled sections. Without it, ``article:content_tier`` meta tags and paywall boxes that
hold a prompt (a class or id naming a paywall, with text in it) mark a paywalled page. A
paywalled page's teaser is still extracted; this flag says it is not the whole article.
"""

from __future__ import annotations

import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from archive import Access

_TIERS = {
    "free": Access.FREE,
    "locked": Access.PAYWALLED,
    "metered": Access.PAYWALLED,
    "premium": Access.PAYWALLED,
    "subscriber": Access.PAYWALLED,
    "paid": Access.PAYWALLED,
}
_TIER_META = ("article:content_tier", "og:article:content_tier", "content_tier")
_FREE_META = ("isaccessibleforfree", "article:isaccessibleforfree")
# one class or id token naming a paywall (not "no-paywall" or "paywall-free")
_MARKER = re.compile(
    r"^(?!no-|non-)(?:[\w-]*[-_])?(?:paywall(?:ed)?|regwall|hardwall|subscribers?-only|"
    r"premium-only|locked-content|content-locked)(?:[-_][\w-]*)?$",
    re.I,
)
_MARKER_CSS = (
    '[class*="paywall" i], [id*="paywall" i], [class*="regwall" i], '
    '[class*="hardwall" i], [class*="subscriber" i], [class*="premium-only" i], '
    '[class*="locked-content" i], [class*="content-locked" i]'
)
# a paywall box counts when it holds a prompt: some text, not a whole article (some sites
# wrap the article itself in a "paywall" container), with a word of the subscription pitch
_PROMPT_MIN, _PROMPT_MAX = 20, 600
_PROMPT_WORDS = re.compile(
    r"subscri|abonn|\babo\b|\babos\b|suscri|abbona|assin|prenumer|abonnement|premium|"
    r"\bplus\b|log ?in|sign ?in|anmelden|registr|weiterlesen|keep reading|continue reading|"
    r"read more with|unlock",
    re.I,
)
# templates a script shows to metered readers sit on free pages too (fundus set: Stern)
_TEMPLATE = re.compile(r"overlay|modal|css|script|campaign|config|context|template", re.I)
_MAX_MARKERS = 50


def read_access(
    tree: LexborHTMLParser, objects: list[dict[str, Any]], metas: dict[str, str]
) -> Access:
    """The page's access level, by its declarations first, then by its paywall boxes."""
    declared = _from_jsonld(objects)
    if declared != Access.UNKNOWN:
        return declared
    for key in _TIER_META:
        tier = _TIERS.get((metas.get(key) or "").strip().lower())
        if tier is not None:
            return tier
    for key in _FREE_META:
        flag = _flag(metas.get(key))
        if flag is not None:
            return Access.FREE if flag else Access.PAYWALLED
    return Access.PAYWALLED if _has_paywall_box(tree) else Access.UNKNOWN


def _from_jsonld(objects: list[dict[str, Any]]) -> Access:
    verdict = Access.UNKNOWN
    for obj in objects:
        if _paywalled_part(obj.get("hasPart")):
            return Access.PAYWALLED
        flag = _flag(obj.get("isAccessibleForFree"))
        if flag is False:
            return Access.PAYWALLED
        if flag is True:
            verdict = Access.FREE
    return verdict


def _paywalled_part(parts: Any) -> bool:
    """A ``hasPart`` element declared not free, with the selector of its section."""
    items = parts if isinstance(parts, list) else [parts]
    return any(
        isinstance(part, dict)
        and _flag(part.get("isAccessibleForFree")) is False
        and bool(part.get("cssSelector"))
        for part in items
    )


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _has_paywall_box(tree: LexborHTMLParser) -> bool:
    for node in tree.css(_MARKER_CSS)[:_MAX_MARKERS]:
        attrs = node.attributes
        tokens = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".split()
        if not any(_MARKER.match(token) and not _TEMPLATE.search(token) for token in tokens):
            continue
        text = " ".join(node.text(deep=True).split())
        if (
            _PROMPT_MIN <= len(text) <= _PROMPT_MAX
            and _PROMPT_WORDS.search(text)
            and not _in_template(node)
        ):
            return True
    return False


def _in_template(node: LexborNode) -> bool:
    """Inside an overlay or modal that a script opens (or a hidden element)."""
    elem = node.parent
    while elem is not None and elem.tag not in ("body", "html"):
        attrs = elem.attributes
        if "hidden" in attrs or _TEMPLATE.search(
            f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        ):
            return True
        elem = elem.parent
    return False
