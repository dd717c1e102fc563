"""``kravflyt …`` under cProfile: ``python -m benchmarks.profiled_server OUT.prof serve intake …``.

Profiles the main thread (the event loop: HTTP handling, handlers, relay). FastAPI runs the
synchronous auth dependency in its thread pool, which cProfile does not see. Stats are written
when the server returns (uvicorn returns on SIGINT/SIGTERM after a graceful shutdown).
"""

from __future__ import annotations

import cProfile
import sys


def main() -> None:
    out, args = sys.argv[1], sys.argv[2:]
    sys.argv = ["kravflyt", *args]
    from runtime.cli import main as kravflyt

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        kravflyt()
    except SystemExit:
        pass
    finally:
        profiler.disable()
        profiler.dump_stats(out)


if __name__ == "__main__":
    main()
