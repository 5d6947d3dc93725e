"""Every error leaves the server as JSON `{"error": "..."}` with its real status.

Clients verify the `rest` scenario's final 404 by its JSON body, and a JSON
body is easier to quote in a failed run's reason than an HTML error page.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge


def error_response(status: int, message: str) -> Response:
    """A JSON error body with the given status."""
    response = jsonify(error=message)
    response.status_code = status
    return response


def _message(error: HTTPException) -> str:
    if isinstance(error, RequestEntityTooLarge):
        return f"request body larger than {current_app.config['MAX_CONTENT_LENGTH']} bytes"
    # Our own abort(..., description=...) calls carry a specific message;
    # Werkzeug's stock descriptions are paragraphs, its names are enough.
    if error.description and error.description != type(error).description:
        return error.description
    return (error.name or "error").lower()


def _http_error(error: HTTPException) -> Response:
    response = error_response(error.code or 500, _message(error))
    # Keep protocol headers such as `Allow` on a 405.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _internal_error(error: InternalServerError) -> Response:
    # Flask has already logged the traceback; the client gets no internals.
    return error_response(500, "internal server error")


def register_error_handlers(app: Flask) -> None:
    """Make every HTTP error, including Flask's own 404/405/413/500, JSON."""
    app.register_error_handler(InternalServerError, _internal_error)
    app.register_error_handler(HTTPException, _http_error)
