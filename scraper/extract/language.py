"""The article's language: the page's declaration, checked against the text itself.

Detection uses py3langid (a naive Bayes model over byte n-grams, shipped inside the
package, about 100 languages). The model loads once per process (~0.55 s of CPU; extraction
workers fork with it loaded, see ``preload.py``); the first 1,000 characters of a text are
classified in about 0.8 ms.
"""

from __future__ import annotations

from functools import cache
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
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    try:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    except (OSError, ValueError):
        return None


def load_model() -> None:
    """Load the model now rather than at the first page (before worker processes fork)."""
    _identifier()


def detection_off() -> bool:
    """True when this process could not load the model (pages then say so in a warning)."""
    return _identifier() is None
