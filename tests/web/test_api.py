"""The HTTP API of WEB.md on a single-person server: every endpoint, and decisions
byte-identical to ``allocator run`` on the same input."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from allocator.cli.app import app as cli
from allocator.engine.options import Options
from allocator.web.app import Config, create_app
from tests.web.conftest import BINH_DINH, DIEN_BIEN, DIEN_BIEN_XLSX, LOCAL, folder_zip, upload

RESULT_CSV = ("decisions.csv", "pools.csv", "escalations.csv")


def cli_run(scenario: Path, out: Path) -> Path:
    """``allocator run SCENARIO --out OUT`` (the reference for byte identity)."""
    result = CliRunner().invoke(cli, ["run", str(scenario), "--out", str(out), "--no-history",
                                      "--quiet", "--no-xlsx"])
    assert result.exit_code == 0, result.output
    return out


def assert_same_outputs(client: TestClient, round_id: str, reference: Path,
                        variant: str | None = None) -> None:
    """Every result file through the API equals the CLI's, byte for byte (summary.json: all
    but the timings, which the contract lets differ)."""
    query = f"?variant={variant}" if variant else ""
    for name in RESULT_CSV:
        got = client.get(f"/api/rounds/{round_id}/files/{name}{query}")
        assert got.status_code == 200, name
        assert got.content == (reference / name).read_bytes(), name
    summary = client.get(f"/api/rounds/{round_id}/files/summary.json{query}").json()
    expected = json.loads((reference / "summary.json").read_text("utf-8"))
    summary.pop("timings_s")
    expected.pop("timings_s")
    assert summary == expected


def new_round(client: TestClient, path: Path = DIEN_BIEN_XLSX) -> str:
    response = upload(client, path)
    assert response.status_code == 201, response.text
    round_id: str = response.json()["round_id"]
    return round_id


def zip_upload(client: TestClient, content: bytes, name: str = "round.zip") -> httpx.Response:
    response: httpx.Response = client.post(
        "/api/rounds", files={"files": (name, content, "application/zip")})
    return response


# ---------------------------------------------------------------------------------------------
# Upload
# ---------------------------------------------------------------------------------------------


def test_upload_of_a_workbook_decides_byte_identical_to_allocator_run(
        local: TestClient, tmp_path: Path) -> None:
    # Pins: the upload path deciding exactly as `allocator run` (same engine call, same writer).
    response = upload(local, DIEN_BIEN_XLSX)
    assert response.status_code == 201
    body = response.json()
    assert body["summary"]["counts"]["selected"] == 3
    assert body["summary"]["counts"]["escalated"] == 2
    assert_same_outputs(local, body["round_id"], cli_run(DIEN_BIEN_XLSX, tmp_path / "cli"))


def test_upload_of_a_zipped_folder_decides_byte_identical_to_allocator_run(
        local: TestClient, tmp_path: Path) -> None:
    # Pins: uploads._unzip finding the scenario folder inside the archive, then as above.
    response = zip_upload(local, folder_zip(BINH_DINH))
    assert response.status_code == 201, response.text
    assert_same_outputs(local, response.json()["round_id"], cli_run(BINH_DINH, tmp_path / "cli"))


def _broken_workbook(tmp_path: Path) -> Path:
    """Điện Biên with an unreadable birth date (candidates sheet, a person's row)."""
    book = openpyxl.load_workbook(DIEN_BIEN_XLSX)
    sheet = book["candidates"] if "candidates" in book.sheetnames else book.worksheets[2]
    header = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1))]
    for row in sheet.iter_rows(min_row=2, max_row=8):
        for cell, name in zip(row, header, strict=False):
            if (name and "sinh" in str(name).lower()) or name == "birth_date":
                cell.value = "ngày 45 tháng 13"
                break
    path = tmp_path / "hong.xlsx"
    book.save(path)
    return path


