"""A test resolver: names such as ``pub-a.test`` mapped to loopback, every lookup recorded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class NameTable:
    """An async resolver answering from a table; a name may answer differently each time."""

    def __init__(self, table: Mapping[str, Sequence[str] | Sequence[Sequence[str]]]) -> None:
        self._table = {name: list(answers) for name, answers in table.items()}
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        answers = self._table.get(host)
        if answers is None:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        if answers and not isinstance(answers[0], str):  # a list of answers, one per lookup
            return list(answers.pop(0) if len(answers) > 1 else answers[0])
        return [str(a) for a in answers]
