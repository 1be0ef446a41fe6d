"""Fixtures of the web tests: servers on a private data folder, accounts, uploads."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from allocator.web.accounts import Account, Role, hash_password, write_users
from allocator.web.app import Config, create_app

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
DIEN_BIEN = SCENARIOS / "dien-bien-2024"
DIEN_BIEN_XLSX = SCENARIOS / "dien-bien-2024.xlsx"
BINH_DINH = SCENARIOS / "binh-dinh-2024"
LOCAL = "http://127.0.0.1:8000"
PASSWORD = "mat-khau-du-dai"
ACCOUNTS = {
    "planner": (Role.planner, None),
    "ttcntt": (Role.agency, "TTCNTT"),  # the IT centre: a unit under the department STTTT
    "sttt": (Role.agency, "STTTT"),  # the department: manages tie group T001
    "syt": (Role.agency, "SYT"),  # the health department: DB24 works under it
    "viewer": (Role.viewer, None),
}


def folder_zip(folder: Path, *, prefix: str | None = None) -> bytes:
    """A scenario folder as a .zip (as a person's archiver makes it: one top folder)."""
    top = folder.name if prefix is None else prefix
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{top}/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()


def upload(client: TestClient, path: Path, **headers: str) -> httpx.Response:
    with path.open("rb") as handle:
        response: httpx.Response = client.post("/api/rounds",
                                               files={"files": (path.name, handle)},
                                               headers=headers)
    return response


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def local(data: Path) -> Iterator[TestClient]:
    """A single-person server (loopback, no accounts)."""
    with TestClient(create_app(Config(data=data)), base_url=LOCAL) as client:
        yield client


@pytest.fixture(scope="session")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("users") / "users.toml"
    hashed = hash_password(PASSWORD)
    write_users(path, {login: Account(login, role, agency, hashed)
                       for login, (role, agency) in ACCOUNTS.items()})
    return path


class Accounts:
    """One client per account on one server with accounts (HTTPS, as behind TLS)."""

    def __init__(self, config: Config) -> None:
        self.app = create_app(config)
        self.clients: dict[str, TestClient] = {}
        self.csrf: dict[str, str] = {}

    def anonymous(self) -> TestClient:
        return TestClient(self.app, base_url="https://testserver")

    def client(self, login: str) -> TestClient:
        if login not in self.clients:
            client = TestClient(self.app, base_url="https://testserver")
            response = client.post("/api/session", json={"login": login, "password": PASSWORD})
            assert response.status_code == 200, response.text
            self.csrf[login] = response.json()["csrf_token"]
            client.headers["X-CSRF-Token"] = self.csrf[login]
            self.clients[login] = client
        return self.clients[login]

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


@pytest.fixture
def accounts(data: Path, users_file: Path) -> Iterator[Accounts]:
    acc = Accounts(Config(data=data, users=users_file, host="0.0.0.0"))
    with TestClient(acc.app):  # runs the lifespan once
        yield acc
    acc.close()


@pytest.fixture
def shared_round(accounts: Accounts) -> str:
    """Điện Biên uploaded by the planner."""
    response = upload(accounts.client("planner"), DIEN_BIEN_XLSX)
    assert response.status_code == 201, response.text
    round_id: str = response.json()["round_id"]
    return round_id