def test_bad_input_answers_422_with_the_problems_table_and_stores_nothing(
        local: TestClient, data: Path, tmp_path: Path) -> None:
    # Pins: the upload job's InputError → 422 {"problems"} and the folder removed.
    response = upload(local, _broken_workbook(tmp_path))
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert problems and set(problems[0]) == {"file", "sheet", "row", "column", "message_vi",
                                             "message_en"}
    assert problems[0]["file"] == "hong.xlsx"
    assert problems[0]["sheet"] and problems[0]["row"] >= 2 and problems[0]["column"]
    assert local.get("/api/rounds").json() == []
    assert list((data / "rounds").iterdir()) == []


def test_bad_input_on_the_page_shows_the_problems_table(local: TestClient,
                                                        tmp_path: Path) -> None:
    # Pins: an htmx upload answers 202 with a progress fragment, whose poll answers the
    # problems table (422).
    with _broken_workbook(tmp_path).open("rb") as handle:
        started = local.post("/api/rounds", files={"files": ("hong.xlsx", handle)},
                             headers={"HX-Request": "true"})
    assert started.status_code == 202
    job = started.text.split('hx-get="/api/jobs/')[1].split('"')[0]
    for _ in range(200):
        polled = local.get(f"/api/jobs/{job}", headers={"HX-Request": "true"})
        if polled.status_code != 200:
            break
    assert polled.status_code == 422
    assert "<table" in polled.text and "hong.xlsx" in polled.text


def test_several_workbooks_answer_422_until_the_multi_workbook_loader_exists(
        local: TestClient, data: Path) -> None:
    # Pins: uploads.several_workbooks, the hook of the multi-workbook loader.
    content = DIEN_BIEN_XLSX.read_bytes()
    response = local.post("/api/rounds", files=[("files", ("a.xlsx", content)),
                                                ("files", ("b.xlsx", content))])
    assert response.status_code == 422
    assert "a.xlsx, b.xlsx" in response.json()["problems"][0]["message_en"]
    assert list((data / "rounds").iterdir()) == []


def test_other_file_types_are_refused(local: TestClient) -> None:
    # Pins: uploads.stage's file-type check.
    response = local.post("/api/rounds", files={"files": ("x.csv", b"a,b\n")})
    assert response.status_code == 422


@pytest.mark.parametrize("member", ["../evil.txt", "/etc/evil.txt", "a/../../evil.txt"])
def test_zip_paths_escaping_the_folder_are_refused(local: TestClient, data: Path,
                                                   member: str) -> None:
    # Pins: uploads._member_parts (absolute paths and '..').
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("r/scenario.toml", "name = 'x'\n")
        archive.writestr(member, "x")
    response = zip_upload(local, buffer.getvalue())
    assert response.status_code == 422
    assert "leaves its folder" in response.json()["problems"][0]["message_en"]
    assert not (data.parent / "evil.txt").exists()


@pytest.mark.parametrize("member", ["../evil.txt", "/etc/evil.txt", "a/../../evil.txt",
                                    "C:/evil.txt", "..\\evil.txt"])
def test_each_member_path_is_checked_before_extraction(member: str) -> None:
    # Pins: uploads._member_parts itself (the extraction's own resolve() check is a second
    # line behind it).
    from allocator.web.service import BadInput
    from allocator.web.uploads import _member_parts

    with pytest.raises(BadInput):
        _member_parts(zipfile.ZipInfo(member), "round.zip")
    assert _member_parts(zipfile.ZipInfo("r/units.csv"), "round.zip") == ("r", "units.csv")


def test_zip_links_are_refused(local: TestClient) -> None:
    # Pins: uploads._member_parts (symbolic links).
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("r/units.csv")
        info.external_attr = (0o120777 << 16)
        archive.writestr(info, "/etc/passwd")
    response = zip_upload(local, buffer.getvalue())
    assert response.status_code == 422
    assert "link" in response.json()["problems"][0]["message_en"]


def test_zip_expanding_beyond_the_limit_is_refused(data: Path) -> None:
    # Pins: the total uncompressed size counted while extracting.
    from allocator.web.uploads import UploadLimits

    config = Config(data=data, limits=UploadLimits(max_unzipped_bytes=100_000))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("r/candidates.csv", "0" * 1_000_000)  # 1 MB of zeros: tiny zipped
    with TestClient(create_app(config), base_url=LOCAL) as client:
        response = zip_upload(client, buffer.getvalue())
    assert response.status_code == 422
    assert "too large" in response.json()["problems"][0]["message_en"]


