"""Guards of the single-person mode (Host check, same-origin), the security headers, the
escaping of data, and the refusal to serve personal data on a network without accounts.
Each test names the check it pins: removing that check makes it fail."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from allocator.cli.app import app as cli
from allocator.web.app import Config, create_app
from tests.web.conftest import DIEN_BIEN_XLSX, LOCAL, upload


@pytest.mark.parametrize("host", ["evil.example:8000", "127.0.0.1:9999", "localhost",
                                  "127.0.0.1.nip.io:8000"])
def test_single_person_mode_answers_only_its_loopback_host_and_port(data: Path,
                                                                    host: str) -> None:
    # Pins: security.guard's Host check (DNS rebinding: a page of evil.example resolved to
    # 127.0.0.1 sends Host: evil.example).
    with TestClient(create_app(Config(data=data, port=8000)), base_url=LOCAL) as client:
        assert client.get("/api/rounds").status_code == 200
        refused = client.get("/api/rounds", headers={"Host": host})
        assert refused.status_code == 403
        assert "loopback" in refused.json()["detail"]["message_en"]


@pytest.mark.parametrize("host", ["localhost:8000", "[::1]:8000", "127.0.0.1:8000"])
def test_loopback_names_with_the_port_are_answered(data: Path, host: str) -> None:
    # Pins: security.allowed_hosts (every loopback name with the port is answered).
    with TestClient(create_app(Config(data=data, port=8000)), base_url=LOCAL) as client:
        assert client.get("/api/rounds", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("header", [{"Origin": "http://evil.example"},
                                    {"Origin": "null"},
                                    {"Origin": "http://127.0.0.1:9999"},
                                    {"Referer": "http://evil.example/page"}])
def test_a_state_changing_request_from_another_site_is_refused(local: TestClient,
                                                               header: dict[str, str]) -> None:
    # Pins: security.same_origin (a page the person visits cannot drive the server).
    with DIEN_BIEN_XLSX.open("rb") as handle:
        refused = local.post("/api/rounds", files={"files": (DIEN_BIEN_XLSX.name, handle)},
                             headers=header)
    assert refused.status_code == 403
    assert local.get("/api/rounds").json() == []


def test_a_state_changing_request_from_this_site_is_answered(local: TestClient) -> None:
    # Pins: security.same_origin accepting the server's own origin.
    response = upload(local, DIEN_BIEN_XLSX, Origin=LOCAL, Referer=f"{LOCAL}/")
    assert response.status_code == 201


def test_every_answer_carries_the_security_headers(local: TestClient) -> None:
    # Pins: security.HEADERS set by the guard on pages, API, static files and errors.
    for path in ("/", "/api/rounds", "/static/style.css", "/api/rounds/nope", "/docs"):
        headers = local.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"]


def test_pages_hold_no_inline_script(local: TestClient) -> None:
    # Pins: CSP script-src 'self' is livable: every script is a file.
    upload(local, DIEN_BIEN_XLSX)
    round_id = local.get("/api/rounds").json()[0]["round_id"]
    for path in ("/", f"/rounds/{round_id}", "/docs", "/runs"):
        text = local.get(path).text
        assert "<script>" not in text and " on" + "click=" not in text, path
        for tag in text.split("<script")[1:]:
            assert tag.lstrip().startswith('src="/static/'), path


def test_data_is_never_rendered_unescaped(local: TestClient, tmp_path: Path) -> None:
    # Pins: Jinja2 autoescape (a candidate's name is data from a spreadsheet).
    book = openpyxl.load_workbook(DIEN_BIEN_XLSX)
    sheet = next(ws for ws in book.worksheets
                 if any(c.value == "DB01" for row in ws.iter_rows() for c in row))
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "Nguyễn Văn An")
    cell.value = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    path = tmp_path / "xss.xlsx"
    book.save(path)
    round_id = upload(local, path).json()["round_id"]
    page = local.get(f"/rounds/{round_id}").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in page
    fragment = local.get(f"/api/rounds/{round_id}/decisions", params={"q": "script"},
                         headers={"HX-Request": "true"}).text
    assert "&lt;img src=x onerror=alert(1)&gt;" in fragment


def test_templates_never_mark_data_safe() -> None:
    # Pins: no `|safe` (nor autoescape off) anywhere in the templates.
    folder = Path(__file__).resolve().parents[2] / "allocator" / "web" / "templates"
    for template in folder.rglob("*.html"):
        text = template.read_text("utf-8")
        assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text, template


def test_serve_refuses_a_network_address_without_accounts() -> None:
    # Pins: cli.serve's refusal (exit 2, Vietnamese and English).
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "Không mở máy chủ" in result.output and "personal data" in result.output


def test_users_add_stores_only_an_argon2_hash(tmp_path: Path) -> None:
    # Pins: accounts.add_user hashing the password read from standard input.
    users = tmp_path / "users.toml"
    result = CliRunner().invoke(cli, ["users", "add", str(users), "lan", "--role", "agency",
                                      "--agency", "TTCNTT"], input="mot-mat-khau-dai\n")
    assert result.exit_code == 0, result.output
    text = users.read_text("utf-8")
    assert "mot-mat-khau-dai" not in text and "$argon2id$" in text
    assert 'agency = "TTCNTT"' in text and (users.stat().st_mode & 0o077) == 0
    from allocator.web.accounts import Directory

    assert Directory(users).verify("lan", "mot-mat-khau-dai") is not None
    assert Directory(users).verify("lan", "wrong password") is None


@pytest.mark.parametrize("args", [["--role", "agency"], ["--role", "planner", "--agency", "X"],
                                  ["--role", "boss"]])
def test_users_add_refuses_inconsistent_accounts(tmp_path: Path, args: list[str]) -> None:
    # Pins: accounts.check_account (agency needs --agency; only agencies have one; roles).
    result = CliRunner().invoke(cli, ["users", "add", str(tmp_path / "u.toml"), "lan", *args],
                                input="mot-mat-khau-dai\n")
    assert result.exit_code == 2
    assert not (tmp_path / "u.toml").exists()


def test_a_short_password_is_refused(tmp_path: Path) -> None:
    # Pins: accounts.add_user's minimum password length.
    result = CliRunner().invoke(cli, ["users", "add", str(tmp_path / "u.toml"), "lan", "--role",
                                      "viewer"], input="ngan\n")
    assert result.exit_code == 2


def test_a_workbook_expanding_beyond_the_limit_is_refused(data: Path) -> None:
    # Pins: uploads._check_archive (an .xlsx is a zip too).
    from allocator.web.uploads import UploadLimits

    config = Config(data=data, limits=UploadLimits(max_unzipped_bytes=1000))
    with TestClient(create_app(config), base_url=LOCAL) as client:
        response = upload(client, DIEN_BIEN_XLSX)
    assert response.status_code == 422
    assert "too large" in response.json()["problems"][0]["message_en"]


def test_letters_zip_is_deterministic(tmp_path: Path) -> None:
    # Pins: workspace.letters_zip's fixed order and times.
    from allocator.engine.flow import run
    from allocator.web.service import Decided
    from allocator.web.workspace import letters_zip

    decided = Decided(run(DIEN_BIEN_XLSX))
    assert letters_zip(decided, tmp_path) == letters_zip(decided, tmp_path)
