"""Accounts: a TOML users file holding only argon2 password hashes.

```toml
[users.lan]
role = "planner"
password_hash = "$argon2id$v=19$m=65536,t=3,p=4$…"

[users.ttcntt]
role = "agency"
agency = "TTCNTT"
password_hash = "$argon2id$…"
```

``allocator users add USERS_FILE LOGIN --role …`` writes it; the server re-reads it when
the file changes, so an account added while it runs can log in at once.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import threading
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD = 8
_HASHER = PasswordHasher()
# Verified when a login is unknown, so that the answer takes as long as for a known one.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class Role(StrEnum):
    planner = "planner"
    agency = "agency"
    viewer = "viewer"


@dataclass(frozen=True)
class Account:
    login: str
    role: Role
    agency: str | None = None
    password_hash: str = ""

    @property
    def is_planner(self) -> bool:
        return self.role is Role.planner


class AccountError(ValueError):
    """A users file or an account that cannot be used; carries Vietnamese and English."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"{vi} / {en}")
        self.vi = vi
        self.en = en


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_account(login: str, role: str, agency: str | None) -> Role:
    """Validate an account's fields; returns its role."""
    if not LOGIN_PATTERN.match(login):
        raise AccountError("tên đăng nhập chỉ gồm chữ, số, '.', '_' hoặc '-' (tối đa 64 ký tự)",
                           "a login is letters, digits, '.', '_' or '-' (at most 64)")
    try:
        parsed = Role(role)
    except ValueError:
        raise AccountError(f"vai trò không hợp lệ: {role}",
                           f"unknown role {role!r}: planner, agency or viewer") from None
    if parsed is Role.agency and not agency:
        raise AccountError("tài khoản cơ quan cần --agency (mã đơn vị)",
                           "an agency account needs --agency UNIT_ID")
    if parsed is not Role.agency and agency:
        raise AccountError("chỉ tài khoản cơ quan (agency) mới có --agency",
                           "only an agency account has --agency")
    return parsed


def read_users(path: Path) -> dict[str, Account]:
    """Every account of a users file."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AccountError(f"không tìm thấy tệp tài khoản {path}",
                           f"users file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AccountError(f"tệp tài khoản không hợp lệ: {exc}",
                           f"invalid users file: {exc}") from None
    users = doc.get("users", {})
    if not isinstance(users, dict):
        raise AccountError("tệp tài khoản cần bảng [users]", "the users file needs [users]")
    out: dict[str, Account] = {}
    for login, entry in users.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("password_hash"), str):
            raise AccountError(f"tài khoản {login}: thiếu password_hash",
                               f"account {login}: password_hash missing")
        agency = entry.get("agency")
        role = check_account(str(login), str(entry.get("role", "")),
                             str(agency) if agency else None)
        out[str(login)] = Account(str(login), role, str(agency) if agency else None,
                                  entry["password_hash"])
    return out


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def write_users(path: Path, users: dict[str, Account]) -> None:
    """Write the users file atomically, readable by its owner only."""
    lines = ["# allocator accounts: password hashes only (argon2). Edit with",
             "# `allocator users add USERS_FILE LOGIN --role planner|agency|viewer`.", ""]
    for login in sorted(users):
        acc = users[login]
        lines.append(f"[users.{login}]")
        lines.append(f"role = {_toml_string(acc.role.value)}")
        if acc.agency:
            lines.append(f"agency = {_toml_string(acc.agency)}")
        lines.append(f"password_hash = {_toml_string(acc.password_hash)}")
        lines.append("")
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def add_user(path: Path, login: str, role: str, agency: str | None, password: str) -> Account:
    """Add or replace one account in a users file (created when missing)."""
    parsed = check_account(login, role, agency)
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự",
                           f"a password needs at least {MIN_PASSWORD} characters")
    users = read_users(path) if path.exists() else {}
    account = Account(login, parsed, agency, hash_password(password))
    users[login] = account
    write_users(path, users)
    return account


class Directory:
    """The accounts of a running server: the users file, re-read when it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._users: dict[str, Account] = {}
        self._reload()

    def _reload(self) -> None:
        stat = self.path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            self._users = read_users(self.path)
            self._stamp = stamp

    def get(self, login: str) -> Account | None:
        with self._lock:
            with contextlib.suppress(OSError, AccountError):  # keep the accounts last read
                self._reload()
            return self._users.get(login)

    def verify(self, login: str, password: str) -> Account | None:
        """The account when the password is right, else None (same cost either way)."""
        account = self.get(login)
        try:
            _HASHER.verify(account.password_hash if account else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        return account