def test_zip_with_too_many_members_is_refused(data: Path) -> None:
    # Pins: the member count limit.
    from allocator.web.uploads import UploadLimits

    config = Config(data=data, limits=UploadLimits(max_members=10))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(11):
            archive.writestr(f"r/f{i}.csv", "x")
    with TestClient(create_app(config), base_url=LOCAL) as client:
        response = zip_upload(client, buffer.getvalue())
    assert response.status_code == 422
    assert "too many" in response.json()["problems"][0]["message_en"]


def test_an_upload_over_the_size_limit_answers_413(data: Path) -> None:
    # Pins: BodyLimit (a declared Content-Length, and a body that turns out longer).
    from allocator.web.uploads import UploadLimits

    config = Config(data=data, limits=UploadLimits(max_bytes=10_000))
    with TestClient(create_app(config), base_url=LOCAL) as client:
        response = upload(client, DIEN_BIEN_XLSX)
        assert response.status_code == 413

        body = (b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.xlsx"\r\n'
                b"Content-Type: application/octet-stream\r\n\r\n" + b"x" * 12_000
                + b"\r\n--b--\r\n")

        def chunks() -> Iterator[bytes]:  # no Content-Length: the body is counted as it comes
            for start in range(0, len(body), 4000):
                yield body[start:start + 4000]

        streamed = client.post("/api/rounds", content=chunks(),
                               headers={"Content-Type": "multipart/form-data; boundary=b"})
        assert streamed.status_code == 413
    assert list((data / "rounds").iterdir()) == []


# ---------------------------------------------------------------------------------------------
# Reading a round
# ---------------------------------------------------------------------------------------------


def test_rounds_list_and_summary(local: TestClient) -> None:
    # Pins: GET /api/rounds and /api/rounds/{id}; an unknown round is 404.
    round_id = new_round(local)
    listed = local.get("/api/rounds").json()
    assert [r["round_id"] for r in listed] == [round_id]
    summary = local.get(f"/api/rounds/{round_id}").json()
    assert summary["counts"]["candidates"] == 25
    assert local.get("/api/rounds/ffffffffffff").status_code == 404


def test_decisions_filter_by_status_agency_and_name_and_page(local: TestClient) -> None:
    # Pins: views.filtered (status, agency subtree, folded name search) and _page (order, paging).
    round_id = new_round(local)
    url = f"/api/rounds/{round_id}/decisions"
    everyone = local.get(url).json()
    assert everyone["total"] == 25
    assert [r["candidate_id"] for r in everyone["rows"][:3]] == ["DB01", "DB02", "DB03"]
    escalated = local.get(url, params={"status": "escalated"}).json()
    assert [r["candidate_id"] for r in escalated["rows"]] == ["DB09", "DB10"]
    assert escalated["rows"][0]["tie_group"] == "T001"
    by_name = local.get(url, params={"q": "lo thi binh"}).json()  # no diacritics, any case
    assert [r["candidate_id"] for r in by_name["rows"]] == ["DB02"]
    health = local.get(url, params={"agency": "SYT"}).json()
    assert [r["candidate_id"] for r in health["rows"]] == ["DB24"]
    assert health["rows"][0]["reasons"] == ["no_quota"]
    assert health["rows"][0]["reasons_text"]  # the failed condition in words
    paged = local.get(url, params={"per_page": 10, "page": 3}).json()
    assert (paged["pages"], len(paged["rows"])) == (3, 5)
    loser = next(r for r in everyone["rows"] if r["candidate_id"] == "DB04")
    assert loser["decided_by"] == "longer_service"
    assert "thời gian công tác" in loser["decided_by_text"]


