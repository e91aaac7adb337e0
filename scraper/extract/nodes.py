"""Where a node sits in the lexbor tree: the one ancestor walk the extraction modules share."""

from __future__ import annotations

from selectolax.lexbor import LexborNode


def within(
    node: LexborNode, tags: set[str] | frozenset[str], stop: LexborNode | None = None
) -> bool:
    """Whether an ancestor of ``node`` (not ``node`` itself) is one of ``tags``.

    The walk ends at ``stop`` when given (``stop`` itself is not looked at), else at the root.
    """
    elem = node.parent
    while elem is not None and (stop is None or elem.mem_id != stop.mem_id):
        if elem.tag in tags:
            return True
        elem = elem.parent
    return False
