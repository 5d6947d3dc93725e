"""How the app runs `async def` views: Flask's default, except under gevent.

Flask hands each async view to asgiref, which starts a new event loop in a
new thread for it. Under gunicorn's gevent worker that "thread" is a greenlet
in the worker's one OS thread, and asyncio records the running loop per OS
thread, so while one async view awaits, every other greenlet sees its loop:
a second async view arriving then fails in asgiref with "You cannot use
AsyncToSync in the same thread as an async event loop" (measured here: 7 of
8 concurrent GET /fanout/async/2/500 answered 500; known upstream as
pallets/flask#5881 and django/asgiref#443).

So under gevent the app runs every async view as a task on ONE event loop per
worker process, in its own greenlet, the way an ASGI server runs a worker's
views. Its select() is gevent's, so the loop waits cooperatively and the
worker keeps serving sync requests (the inner /delay calls) meanwhile.
Werkzeug's threaded development server keeps Flask's default: real threads
each have their own running loop, and that is the article's own set-up.
"""

from __future__ import annotations

import asyncio
import functools
import sys
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from flask import Flask

AsyncView = Callable[..., Coroutine[Any, Any, Any]]

_worker_loop: asyncio.AbstractEventLoop | None = None
_worker_loop_lock = threading.Lock()


def gevent_patched() -> bool:
    """True inside gunicorn's gevent worker (the socket module is monkey-patched)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("socket")


def worker_loop() -> asyncio.AbstractEventLoop:
    """The process's event loop for async views, started on first use.

    One per process, not per app: under gevent a second loop could not run
    while this one does (same OS thread), and it must not start before
    gunicorn forks the worker.
    """
    global _worker_loop
    with _worker_loop_lock:
        if _worker_loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="polybench-async-views", daemon=True).start()
            _worker_loop = loop
        return _worker_loop


def run_on_worker_loop(view: AsyncView) -> Callable[..., Any]:
    """Flask's `async_to_sync` hook: run the view on the worker loop and wait for it.

    The waiting greenlet blocks on a gevent-patched lock, so the worker serves
    other requests meanwhile. The task runs in a copy of the caller's context,
    so `request` works inside the view.
    """

    @functools.wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(view(*args, **kwargs), worker_loop()).result()

    return run


def configure_async_views(app: Flask) -> None:
    """Under gevent, route the app's async views to the worker loop."""
    if gevent_patched():
        app.async_to_sync = run_on_worker_loop  # type: ignore[method-assign,assignment]