def test_explain_is_what_allocator_explain_says(local: TestClient) -> None:
    # Pins: service.explain calling the engine's narrative, as `allocator explain` does.
    round_id = new_round(local)
    for lang in ("vi", "en"):
        got = local.get(f"/api/rounds/{round_id}/candidates/DB04/explain", params={"lang": lang})
        result = CliRunner().invoke(cli, ["explain", str(DIEN_BIEN_XLSX), "DB04", "--lang", lang])
        assert got.status_code == 200
        assert got.json()["text"] == result.output.rstrip("\n")
    assert local.get(f"/api/rounds/{round_id}/candidates/NOPE/explain").status_code == 404


def test_every_download(local: TestClient) -> None:
    # Pins: round_file for the workbook and letters (kept, same bytes) and its name whitelist;
    # a variant id is never turned into a path (workspace.result_folder).
    round_id = new_round(local)
    base = f"/api/rounds/{round_id}/files/"
    book = local.get(base + "ket-qua.xlsx")
    assert book.status_code == 200
    assert "attachment" in book.headers["content-disposition"]
    assert openpyxl.load_workbook(io.BytesIO(book.content)).sheetnames
    letters = local.get(base + "letters.zip")
    assert letters.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(letters.content)).namelist()
    assert names == ["bao-cao-STTTT.docx"]
    assert local.get(base + "letters.zip").content == letters.content  # kept, same bytes
    assert local.get(base + "nothing.txt").status_code == 404
    for variant in ("../../input", "v9", "..%2F..%2Finput"):
        assert local.get(base + "decisions.csv", params={"variant": variant}).status_code == 404


# ---------------------------------------------------------------------------------------------
# Variants, comparison, rulings
# ---------------------------------------------------------------------------------------------

ONE_MORE_IT = {"quotas": [{"agency_id": "STTTT", "target_title": "V.11.06.14", "set": 2}]}


def test_a_variant_is_decided_at_once_and_names_whose_status_changed(
        local: TestClient, data: Path, tmp_path: Path) -> None:
    # Pins: workspace.add_variant (decided, stored as the TOML `allocator run` reads, the
    # changed list) and byte identity with `allocator run` on that TOML.
    round_id = new_round(local)
    response = local.post(f"/api/rounds/{round_id}/variants",
                          json={"name": "Thêm 1 chỉ tiêu CNTT", "changes": ONE_MORE_IT})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["variant_id"] == "v1"
    assert body["summary"]["counts"]["selected"] == 5
    assert {(c["candidate_id"], c["change"]) for c in body["changed"]} == {
        ("DB09", "wins"), ("DB10", "wins")}
    assert "Server-Timing" in response.headers
    stored = data / "rounds" / round_id / "variants" / "v1.toml"
    assert_same_outputs(local, round_id, cli_run(stored, tmp_path / "cli"), variant="v1")


def test_budget_objective_and_switches_are_settings_of_a_variant(local: TestClient) -> None:
    # Pins: service.variant_spec mapping budget, objective and switches to settings.
    round_id = new_round(local)
    response = local.post(f"/api/rounds/{round_id}/variants", json={
        "name": "miễn chứng chỉ", "changes": {"switches": {"certificate_waived": True},
                                              "objective": "fill", "budget": 5}})
    assert response.status_code == 201, response.text
    changed = {c["candidate_id"] for c in response.json()["changed"]}
    assert "DB18" in changed  # ineligible only for the certificate


def test_a_variant_the_engine_refuses_answers_422_and_stores_nothing(
        local: TestClient, data: Path) -> None:
    # Pins: add_variant writing nothing before the engine accepted the variant.
    round_id = new_round(local)
    response = local.post(f"/api/rounds/{round_id}/variants", json={
        "name": "x", "changes": {"quotas": [{"agency_id": "NOPE", "set": 1}]}})
    assert response.status_code == 422
    assert "NOPE" in response.json()["problems"][0]["message_en"]
    assert local.get(f"/api/rounds/{round_id}/variants").json() == []
    assert not (data / "rounds" / round_id / "variants" / "v1.toml").exists()


