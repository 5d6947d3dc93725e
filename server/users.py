"""/users: the REST resource of the `rest` scenario (plural nouns, HATEOAS links).

Clients follow `_links.self.href` instead of building URLs, so every
representation carries its links.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request

from . import limits
from .errors import error_response
from .user_store import StoreFull, User, UserStore

USER_STORE_EXTENSION = "polybench.users"
COLLECTION_HREF = "/users"
_FIELDS = ("name", "email")
# Insufficient Storage: the request is fine, the server has no room for it.
# (409 Conflict would suggest the request clashes with an existing resource.)
STORE_FULL_STATUS = 507

users = Blueprint("users", __name__)


def _store() -> UserStore:
    store: UserStore = current_app.extensions[USER_STORE_EXTENSION]
    return store


def user_href(user_id: int) -> str:
    return f"{COLLECTION_HREF}/{user_id}"


def _representation(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "_links": {"self": {"href": user_href(user.id)}, "collection": {"href": COLLECTION_HREF}},
    }


def _json_body() -> Any:
    """The request body parsed as JSON whatever the Content-Type says; None if it is not JSON.

    Not request.get_json: a chunked body (no Content-Length) over
    MAX_CONTENT_LENGTH is silently cut at the limit by Werkzeug, which then
    reads as bad JSON (400, where the limit's answer is 413); and a small body
    nested thousands deep raises RecursionError in the parser (500).
    """
    if request.content_length is None:  # chunked: count while reading, one byte past the cap
        try:
            raw = request.environ["wsgi.input"].read(limits.MAX_BODY_BYTES + 1)
        except Exception:  # noqa: BLE001 - the WSGI server's own parse error (gunicorn: InvalidChunkSize ...)
            abort(400, description="the chunked body cannot be read (bad chunk framing)")
        if len(raw) > limits.MAX_BODY_BYTES:
            abort(413)
    else:
        raw = request.get_data(cache=False)  # over MAX_CONTENT_LENGTH: 413 before reading
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None


def _user_fields() -> tuple[str, str]:
    """`name` and `email` from the JSON body, or abort with 400."""
    body = _json_body()
    expected = (f'a JSON object {{"name": ..., "email": ...}}, both non-empty strings of at most '
                f"{limits.MAX_USER_FIELD_CHARS} characters")
    if not isinstance(body, dict) or set(body) != set(_FIELDS):
        abort(400, description=f"body must be {expected}")
    for field in _FIELDS:
        value = body[field]
        if not isinstance(value, str) or not value or len(value) > limits.MAX_USER_FIELD_CHARS:
            abort(400, description=f"invalid {field}: body must be {expected}")
    return body["name"], body["email"]


def _not_found(user_id: int) -> Response:
    return error_response(404, f"no user with id {user_id}")


@users.post(COLLECTION_HREF)
def create_user() -> Response:
    name, email = _user_fields()
    try:
        user = _store().create(name, email)
    except StoreFull as full:
        return error_response(STORE_FULL_STATUS, str(full))
    response = jsonify(_representation(user))
    response.status_code = 201
    response.headers["Location"] = user_href(user.id)
    return response


@users.get(COLLECTION_HREF)
def list_users() -> Response:
    all_users = _store().all()
    return jsonify({
        "users": [_representation(user) for user in all_users],
        "count": len(all_users),
        "_links": {"self": {"href": COLLECTION_HREF}},
    })


@users.get(f"{COLLECTION_HREF}/<int:user_id>")
def get_user(user_id: int) -> Response:
    user = _store().get(user_id)
    return jsonify(_representation(user)) if user is not None else _not_found(user_id)


@users.put(f"{COLLECTION_HREF}/<int:user_id>")
def replace_user(user_id: int) -> Response:
    # 404 before 400: a missing resource is the more useful answer.
    if _store().get(user_id) is None:
        return _not_found(user_id)
    name, email = _user_fields()
    user = _store().replace(user_id, name, email)
    return jsonify(_representation(user)) if user is not None else _not_found(user_id)


@users.delete(f"{COLLECTION_HREF}/<int:user_id>")
def delete_user(user_id: int) -> Response:
    if not _store().delete(user_id):
        return _not_found(user_id)
    response = Response(status=204)
    # No body, so no media type either.
    del response.headers["Content-Type"]
    return response
