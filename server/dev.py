"""Werkzeug's development server (threaded), only for `SharedServer(dev=True)`.

It exists for fidelity with the article, which ran `app.run()`. It answers every
request with `Connection: close`, so keep-alive cannot be measured against it;
gunicorn (gunicorn_conf.py) is the default for that reason.

    python -m server.dev --fd N          serve on an inherited, listening socket
    python -m server.dev --port P        bind 127.0.0.1:P itself
"""

from __future__ import annotations

import argparse
import logging

from werkzeug.serving import make_server

from .app import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m server.dev", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fd", type=int, default=None, help="an already bound and listening socket")
    args = parser.parse_args(argv)
    # Like gunicorn_conf (accesslog = None): no line per request on the server's core.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # make_server, not app.run(): no reloader, no debugger, ever.
    server = make_server(args.host, args.port, create_app(), threaded=True, fd=args.fd)
    server.serve_forever()


if __name__ == "__main__":
    main()
