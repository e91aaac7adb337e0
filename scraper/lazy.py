"""A package's front door that imports a stage only when one of its names is first used.

Each stage package lists what other packages may use (``__all__``) and the module each
name lives in; ``__getattr__ = front_door(__name__, homes)`` then imports that module on
first use, so importing a package costs nothing until its insides are needed (extraction
workers and the CLI import only what they run).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module


def front_door(package: str, homes: Mapping[str, str]) -> Callable[[str], object]:
    """The module ``__getattr__`` of ``package``: ``homes`` maps a name to its module."""

    def __getattr__(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{home}"), name)
        setattr(sys.modules[package], name, value)  # the next lookup does not come here
        return value

    return __getattr__