def test_an_edit_builds_on_its_parent_and_replaces_a_draft(local: TestClient) -> None:
    # Pins: service.merge_changes (parent first) and workspace._supersede (drafts replaced).
    round_id = new_round(local)
    url = f"/api/rounds/{round_id}/variants"
    draft = local.post(url, json={"changes": ONE_MORE_IT, "draft": True}).json()
    second = local.post(url, json={"parent": draft["variant_id"], "draft": True, "changes": {
        "quotas": [{"agency_id": "STTTT", "target_title": "V.11.05.11", "set": 4}]}}).json()
    assert second["summary"]["counts"]["seats"] == 6  # both changes
    saved = local.post(url, json={"parent": second["variant_id"], "name": "Sáu chỉ tiêu"})
    listed = local.get(url).json()
    assert [(v["variant_id"], v["draft"]) for v in listed] == [("v3", False)]  # saved: no draft
    assert saved.json()["summary"]["counts"]["seats"] == 6


def test_compare_gives_the_figures_changes_and_a_chart(local: TestClient) -> None:
    # Pins: the compare endpoint (figures, side by side, changes, chart); unknown variant 404.
    round_id = new_round(local)
    local.post(f"/api/rounds/{round_id}/variants", json={"name": "A", "changes": ONE_MORE_IT})
    body = local.get(f"/api/rounds/{round_id}/compare", params={"variants": "v1"}).json()
    assert body["variants"] == ["Gốc / base", "A"]
    seats = next(r for r in body["totals"] if r["metric"] == "seats")
    assert seats["values"] == [4, 5]
    assert {c["candidate_id"] for c in body["changes"]} == {"DB09", "DB10"}
    chart = local.get(body["chart"])
    assert chart.headers["content-type"] == "image/png"
    assert chart.content.startswith(b"\x89PNG")
    assert local.get(f"/api/rounds/{round_id}/compare", params={"variants": "v9"}
                     ).status_code == 404


def test_rulings_redecide_byte_identical_to_allocator_run_with_the_rulings(
        local: TestClient, tmp_path: Path) -> None:
    # Pins: service.with_rulings (the input with authority_decisions.csv as a folder) giving
    # the decisions `allocator run` gives on the folder with the rulings.
    response = zip_upload(local, folder_zip(DIEN_BIEN))
    round_id = response.json()["round_id"]
    ruled = local.post(f"/api/rounds/{round_id}/rulings",
                       json={"rulings": [{"candidate_id": "DB10", "decision": "select"}]})
    assert ruled.status_code == 200, ruled.text
    assert ruled.json()["summary"]["counts"]["escalated"] == 0
    folder = shutil.copytree(DIEN_BIEN, tmp_path / "dien-bien-2024")
    (folder / "authority_decisions.csv").write_text("candidate_id,decision\nDB10,select\n")
    assert_same_outputs(local, round_id, cli_run(folder, tmp_path / "cli"))


def test_rulings_that_do_not_fill_the_seats_answer_422_with_the_reason(
        local: TestClient) -> None:
    # Pins: workspace.rule keeping nothing when the engine refuses the rulings.
    round_id = new_round(local)
    before = local.get(f"/api/rounds/{round_id}/files/decisions.csv").content
    response = local.post(f"/api/rounds/{round_id}/rulings",
                          json={"select": ["DB09", "DB10"]})
    assert response.status_code == 422
    assert "exactly 1" in response.json()["problems"][0]["message_en"]
    not_tied = local.post(f"/api/rounds/{round_id}/rulings", json={"select": ["DB01"]})
    assert not_tied.status_code == 422
    assert local.get(f"/api/rounds/{round_id}/files/decisions.csv").content == before


# ---------------------------------------------------------------------------------------------
# History, restart, description
# ---------------------------------------------------------------------------------------------


def test_every_decision_is_in_the_run_history_and_replays_byte_for_byte(
        local: TestClient, data: Path) -> None:
    # Pins: workspace._record for uploads, variants and rulings, and the replay endpoint.
    round_id = new_round(local)
    local.post(f"/api/rounds/{round_id}/variants", json={"name": "A", "changes": ONE_MORE_IT})
    local.post(f"/api/rounds/{round_id}/rulings", json={"select": ["DB09"]})
    runs = _wait_for_runs(local, 3)
    assert {r["command"] for r in runs} == {"serve upload", "serve variant", "serve ruling"}
    assert (data / "history.duckdb").exists()
    for run in runs:
        replayed = local.post(f"/api/runs/{run['run_id']}/replay").json()
        assert replayed["identical"], run
    assert local.post("/api/runs/nope/replay").status_code == 404


