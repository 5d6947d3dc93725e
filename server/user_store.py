"""The in-memory store behind /users: a dict, a lock and a cap."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    id: int
    name: str
    email: str


class StoreFull(Exception):
    """Raised by UserStore.create when the cap is reached."""


class UserStore:
    """Thread-safe users by id. Ids are never reused, so a deleted user's
    link keeps answering 404 (the `rest` scenario's last call relies on it)."""

    def __init__(self, max_users: int) -> None:
        self.max_users = max_users
        self._users: dict[int, User] = {}
        self._next_id = itertools.count(1)
        self._lock = threading.Lock()

    def create(self, name: str, email: str) -> User:
        with self._lock:
            if len(self._users) >= self.max_users:
                raise StoreFull(f"user store is full ({self.max_users} users); delete some first")
            user = User(next(self._next_id), name, email)
            self._users[user.id] = user
            return user

    def get(self, user_id: int) -> User | None:
        with self._lock:
            return self._users.get(user_id)

    def all(self) -> list[User]:
        with self._lock:
            return list(self._users.values())

    def replace(self, user_id: int, name: str, email: str) -> User | None:
        with self._lock:
            if user_id not in self._users:
                return None
            user = self._users[user_id] = User(user_id, name, email)
            return user

    def delete(self, user_id: int) -> bool:
        with self._lock:
            return self._users.pop(user_id, None) is not None
