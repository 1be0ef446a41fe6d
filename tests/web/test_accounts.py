"""Accounts, sessions, CSRF and who sees what (WEB.md). Each test names the check it pins:
removing that check makes the test fail."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from allocator.web.accounts import add_user
from allocator.web.sessions import SessionTable
from tests.web.conftest import DIEN_BIEN_XLSX, PASSWORD, Accounts, upload

ONE_MORE_IT = {"quotas": [{"agency_id": "STTTT", "target_title": "V.11.06.14", "set": 2}]}

# Every endpoint that needs a session, with a body where it takes one.
ENDPOINTS = [
    ("GET", "/api/session", None), ("DELETE", "/api/session", None),
    ("GET", "/api/rounds", None), ("POST", "/api/rounds", None),
    ("GET", "/api/rounds/{rid}", None), ("GET", "/api/rounds/{rid}/decisions", None),
    ("GET", "/api/rounds/{rid}/pools", None),
    ("GET", "/api/rounds/{rid}/files/decisions.csv", None),
    ("GET", "/api/rounds/{rid}/candidates/DB01/explain", None),
    ("POST", "/api/rounds/{rid}/variants", {"name": "x", "changes": ONE_MORE_IT}),
    ("GET", "/api/rounds/{rid}/variants", None), ("GET", "/api/rounds/{rid}/compare", None),
    ("GET", "/api/rounds/{rid}/compare.png", None),
    ("POST", "/api/rounds/{rid}/rulings", {"select": ["DB09"]}),
    ("POST", "/api/rounds/{rid}/shares", {"login": "viewer"}),
    ("DELETE", "/api/rounds/{rid}/shares/viewer", None),
    ("GET", "/api/jobs/x", None), ("GET", "/api/runs", None),
    ("POST", "/api/runs/x/replay", None),
]
STATE_CHANGING = [e for e in ENDPOINTS if e[0] in ("POST", "DELETE")]


def call(client: TestClient, method: str, path: str, body: object, **headers: str) -> int:
    if method == "POST" and path == "/api/rounds":
        with DIEN_BIEN_XLSX.open("rb") as handle:
            status: int = client.post(path, files={"files": (DIEN_BIEN_XLSX.name, handle)},
                                      headers=headers).status_code
            return status
    answered: int = client.request(method, path, json=body, headers=headers).status_code
    return answered


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=lambda e: str(e))
def test_without_a_session_every_endpoint_answers_401(accounts: Accounts, shared_round: str,
                                                      method: str, path: str,
                                                      body: object) -> None:
    # Pins: deps.principal on every route.
    status = call(accounts.anonymous(), method, path.format(rid=shared_round), body)
    assert status == 401


@pytest.mark.parametrize(("method", "path", "body"), STATE_CHANGING, ids=lambda e: str(e))
def test_state_changing_requests_need_the_csrf_token(accounts: Accounts, shared_round: str,
                                                     method: str, path: str,
                                                     body: object) -> None:
    # Pins: deps.csrf_guard (no token, a wrong token: 403; nothing changes).
    planner = accounts.client("planner")
    url = path.format(rid=shared_round)
    token = planner.headers.pop("X-CSRF-Token")
    try:
        assert call(planner, method, url, body) == 403
        assert call(planner, method, url, body, **{"X-CSRF-Token": token[::-1]}) == 403
    finally:
        planner.headers["X-CSRF-Token"] = token
    assert planner.get("/api/session").status_code == 200  # still logged in
    assert planner.get(f"/api/rounds/{shared_round}/variants").json() == []
    assert len(planner.get("/api/rounds").json()) == 1


def test_login_sets_a_secure_httponly_strict_cookie_that_expires(accounts: Accounts) -> None:
    # Pins: api.open_session's cookie flags.
    client = accounts.anonymous()
    response = client.post("/api/session", json={"login": "planner", "password": PASSWORD})
    assert response.status_code == 200 and response.json()["csrf_token"]
    cookie = response.headers["set-cookie"].lower()
    for flag in ("httponly", "secure", "samesite=strict", "max-age=", "path=/"):
        assert flag in cookie, flag


def test_a_wrong_password_or_an_unknown_login_answers_401(accounts: Accounts) -> None:
    # Pins: accounts.Directory.verify (a wrong password, an unknown login).
    client = accounts.anonymous()
    assert client.post("/api/session", json={"login": "planner", "password": "x"}
                       ).status_code == 401
    assert client.post("/api/session", json={"login": "nobody", "password": PASSWORD}
                       ).status_code == 401
    assert client.get("/api/session").status_code == 401


def test_repeated_failed_logins_are_throttled(accounts: Accounts) -> None:
    # Pins: api._throttle.
    client = accounts.anonymous()
    for _ in range(10):
        client.post("/api/session", json={"login": "viewer", "password": "nope"})
    answer = client.post("/api/session", json={"login": "viewer", "password": PASSWORD})
    assert answer.status_code == 429


def test_logout_ends_the_session_on_the_server(accounts: Accounts) -> None:
    # Pins: sessions.SessionTable.close (a copied cookie is worthless after logout).
    planner = accounts.client("planner")
    cookie = dict(planner.cookies)
    assert planner.delete("/api/session").status_code == 204
    replayed = accounts.anonymous()
    replayed.cookies.update(cookie)
    assert replayed.get("/api/session").status_code == 401


def test_sessions_expire_when_idle_and_after_their_lifetime(tmp_path: Path) -> None:
    # Pins: SessionTable.get's idle and absolute limits.
    now = [1000.0]
    table = SessionTable(tmp_path / "s.sqlite3", idle_s=60, absolute_s=300,
                         clock=lambda: now[0])
    token, _ = table.open("planner")
    now[0] += 59
    assert table.get(token) is not None
    now[0] += 61
    assert table.get(token) is None
    token, _ = table.open("planner")
    for _ in range(6):
        now[0] += 55
        found = table.get(token)
    assert found is None  # 330 s after opening, though never idle for a minute


def test_the_session_table_stores_no_token(tmp_path: Path) -> None:
    # Pins: sessions._digest (only SHA-256 digests of tokens are stored).
    table = SessionTable(tmp_path / "s.sqlite3")
    token, _ = table.open("planner")
    table.shutdown()
    assert token.encode() not in (tmp_path / "s.sqlite3").read_bytes()


@pytest.mark.usefixtures("accounts")
def test_an_account_added_while_the_server_runs_can_log_in(users_file: Path,
                                                           tmp_path: Path) -> None:
    # Pins: accounts.Directory re-reading a changed users file.
    import shutil

    copy = tmp_path / "users.toml"
    shutil.copyfile(users_file, copy)
    from allocator.web.accounts import Directory

    directory = Directory(copy)
    add_user(copy, "moi", "viewer", None, "mot-mat-khau-moi")
    assert directory.verify("moi", "mot-mat-khau-moi") is not None


# ---------------------------------------------------------------------------------------------
# Who sees what
# ---------------------------------------------------------------------------------------------

READS = ["/api/rounds/{rid}", "/api/rounds/{rid}/decisions", "/api/rounds/{rid}/pools",
         "/api/rounds/{rid}/files/decisions.csv", "/api/rounds/{rid}/files/summary.json",
         "/api/rounds/{rid}/candidates/DB01/explain", "/api/rounds/{rid}/variants",
         "/api/rounds/{rid}/compare", "/rounds/{rid}"]


@pytest.mark.parametrize("login", ["ttcntt", "viewer"])
def test_a_round_neither_uploaded_nor_shared_does_not_exist_for_the_account(
        accounts: Accounts, shared_round: str, login: str) -> None:
    # Pins: access.can_see through deps.visible_round (404, never 403).
    client = accounts.client(login)
    assert client.get("/api/rounds").json() == []
    for path in READS:
        assert client.get(path.format(rid=shared_round)).status_code == 404, path


def test_sharing_lets_a_viewer_read_but_not_change(accounts: Accounts,
                                                   shared_round: str) -> None:
    # Pins: the share field read by access.can_see; access.can_edit for viewers.
    planner, viewer = accounts.client("planner"), accounts.client("viewer")
    shared = planner.post(f"/api/rounds/{shared_round}/shares", json={"login": "viewer"})
    assert shared.json() == {"shared_with": ["viewer"]}
    for path in READS:
        assert viewer.get(path.format(rid=shared_round)).status_code == 200, path
    assert viewer.get(f"/api/rounds/{shared_round}/decisions").json()["total"] == 25
    assert viewer.post(f"/api/rounds/{shared_round}/variants",
                       json={"name": "x", "changes": ONE_MORE_IT}).status_code == 404
    assert viewer.post(f"/api/rounds/{shared_round}/rulings",
                       json={"select": ["DB09"]}).status_code == 404
    assert viewer.post(f"/api/rounds/{shared_round}/shares",
                       json={"login": "syt"}).status_code == 404
    planner.delete(f"/api/rounds/{shared_round}/shares/viewer")
    assert viewer.get(f"/api/rounds/{shared_round}").status_code == 404


def test_only_viewer_and_agency_accounts_can_be_given_a_round(accounts: Accounts,
                                                              shared_round: str) -> None:
    # Pins: api.share's check of the account given the round.
    planner = accounts.client("planner")
    for login in ("nobody", "planner"):
        assert planner.post(f"/api/rounds/{shared_round}/shares",
                            json={"login": login}).status_code == 422


def _share(accounts: Accounts, round_id: str, login: str) -> TestClient:
    planner = accounts.client("planner")
    assert planner.post(f"/api/rounds/{round_id}/shares", json={"login": login}
                        ).status_code == 200
    return accounts.client(login)


def test_an_agency_sees_only_its_subtree_in_every_endpoint(accounts: Accounts,
                                                           shared_round: str) -> None:
    # Pins: access.in_view / service.scoped in decisions, files, summary, pools, compare,
    # explain.
    health = _share(accounts, shared_round, "syt")
    base = f"/api/rounds/{shared_round}"
    rows = health.get(f"{base}/decisions").json()["rows"]
    assert [r["candidate_id"] for r in rows] == ["DB24"]
    csv = health.get(f"{base}/files/decisions.csv").text.splitlines()
    assert [line.split(",")[0] for line in csv] == ["candidate_id", "DB24"]
    assert health.get(f"{base}").json()["counts"]["candidates"] == 1
    assert health.get(f"{base}/files/summary.json").json()["counts"]["candidates"] == 1
    assert health.get(f"{base}/files/escalations.csv").text.strip() == (
        "tie_group,managing_agency_id,seats,candidate_ids")
    assert health.get(f"{base}/candidates/DB24/explain").status_code == 200
    assert health.get(f"{base}/candidates/DB01/explain").status_code == 404
    assert health.get(f"{base}/decisions", params={"q": "Nguyễn"}).json()["total"] == 0
    assert health.get(f"{base}/files/letters.zip").status_code == 404
    planner = accounts.client("planner")
    planner.post(f"{base}/variants", json={"name": "A", "changes": ONE_MORE_IT})
    compared = health.get(f"{base}/compare", params={"variants": "v1"}).json()
    assert compared["changes"] == []  # DB09 and DB10 are not in its subtree
    page = health.get(f"/rounds/{shared_round}").text
    assert "DB24" in page and "DB01" not in page and "Nguyễn Văn An" not in page


def test_an_agency_under_the_department_sees_its_unit(accounts: Accounts,
                                                      shared_round: str) -> None:
    # Pins: service.subtree (the unit and below) and service.hides_competitors.
    centre = _share(accounts, shared_round, "ttcntt")
    ids = [r["candidate_id"] for r in centre.get(
        f"/api/rounds/{shared_round}/decisions", params={"per_page": 100}).json()["rows"]]
    assert "DB18" not in ids and "DB24" not in ids and len(ids) == 23
    # Its pools' weakest winners may sit outside it: the workbook is the planner's.
    assert centre.get(f"/api/rounds/{shared_round}/files/ket-qua.xlsx").status_code == 200


def test_an_agency_records_rulings_only_on_ties_its_agency_manages(
        accounts: Accounts, shared_round: str) -> None:
    # Pins: access.can_rule (T001 is managed by STTTT, not by the centre under it).
    centre = _share(accounts, shared_round, "ttcntt")
    url = f"/api/rounds/{shared_round}/rulings"
    assert centre.post(url, json={"select": ["DB09"]}).status_code == 404
    department = _share(accounts, shared_round, "sttt")
    assert department.post(url, json={"select": ["DB09"]}).status_code == 200


def test_an_agency_may_upload_and_sees_its_own_round(accounts: Accounts) -> None:
    # Pins: access.can_see for the uploading agency, access.can_edit for planners only.
    centre = accounts.client("ttcntt")
    response = upload(centre, DIEN_BIEN_XLSX)
    assert response.status_code == 201
    round_id = response.json()["round_id"]
    assert [r["round_id"] for r in centre.get("/api/rounds").json()] == [round_id]
    assert accounts.client("viewer").get(f"/api/rounds/{round_id}").status_code == 404
    assert accounts.client("planner").get(f"/api/rounds/{round_id}").status_code == 200
    # ... but edits variants only as a planner does.
    assert centre.post(f"/api/rounds/{round_id}/variants",
                       json={"name": "x", "changes": ONE_MORE_IT}).status_code == 404


def test_a_viewer_cannot_upload(accounts: Accounts) -> None:
    # Pins: access.can_upload.
    assert upload(accounts.client("viewer"), DIEN_BIEN_XLSX).status_code == 404


def test_the_run_history_is_the_planners(accounts: Accounts, shared_round: str) -> None:
    # Pins: api.list_runs and api.replay_run's planner check.
    import time

    planner = accounts.client("planner")
    for _ in range(100):
        runs = planner.get("/api/runs").json()
        if runs:
            break
        time.sleep(0.05)
    assert runs
    _share(accounts, shared_round, "viewer")
    viewer = accounts.client("viewer")
    assert viewer.get("/api/runs").json() == []
    assert viewer.post(f"/api/runs/{runs[0]['run_id']}/replay").status_code == 404
    assert planner.post(f"/api/runs/{runs[0]['run_id']}/replay").json()["identical"]


def test_jobs_belong_to_who_started_them(accounts: Accounts) -> None:
    # Pins: Jobs.get's owner check.
    planner = accounts.client("planner")
    with DIEN_BIEN_XLSX.open("rb") as handle:
        started = planner.post("/api/rounds?wait=false",
                               files={"files": (DIEN_BIEN_XLSX.name, handle)})
    job = started.json()["job_id"]
    assert planner.get(f"/api/jobs/{job}").status_code == 200
    assert accounts.client("viewer").get(f"/api/jobs/{job}").status_code == 404


def test_an_agency_letters_zip_holds_only_its_ties(accounts: Accounts,
                                                   shared_round: str) -> None:
    # Pins: service.scoped keeping the ties wholly inside the subtree for the letters.
    department = _share(accounts, shared_round, "sttt")
    letters = department.get(f"/api/rounds/{shared_round}/files/letters.zip")
    assert letters.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(letters.content)).namelist() == ["bao-cao-STTTT.docx"]
