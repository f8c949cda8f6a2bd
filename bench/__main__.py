"""Run every benchmark, or those named: `python -m bench [tasks] [ingest] [ask] [bot] [scale]`."""

from __future__ import annotations

import importlib
import sys

ALL = ["tasks", "ingest", "ask", "bot", "scale"]


def main() -> None:
    names = sys.argv[1:] or ALL
    for name in names:
        try:
            module = importlib.import_module(f"bench.bench_{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.bench_{name}":
                print(f"[{name}] no benchmark yet")
                continue
            raise
        print(f"\n=== {name} ===", flush=True)
        module.main()


if __name__ == "__main__":
    main()
