"""The page in Debian's Chromium, driven by Selenium, as a planner uses it: upload a round's
workbook, read it, edit a quota and see a winner change, save and compare a variant, record
a ruling, download the result workbook and check it decides as ``allocator run`` does.

Screenshots go to a temporary folder (and, with ALLOCATOR_SCREENSHOTS=DIR, to DIR; the
README's are made so, into docs/web/). Without Chromium the tests are skipped, except in CI
(CI=1 or ALLOCATOR_CI=1), where they fail.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from allocator.cli.app import app as cli
from allocator.web.app import Config
from tests.web.conftest import DIEN_BIEN, DIEN_BIEN_XLSX
from tests.web.live import browser_available, chromium, free_port, in_ci, live_server

WAIT_S = 60


@pytest.fixture(scope="module")
def browser_ok() -> None:
    if browser_available():
        return
    if in_ci():
        pytest.fail("Chromium or chromedriver is missing (/usr/bin/chromium, "
                    "/usr/bin/chromedriver): CI must run the browser tests")
    pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver)")


class Page:
    """A Chromium window on the test server, with waits and screenshots."""

    def __init__(self, driver: Any, url: str, shots: Path, downloads: Path) -> None:
        self.driver = driver
        self.url = url
        self.shots = shots
        self.downloads = downloads

    def open(self, path: str) -> None:
        self.driver.get(self.url + path)

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        found: list[Any] = self.driver.find_elements(By.CSS_SELECTOR, css)
        return found

    def until(self, check: Callable[[], object], what: str) -> None:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            try:
                if check():
                    return
            except Exception:  # an element replaced by htmx while read
                pass
            time.sleep(0.1)
        self.shot(f"failed-{what}")
        raise AssertionError(f"timed out waiting for {what}")

    def settle(self) -> None:
        """Until htmx has no request in flight."""
        self.until(lambda: not self.all(".htmx-request"), "htmx to settle")

    def status_of(self, candidate: str) -> str:
        status: str = self.find(f'tr[data-candidate="{candidate}"]').get_attribute(
            "data-status")
        return status

    def shot(self, name: str, *, full: bool = False) -> Path:
        path = self.shots / f"{name}.png"
        if full:
            height = self.driver.execute_script("return document.body.scrollHeight")
            self.driver.set_window_size(1366, int(height) + 140)
        self.driver.save_screenshot(str(path))
        if full:
            self.driver.set_window_size(1366, 768)
        extra = os.environ.get("ALLOCATOR_SCREENSHOTS")
        if extra:
            Path(extra).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, Path(extra) / path.name)
        return path

    def downloaded(self, name: str) -> Path:
        target = self.downloads / name
        self.until(lambda: target.exists() and not list(self.downloads.glob("*.crdownload")),
                   f"download of {name}")
        return target


@pytest.fixture
def page(browser_ok: None, tmp_path: Path) -> Iterator[Page]:  # noqa: ARG001 (a guard)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    config = Config(data=tmp_path / "data", port=free_port())
    with live_server(config) as url, chromium(downloads) as driver:
        yield Page(driver, url, shots, downloads)


def _upload(page: Page, path: Path) -> None:
    page.open("/")
    page.find("#upload-file").send_keys(str(path))
    page.find("#upload-button").click()


def _statuses_in(workbook: Path) -> dict[str, str]:
    """Candidate id → status code, from the result workbook's list sheet."""
    sheet = openpyxl.load_workbook(workbook)["Danh sách"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and "Mã ứng viên" in r)
    cid, code = rows[header].index("Mã ứng viên"), rows[header].index("Mã kết quả (status)")
    return {str(r[cid]): str(r[code]) for r in rows[header + 1:] if r[cid]}


