"""Server-side sessions: a table under ``--data`` that stores only digests of the tokens.

A session is a random cookie token plus a CSRF token. It ends when it has been idle for
``idle_s`` or open for ``absolute_s``, or when its account logs out. The table lives in a
small SQLite file, so a restart keeps people logged in; a copy of the file gives nobody a
session (only SHA-256 digests of the tokens are stored).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

IDLE_S = 30 * 60
ABSOLUTE_S = 10 * 60 * 60


@dataclass(frozen=True)
class Session:
    login: str
    csrf_token: str
    created: float

    def csrf_ok(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token, self.csrf_token)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionTable:
    def __init__(self, path: Path, *, idle_s: float = IDLE_S, absolute_s: float = ABSOLUTE_S,
                 clock: Callable[[], float] = time.time) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.idle_s = idle_s
        self.absolute_s = absolute_s
        self.clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("CREATE TABLE IF NOT EXISTS sessions (token_sha256 TEXT PRIMARY KEY, "
                         "login TEXT NOT NULL, csrf TEXT NOT NULL, created REAL NOT NULL, "
                         "seen REAL NOT NULL)")

    def open(self, login: str) -> tuple[str, Session]:
        """A new session: the cookie token (never stored) and the session."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        session = Session(login, secrets.token_urlsafe(32), now)
        with self._lock:
            self._purge(now)
            self._db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                             (_digest(token), login, session.csrf_token, now, now))
        return token, session

    def get(self, token: str | None) -> Session | None:
        """The live session of a cookie token (and mark it used), or None."""
        if not token:
            return None
        now = self.clock()
        key = _digest(token)
        with self._lock:
            row = self._db.execute("SELECT login, csrf, created, seen FROM sessions WHERE "
                                   "token_sha256 = ?", (key,)).fetchone()
            if row is None:
                return None
            login, csrf, created, seen = row
            if now - seen > self.idle_s or now - created > self.absolute_s:
                self._db.execute("DELETE FROM sessions WHERE token_sha256 = ?", (key,))
                return None
            self._db.execute("UPDATE sessions SET seen = ? WHERE token_sha256 = ?", (now, key))
        return Session(str(login), str(csrf), float(created))

    def close(self, token: str | None) -> None:
        if not token:
            return
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE token_sha256 = ?", (_digest(token),))

    def _purge(self, now: float) -> None:
        self._db.execute("DELETE FROM sessions WHERE seen < ? OR created < ?",
                         (now - self.idle_s, now - self.absolute_s))

    def shutdown(self) -> None:
        with self._lock:
            self._db.close()
