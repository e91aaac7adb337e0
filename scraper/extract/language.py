"""The article's language: the page's declaration, checked against the text itself.

Detection uses py3langid (a naive Bayes model over byte n-grams, shipped inside the
package, about 100 languages). The model loads once per process (extraction workers fork with
it loaded, see ``preload.py``); the first 1,000 characters of a text are classified in about
0.8 ms.

The package ships the model LZMA-compressed: unpacking it costs ~0.55 s of CPU, a tenth of a
200-page ``scraper eval``. The first process to unpack it keeps the arrays uncompressed in the
user's cache folder (``$SCRAPER_CACHE_DIR``, else ``$XDG_CACHE_HOME/scraper``, else
``~/.cache/scraper``; 97 MB), named after the package's version and the model file's size and
time, and later processes read those (~0.05 s). A cache that cannot be written or read is
skipped: the model is then unpacked as before.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from array import array
from functools import cache
from pathlib import Path
from typing import Any

DECLARED = "declared"
DETECTED = "detected"

_MIN_CHARS = 200  # shorter texts (teasers, captions) are too easy to misread
_SAMPLE_CHARS = 1000  # fundus set: same answers as 3,000 characters on all 258 pages, 1/3 the CPU
_QUICK_CHARS = 300  # a declaration this much of the text agrees with is taken as is
_CONFIDENT = 0.95  # normalised probability needed to overrule a declared language
# codes the model and the pages spell differently for one language
_SAME = {"nb": "no", "nn": "no", "iw": "he", "in": "id", "ji": "yi"}


def choose_language(declared: str | None, text: str) -> tuple[str | None, str | None]:
    """(language, source): the declared one unless the text clearly says otherwise.

    A declaration is first checked on a short sample: when that agrees, as on most pages,
    the full sample is not classified (the model's cost is linear in the characters).
    """
    if declared is not None and _agrees(detect(text, _QUICK_CHARS), declared):
        return declared, DECLARED
    detected = detect(text)
    if declared is None:
        return (detected, DETECTED) if detected else (None, None)
    if detected is None or _agrees(detected, declared):
        return declared, DECLARED
    return detected, DETECTED


def _agrees(detected: str | None, declared: str) -> bool:
    return detected is not None and _norm(detected) == _norm(declared)


def detect(text: str, chars: int = _SAMPLE_CHARS) -> str | None:
    """The text's ISO 639-1 code, or None when it is short or the model is unsure."""
    sample = text[:chars]
    if len(sample.strip()) < _MIN_CHARS:
        return None
    identifier = _identifier()
    if identifier is None:
        return None
    code, confidence = identifier.classify(sample)
    return str(code) if confidence >= _CONFIDENT else None


def _norm(code: str) -> str:
    return _SAME.get(code, code)


@cache
def _identifier() -> Any:
    """The model, loaded once per process; None if it cannot be loaded.

    py3langid unpacks its model through a temporary file: with the disk (or /tmp) full
    that fails, and detection is then off for the process rather than every page's
    extraction failing with it (the declared language still stands).
    """
    # imported here: numpy and the model load only in processes that extract
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    packaged = MODEL_DIR / MODEL_FILE
    folder = _cache_folder(packaged)
    arrays = _read_cache(folder) if folder is not None else None
    if arrays is not None:
        try:
            ptc, pc, classes, nextmove, row, output = arrays
            return LanguageIdentifier(
                ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row
            )
        except (TypeError, ValueError):  # a py3langid whose constructor changed
            pass
    try:
        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    except (OSError, ValueError):
        return None
    # The weights ship as float16; numpy widens the rows a text uses to float32 on every
    # call. Widened once here (57 MB instead of 28), a 300-character sample is classified in
    # 0.055 ms instead of 0.089, with the same scores.
    identifier.nb_ptc = identifier.nb_ptc.astype("float32")
    if folder is not None:
        if folder.exists():  # damaged (it was not read above): made anew
            shutil.rmtree(folder, ignore_errors=True)
        _write_cache(folder, identifier)
    return identifier


_CACHE_FIELDS = ("ptc", "pc", "classes", "nextmove", "row", "output")


def _cache_folder(packaged: Path) -> Path | None:
    """Where this model's unpacked arrays are kept; None when the model file is unreadable."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        stat = packaged.stat()
        release = version("py3langid")
    except (OSError, PackageNotFoundError):
        return None
    chosen = os.environ.get("SCRAPER_CACHE_DIR")
    if chosen:
        root = Path(chosen)
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path("~/.cache").expanduser()) / "scraper"
    return root / f"langid-f32-{release}-{stat.st_size}-{stat.st_mtime_ns}"


def _read_cache(folder: Path) -> tuple[Any, ...] | None:
    """The model's arrays as the constructor takes them, or None (absent, partial, damaged)."""
    import numpy as np

    try:
        # the weights are mapped, not read: a text reads a few hundred of their 100,000 rows
        loaded = {
            name: np.load(folder / f"{name}.npy", mmap_mode="r" if name == "ptc" else None)
            for name in _CACHE_FIELDS
        }
    except (OSError, ValueError, EOFError):
        return None
    return (
        loaded["ptc"],
        loaded["pc"],
        loaded["classes"].tolist(),
        _stdlib_array(loaded["nextmove"]),
        _stdlib_array(loaded["row"]),
        loaded["output"].tolist(),
    )


def _stdlib_array(values: Any) -> array[int]:
    """The DFA tables as py3langid walks them: stdlib arrays, indexed much faster than numpy's."""
    out = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
    out.frombytes(values.tobytes())
    return out


def _write_cache(folder: Path, identifier: Any) -> None:
    """Keep the unpacked arrays for later processes; any failure only means no cache."""
    import numpy as np

    arrays = {
        "ptc": identifier.nb_ptc,
        "pc": identifier.nb_pc,
        "classes": np.array(identifier.nb_classes),
        "nextmove": np.frombuffer(
            identifier.tk_nextmove, dtype=f"u{identifier.tk_nextmove.itemsize}"
        ),
        "row": np.frombuffer(identifier.tk_row, dtype=f"u{identifier.tk_row.itemsize}"),
        "output": np.asarray(identifier.tk_output, dtype=np.int32),
    }
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        # written beside the final name and renamed whole: a reader sees all six or none
        partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=folder.parent))
    except OSError:
        return
    try:
        for name, values in arrays.items():
            np.save(partial / f"{name}.npy", values, allow_pickle=False)
        partial.rename(folder)
    except OSError:  # a full disk, or another process renamed its copy first
        shutil.rmtree(partial, ignore_errors=True)


def load_model() -> None:
    """Load the model now rather than at the first page (before worker processes fork)."""
    _identifier()


def detection_off() -> bool:
    """True when this process could not load the model (pages then say so in a warning)."""
    return _identifier() is None