def _wait_for_runs(client: TestClient, n: int) -> list[dict[str, object]]:
    import time

    for _ in range(100):
        runs: list[dict[str, object]] = client.get("/api/runs").json()
        if len(runs) >= n:
            return runs
        time.sleep(0.05)
    raise AssertionError("runs not recorded")


def test_a_restart_loses_nothing(data: Path) -> None:
    # Pins: the data folder (store.Store, round.json, stored variants and rulings) and the
    # lazy reload (Workspace.open, view).
    with TestClient(create_app(Config(data=data)), base_url=LOCAL) as first:
        round_id = new_round(first)
        first.post(f"/api/rounds/{round_id}/variants", json={"name": "A", "changes": ONE_MORE_IT})
        first.post(f"/api/rounds/{round_id}/rulings", json={"select": ["DB10"]})
        decisions = first.get(f"/api/rounds/{round_id}/decisions").json()
        variant = first.get(f"/api/rounds/{round_id}/decisions?variant=v1").json()
    with TestClient(create_app(Config(data=data)), base_url=LOCAL) as second:
        assert [r["round_id"] for r in second.get("/api/rounds").json()] == [round_id]
        assert second.get(f"/api/rounds/{round_id}/decisions").json() == decisions
        assert second.get(f"/api/rounds/{round_id}/decisions?variant=v1").json() == variant
        page = second.get(f"/rounds/{round_id}")
        assert page.status_code == 200


def test_openapi_and_its_page(local: TestClient) -> None:
    # Pins: every WEB.md endpoint in the OpenAPI description, and the /docs page.
    schema = local.get("/openapi.json").json()
    for path in ("/api/rounds", "/api/rounds/{round_id}/decisions",
                 "/api/rounds/{round_id}/files/{name}",
                 "/api/rounds/{round_id}/candidates/{candidate_id}/explain",
                 "/api/rounds/{round_id}/variants", "/api/rounds/{round_id}/compare",
                 "/api/rounds/{round_id}/rulings", "/api/runs", "/api/runs/{run_id}/replay",
                 "/api/session"):
        assert path in schema["paths"], path
    docs = local.get("/docs")
    assert docs.status_code == 200 and "/api/rounds/{round_id}/rulings" in docs.text


def test_listing_runs_while_one_is_recorded_loses_no_run_bug(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    # Pins: service._HISTORY. Two connections of one process both write the history's
    # schema when they open it; without the lock a recording met a listing and was lost
    # ("Catalog write-write conflict").
    import threading

    from allocator.engine.flow import run
    from allocator.web import service

    monkeypatch.setenv("ALLOCATOR_HISTORY", str(tmp_path / "h.duckdb"))
    decided = service.Decided(run(DIEN_BIEN_XLSX))
    ids: list[str | None] = []

    def record() -> None:
        for _ in range(5):
            ids.append(service.record_run(decided, command="test", inputs=DIEN_BIEN_XLSX))

    writer = threading.Thread(target=record)
    writer.start()
    while writer.is_alive():
        service.list_runs()
    writer.join()
    assert None not in ids and len(service.list_runs()) == 5


def test_the_changes_of_a_variant_are_those_of_allocator_compare() -> None:
    # Pins: service._only_moved gives the compare module's table, cut to who moved.
    import dataclasses

    import polars as pl

    from allocator.engine.flow import decide, run
    from allocator.planning.compare import changes
    from allocator.web import service

    base = run(DIEN_BIEN_XLSX)
    quotas = base.scenario.quotas.with_columns(pl.lit(2, pl.Int64).alias("quota"))
    variant = decide(dataclasses.replace(base.scenario, quotas=quotas), Options())
    got = service.changed(service.Decided(base), service.Decided(variant), "v")
    assert got.height > 0
    assert got.equals(changes(base, variant, "v"))