def test_a_planner_works_a_round_in_the_browser(page: Page, tmp_path: Path) -> None:
    # 1. The home page, and a workbook with a bad cell: the problems, nothing stored.
    page.open("/")
    page.shot("01-home")
    broken = tmp_path / "hong.xlsx"
    book = openpyxl.load_workbook(DIEN_BIEN_XLSX)
    sheet = next(ws for ws in book.worksheets
                 if any(c.value == "DB03" for row in ws.iter_rows() for c in row))
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "DB03")
    sheet.cell(row=cell.row, column=cell.column).value = "DB01"  # a duplicate id
    book.save(broken)
    _upload(page, broken)
    page.until(lambda: page.all("#problems table"), "the problems table")
    assert "DB01" in page.find("#problems").text
    page.shot("02-problems")

    # 2. The ready round: decided at once, the round at a glance.
    _upload(page, DIEN_BIEN_XLSX)
    page.until(lambda: page.all("#pools"), "the round page")
    assert page.find("#count-selected").text == "3"
    assert page.status_of("DB09") == "escalated"
    page.shot("03-round")

    # 3. Search by name, and one candidate's explanation.
    search = page.find("#search")
    search.send_keys("luong thi")
    page.until(lambda: len(page.all("#decision-table tbody tr")) == 1, "the search")
    page.find('tr[data-candidate="DB04"] button').click()
    page.until(lambda: page.all("#explain-DB04"), "the explanation")
    assert "thời gian công tác" in page.find("#explain-DB04").text
    page.shot("04-explain")
    search.clear()
    search.send_keys(" ")
    page.until(lambda: len(page.all("#decision-table tbody tr")) == 25, "everyone again")

    # 4. One more IT seat, in place: the tie is gone, DB09 and DB10 win.
    quota = page.find('input[data-quota="STTTT|V.11.06.14"]')
    quota.clear()
    quota.send_keys("2")
    quota.find_element("xpath", "./following-sibling::button").click()
    page.until(lambda: page.all("#changes"), "the draft's changes")
    page.settle()
    assert page.status_of("DB09") == "selected" and page.status_of("DB10") == "selected"
    assert "DB09" in page.find("#changes").text
    assert "view=" in page.driver.current_url
    page.shot("05-edit")

    # 5. Saved as a variant and compared with the base, charts included.
    page.find("#variant-name").send_keys("Thêm 1 chỉ tiêu CNTT")
    page.find("#save-form button").click()
    page.until(lambda: page.all("#compare-form"), "the saved variant")
    page.find("#compare-form button").click()
    page.until(lambda: page.all("#compare-table"), "the comparison")
    page.until(lambda: page.driver.execute_script(
        "const i = document.getElementById('compare-chart'); return i && i.complete && "
        "i.naturalWidth > 0"), "the chart")
    assert "Thêm 1 chỉ tiêu CNTT" in page.find("#compare-table").text
    page.driver.execute_script("document.getElementById('compare').scrollIntoView()")
    page.shot("06-compare")

    # 6. Back to the round: the managing agency chose DB10.
    page.find("nav.views a").click()
    page.until(lambda: page.all("#ruling-T001"), "the base view")
    page.find('#ruling-T001 input[value="DB10"]').click()
    page.find("#ruling-T001 button").click()
    page.until(lambda: not page.all("#ruling-T001"), "the ruling")
    page.settle()
    assert page.status_of("DB10") == "selected" and page.status_of("DB09") == "not_selected"
    page.shot("07-ruling")

    # 7. The result workbook, downloaded: the same decisions as `allocator run`.
    page.find('#downloads a[data-file="ket-qua.xlsx"]').click()
    workbook = page.downloaded("ket-qua.xlsx")
    folder = shutil.copytree(DIEN_BIEN, tmp_path / "dien-bien-2024")
    (folder / "authority_decisions.csv").write_text("candidate_id,decision\nDB10,select\n")
    out = tmp_path / "cli"
    result = CliRunner().invoke(cli, ["run", str(folder), "--out", str(out), "--xlsx",
                                      "--no-history", "--quiet"])
    assert result.exit_code == 0, result.output
    assert workbook.read_bytes() == (out / "ket-qua.xlsx").read_bytes()
    decisions = [line.split(",")[:2] for line in
                 (out / "decisions.csv").read_text().splitlines()[1:]]
    assert _statuses_in(workbook) == dict((c, s) for c, s in decisions)

    # 8. In English, and printed.
    page.find("#lang-toggle").click()
    page.until(lambda: "Seats per agency" in page.find("#pools").text, "English")
    page.shot("08-english")
    page.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not page.find("#search").is_displayed()
    page.shot("09-print", full=True)
    page.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    logged = page.driver.get_log("browser")  # the 422 of the bad upload is a network entry
    assert [e for e in logged if e["level"] == "SEVERE" and e["source"] != "network"] == []


def test_the_page_is_readable_at_1366_by_768(page: Page) -> None:
    _upload(page, DIEN_BIEN_XLSX)
    page.until(lambda: page.all("#pools"), "the round page")
    width = page.driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 1366  # no sideways scrolling
    counts = page.find("#counts")
    assert counts.location["y"] + counts.size["height"] < 768  # the figures at first sight


@pytest.mark.usefixtures("browser_ok")
def test_with_accounts_a_planner_logs_in_works_and_logs_out(tmp_path: Path,
                                                            users_file: Path) -> None:
    # Pins: the login form (JSON to POST /api/session), the session cookie taken by the
    # browser, and app.js putting the CSRF token on the page's requests (an upload and an
    # edit would answer 403 without it).
    from tests.web.conftest import PASSWORD

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    config = Config(data=tmp_path / "data", port=free_port(), users=users_file)
    with live_server(config) as url, chromium(downloads) as driver:
        page = Page(driver, url, tmp_path, downloads)
        page.open("/")
        page.until(lambda: page.all("#login-form"), "the login page")
        page.find('input[name="login"]').send_keys("planner")
        page.find('input[name="password"]').send_keys("wrong password")
        page.find("#login-form button").click()
        page.until(lambda: page.find("#login-error").text, "the refusal")
        password = page.find('input[name="password"]')
        password.clear()
        password.send_keys(PASSWORD)
        page.find("#login-form button").click()
        page.until(lambda: page.all("#upload-form"), "the home page")
        cookie = driver.get_cookie("allocator_session")
        assert cookie is not None
        assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
        _upload(page, DIEN_BIEN_XLSX)
        page.until(lambda: page.all("#pools"), "the round page")
        quota = page.find('input[data-quota="STTTT|V.11.06.14"]')
        quota.clear()
        quota.send_keys("2")
        quota.find_element("xpath", "./following-sibling::button").click()
        page.until(lambda: page.all("#changes"), "the edit")
        page.find("header button.link").click()
        page.until(lambda: page.all("#login-form"), "logged out")
        page.open("/")
        assert page.all("#login-form")
