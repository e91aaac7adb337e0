"""Fetching: one guarded, polite HTTP fetch at a time.

``fetcher`` (size caps, own redirects, deadline, retries) reads each response through
``responses`` (type and length gates, capped body) and ``decoding`` (capped
Content-Encoding), and reports every exchange (``exchange``: what crossed the wire, for
the WARC copy). Under it the run's one httpx client (``client``: httpx's standard
transport, one httpcore pool per origin in ``transport``, connections made by the guarded
backend in ``backend`` over ``streams``, names resolved through ``dns``). Around it:
``guard`` (which addresses may be reached), ``politeness`` (per-host delay and
concurrency), ``robots`` (RFC 9309) and ``retry`` (the policy as data).
"""
