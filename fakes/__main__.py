"""``python -m fakes SERVICE --port P``: serve one fake."""

from __future__ import annotations

import argparse
import importlib

import uvicorn

from fakes import SERVICES


def main(argv: list[str] | None = None, service: str | None = None) -> None:
    """Parse the command line and serve the fake until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m fakes", description=__doc__)
    if service is None:
        parser.add_argument("service", choices=SERVICES)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args, extra = parser.parse_known_args(argv)
    module = importlib.import_module(f"fakes.{service or args.service}")
    if hasattr(module, "serve"):  # a WSGI fake (oidc) serves itself and has options of its own
        module.serve(args.host, args.port, extra)
        return
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    app = module.create_app()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
