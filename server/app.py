"""create_app(): the Flask application every client under test talks to.

gunicorn calls it as `server.app:create_app()`; tests call it directly and get
a fresh app with empty counters and an empty user store each time.
"""

from __future__ import annotations

import os
import secrets

from flask import Flask

from . import limits
from .async_views import configure_async_views
from .errors import register_error_handlers
from .fanout import fanout
from .middleware import INTERNAL_SECRET_EXTENSION, RunCountingMiddleware
from .probes import RUN_STATS_EXTENSION, STATS_TOKEN_ENV, STATS_TOKEN_EXTENSION, probes
from .run_stats import RunStats
from .user_store import UserStore
from .users import USER_STORE_EXTENSION, users


def create_app() -> Flask:
    """Build the app: routes, JSON errors, body cap, per-run counting and proofs."""
    app = Flask(__name__)
    # Never debug mode, whatever FLASK_DEBUG says: the debugger runs code on request.
    app.debug = False
    app.config["MAX_CONTENT_LENGTH"] = limits.MAX_BODY_BYTES

    run_stats = RunStats()
    app.extensions[RUN_STATS_EXTENSION] = run_stats
    # Marks the fan-out views' calls to this server as internal (docs/contract.md,
    # "Server-internal calls"); never sent to a client.
    internal_secret = secrets.token_hex(16)
    app.extensions[INTERNAL_SECRET_EXTENSION] = internal_secret
    # Who may read /stats (probes.stats): the orchestrator that started this
    # server passes a fresh token; `serve` for another host takes one from
    # its environment, or runs without (then /stats is open, and said so).
    app.extensions[STATS_TOKEN_EXTENSION] = os.environ.get(STATS_TOKEN_ENV) or None
    # Read at call time so tests can shrink the cap with monkeypatch.
    app.extensions[USER_STORE_EXTENSION] = UserStore(limits.MAX_USERS)

    app.register_blueprint(probes)
    app.register_blueprint(users)
    app.register_blueprint(fanout)
    configure_async_views(app)
    register_error_handlers(app)

    app.wsgi_app = RunCountingMiddleware(app.wsgi_app, run_stats, internal_secret)  # type: ignore[method-assign]
    return app
