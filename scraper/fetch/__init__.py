"""Fetching: one guarded, polite HTTP fetch at a time.

``fetcher`` (size caps, own redirects, deadline, retries) over the run's one httpx client
(``client``: proxies, cookies; ``transport``: httpx's pools, one per origin; ``connect``:
connections only to checked addresses, on ``streams``; ``dns``: the run's resolved
addresses), ``guard`` (addresses), ``politeness`` (per-host delay and concurrency),
``robots`` (RFC 9309), ``retry`` (the policy as data) and ``decoding`` (capped
Content-Encoding).
"""
