"""Fetching: one guarded, polite HTTP fetch at a time.

``fetcher`` (size caps, own redirects, deadline, retries) over the run's one httpx client
(``client``: httpx's standard transport, one httpcore pool per origin in ``transport``,
connections made by the guarded backend in ``connect`` over ``streams``, names resolved
through ``dns``), ``guard`` (addresses), ``politeness`` (per-host delay and concurrency),
``robots`` (RFC 9309), ``retry`` (the policy as data) and ``decoding`` (capped
Content-Encoding).
"""
