"""``allocator serve`` (the planning workspace in the browser) and ``allocator users add``."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.console import say, usage

users_app = typer.Typer(no_args_is_help=True, help="Tài khoản của máy chủ web. / Accounts of "
                        "the web workspace (a users file with argon2 hashes only).")


def default_data() -> Path:
    """The per-user data folder: $XDG_DATA_HOME/allocator (~/.local/share/allocator)."""
    home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(home) / "allocator"


def _refuse(vi: str, en: str) -> None:
    usage(vi, en)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on. Any address but loopback "
                                           "needs --users.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", min=1, max=65535)] = 8000,
    data: Annotated[Path | None, typer.Option(
        help="Where uploads, variants, results and the run history are kept (default: "
             "$XDG_DATA_HOME/allocator, i.e. ~/.local/share/allocator).")] = None,
    users: Annotated[Path | None, typer.Option(
        help="Users file (allocator users add …). Without it: one person on this computer, "
             "loopback only.")] = None,
    workers: Annotated[int, typer.Option(help="Engine worker threads (uploads, what-ifs and "
                                              "downloads run there, never in a request).",
                                         min=1)] = 2,
    max_upload_mb: Annotated[int, typer.Option(help="Largest upload (MB).", min=1)] = 50,
    tls_cert: Annotated[Path | None, typer.Option(help="TLS certificate (PEM) for HTTPS.")
                        ] = None,
    tls_key: Annotated[Path | None, typer.Option(help="TLS private key (PEM).")] = None,
) -> None:
    """Mở không gian làm việc trên trình duyệt. / Serve the planning workspace in a browser.

    Open http://127.0.0.1:8000 (or the address given). Rounds hold personal data: on any
    address but loopback the server starts only with accounts (--users).
    """
    import uvicorn

    from allocator.web.app import Config, create_app
    from allocator.web.security import is_loopback
    from allocator.web.uploads import UploadLimits

    if users is None and not is_loopback(host):
        _refuse(f"Không mở máy chủ trên địa chỉ {host} khi không có tài khoản (--users): các "
                "kỳ xét chứa dữ liệu cá nhân của viên chức (ngày sinh, dân tộc, xếp loại, kỷ "
                "luật).",
                f"Refusing to listen on {host} without accounts (--users): the rounds hold "
                "personal data of employees (birth dates, ethnicity, ratings, discipline). "
                "Use --host 127.0.0.1, or create accounts with `allocator users add`.")
    if users is not None and not users.is_file():
        _refuse(f"Không tìm thấy tệp tài khoản {users}", f"users file not found: {users}")
    if (tls_cert is None) != (tls_key is None):
        _refuse("cần cả --tls-cert và --tls-key", "give both --tls-cert and --tls-key")
    limits = UploadLimits(max_bytes=max_upload_mb * 1024 * 1024)
    config = Config(data=(data or default_data()).expanduser().resolve(),
                    users=users.resolve() if users else None, host=host, port=port,
                    limits=limits, workers=workers)
    try:
        app = create_app(config)
    except ValueError as exc:
        _refuse("Không mở được máy chủ", str(exc))
        return
    scheme = "https" if tls_cert else "http"
    shown = f"[{host}]" if ":" in host else host
    say(f"allocator: {scheme}://{shown}:{port}  (dữ liệu / data: {config.data})", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info",
                ssl_certfile=str(tls_cert) if tls_cert else None,
                ssl_keyfile=str(tls_key) if tls_key else None)


@users_app.command("add")
def users_add(
    users_file: Annotated[Path, typer.Argument(help="The users file (TOML; created if missing).")],
    login: Annotated[str, typer.Argument(help="Login: letters, digits, '.', '_', '-'.")],
    role: Annotated[str, typer.Option(help="planner, agency or viewer.")],
    agency: Annotated[str | None, typer.Option(help="For an agency account: its unit id.")
                      ] = None,
) -> None:
    """Thêm hoặc thay một tài khoản; mật khẩu đọc từ đầu vào chuẩn. / Add or replace an
    account; the password is read from standard input (only its argon2 hash is stored)."""
    from allocator.web.accounts import AccountError, add_user, check_account

    try:
        check_account(login, role, agency)
    except AccountError as exc:
        _refuse(exc.vi, exc.en)
        return
    password = _read_password()
    try:
        add_user(users_file, login, role, agency, password)
    except AccountError as exc:
        _refuse(exc.vi, exc.en)
        return
    say(f"Đã lưu tài khoản / account saved: {login} ({role}"
        f"{', ' + agency if agency else ''}) → {users_file}")


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Mật khẩu / password: ")
        again = getpass.getpass("Nhập lại / again: ")
        if first != again:
            _refuse("hai lần nhập không khớp", "the two entries differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``users`` to the ``allocator`` command."""
    app.command("serve")(serve)
    app.add_typer(users_app, name="users")
