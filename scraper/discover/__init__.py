"""Discovery: a seed's feeds, sitemaps and listing pages → candidate article URLs.

``discovery`` runs a seed's sources; ``feeds``, ``sitemaps`` and ``listing`` parse one
document each; ``xmlsafe`` is the hardened XML parser they share (no entities, no network).
"""
