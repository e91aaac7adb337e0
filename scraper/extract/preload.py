"""The extraction workers' entry module: imports and the language model, loaded before forking.

Imported once in the process that forks the workers (the crawl's forkserver preloads the
module of its target; ``scraper eval`` imports it before its pool forks), so each worker
starts with trafilatura, the cleaning rules and py3langid's model already in memory
(copy-on-write, shared) instead of spending ~0.6 s of CPU on imports and ~0.55 s on
unpacking the model in every worker, during the run. The model is still loaded at most
once per process, and a model that cannot be loaded leaves detection off, as before.

The model is unpacked on a thread while the imports run: LZMA decompression releases the
GIL, so on two cores the two take about as long as the imports alone. The thread has
ended before this module's import returns (forking with a live thread is unsafe).
"""

from __future__ import annotations

import threading

from scraper.extract.language import load_model

_loader = threading.Thread(target=load_model, name="langid-model")
_loader.start()
# imported after the thread started, on purpose (E402): the two run side by side
from scraper.extract.extractor import extract_for_archive, extract_page  # noqa: E402

_loader.join()

__all__ = ["extract_for_archive", "extract_page"]
