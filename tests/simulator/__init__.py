"""Publisher simulator: a real loopback HTTP server serving articles, feeds and faults."""

from tests.simulator.log import LogEntry, RequestLog
from tests.simulator.server import Simulator
from tests.simulator.site import Article, HostConfig, Site, SiteConfig, with_host

__all__ = [
    "Article", "HostConfig", "LogEntry", "RequestLog", "Simulator", "Site", "SiteConfig",
    "with_host",
]
