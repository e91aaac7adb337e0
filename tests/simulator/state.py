"""What request handlers share: the site, the bound port and per-run counters."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.simulator.site import Site


@dataclass
class State:
    """Mutable server state; only touched from the simulator's event-loop thread."""

    site: Site
    port: int = 0
    closed_port: int = 0
    xxe_path: str = "/etc/passwd"
    counters: dict[str, int] = field(default_factory=dict)
    robots_override: dict[str, str] = field(default_factory=dict)  # host → robots mode
    feeds_gone: set[str] = field(default_factory=set)  # hosts whose feeds now answer 404
    chrome_pages: set[str] = field(default_factory=set)  # hosts whose articles lost their body
    live_entries: int | None = None  # entries a live blog shows yet (None: all)

    def bump(self, key: str) -> int:
        """Count one more hit on ``key``; returns the new count (1 on the first hit)."""
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]

    def base(self, host: str) -> str:
        return f"http://{host}:{self.port}"
