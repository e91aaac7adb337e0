"""Where ``export -o PATH`` writes: through what stands at PATH, never over it.

- ``-`` is standard output; a FIFO or a character device (``/dev/null``, a terminal) is
  opened and written as a stream, as a shell's ``>`` would.
- A regular file, or a symlink to one, is replaced atomically: the export is written beside
  the symlink's *target* and renamed over it when whole, so a reader never sees half of
  it. The new file keeps the old one's mode and owner; a new file gets the umask's mode.
- Anything else (a folder, a socket, a block device, a file owned by someone the process
  cannot hand it back to) is refused before the archive is read: exit 2, nothing written.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from scraper.errors import ConfigError

STDOUT = "-"


@dataclass(frozen=True)
class Target:
    """What ``-o`` names: a stream to write into, or a regular file to replace whole."""

    given: Path
    stream: bool  # write straight into it (standard output, a FIFO, a device)
    file: Path  # the file to replace (a symlink resolved); the stream's path otherwise
    mode: int  # permission bits the written file gets
    owner: tuple[int, int] | None  # (uid, gid) to give back, None for a new file


def is_stream(output: Path) -> bool:
    """True for ``-``, a FIFO or a character device: written as a stream."""
    if str(output) == STDOUT:
        return True
    try:
        mode = output.stat().st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def target_of(output: Path) -> Target:
    """Classify ``output``; ConfigError (exit 2) for a path that cannot be written safely."""
    if str(output) == STDOUT:
        return Target(output, True, output, 0, None)
    try:
        info = output.stat()  # follows a symlink
    except FileNotFoundError:
        return _new_file(output)
    except OSError as exc:
        raise ConfigError(f"-o {output}: cannot use it ({exc.strerror or exc})") from None
    if stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode):
        return Target(output, True, output, 0, None)
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"-o {output}: {_kind(info.st_mode)}, not a file to export into")
    owner = (info.st_uid, info.st_gid)
    if info.st_uid != os.geteuid() and os.geteuid() != 0:
        raise ConfigError(
            f"-o {output}: owned by another user; a replacement could not keep "
            "its owner (export to a new file instead)"
        )
    return Target(output, False, output.resolve(), stat.S_IMODE(info.st_mode), owner)


def _new_file(output: Path) -> Target:
    real = output.resolve()  # a dangling symlink names the file to create
    umask = os.umask(0)
    os.umask(umask)
    return Target(output, False, real, 0o666 & ~umask, None)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def write_to(target: Target, write: Callable[[IO[bytes] | Path], int]) -> int:
    """Run ``write`` into ``target`` (a binary stream, or a temporary path renamed over the
    file when whole); what ``write`` returns."""
    if target.stream:
        with _stream(target) as out:
            count = write(out)
            out.flush()
        return count
    with replacing(target) as tmp:
        return write(tmp)


@contextmanager
def _stream(target: Target) -> Iterator[IO[bytes]]:
    if str(target.given) == STDOUT:
        yield sys.stdout.buffer
        return
    try:
        stream = target.file.open("wb")
    except OSError as exc:
        raise ConfigError(f"-o {target.given}: cannot open it ({exc.strerror or exc})") from None
    with stream:
        yield stream


@contextmanager
def replacing(target: Target) -> Iterator[Path]:
    """A temporary path beside ``target.file``; renamed over it (mode, owner kept) if the
    block ends without an exception, removed otherwise."""
    folder = target.file.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.file.name}.", dir=folder)
    except OSError as exc:  # the file is replaced by a rename: its folder must be writable
        raise ConfigError(
            f"-o {target.given}: cannot write in {folder} ({exc.strerror or exc})"
        ) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.chmod(target.mode)
        if target.owner is not None and target.owner != _owner(tmp):
            os.chown(tmp, *target.owner)
        tmp.replace(target.file)  # a reader never sees a half-written export
    finally:
        tmp.unlink(missing_ok=True)


def _owner(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_uid, info.st_gid
