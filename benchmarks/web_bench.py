"""Speed of the web workspace (issue 13), measured against a real `allocator serve`.

    python benchmarks/web_bench.py [--data DIR] [--out benchmarks/results] [--reps 5]

Writes ``web.md`` and ``web.json`` into ``--out``. On provinces made by
``allocator generate DIR --size N --seed 1 --coupled --budget`` (generated once into
``--data``, never timed):

* upload to decided: ``POST /api/rounds`` with the province as a .zip, from the first byte
  sent to the 201 answer (the round read, validated, decided, its files written), for
  10^4 and 10^5 candidates;
* one quota edit on the 10^5 province, as the page sends it (``HX-Request``: the answer is
  the round's page with the new decisions): the server-side time (``Server-Timing``) and
  the time seen by the client, for the largest pool whose seats are all taken, one seat
  fewer, two fewer, … (each edit a new content, so no result is simply reused); beside it,
  the engine alone (``decide`` with the what-if cache) on the same change, in this process;
* the page weight: bytes of the round page's HTML, CSS and JavaScript.

Each edit waits until the previous run is recorded in the history (a person does not edit
faster than that), so an edit never shares the machine with a recording. Medians are quoted.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gzip
import io
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SIZES = (10_000, 100_000)
EDIT_SIZE = 100_000
STATIC = ("/static/style.css", "/static/print.css", "/static/app.js", "/static/htmx.min.js")


def province(data: Path, size: int) -> Path:
    """The generated coupled province of this size (made once)."""
    folder = data / f"coupled-{size}-seed1"
    if not (folder / "candidates.csv").exists():
        subprocess.run([sys.executable, "-m", "allocator.cli", "generate", str(folder),
                        "--size", str(size), "--seed", "1", "--coupled", "--budget"],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return folder


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"{folder.name}/{path.name}")
    return buffer.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def server(data: Path) -> Iterator[httpx.Client]:
    """`allocator serve` in a child process, and a client for it."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(
        [sys.executable, "-m", "allocator.cli", "serve", "--port", str(port), "--data",
         str(data), "--max-upload-mb", "200"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                client.get("/api/rounds")
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or child.poll() is not None:
                    raise RuntimeError("allocator serve did not start") from None
                time.sleep(0.2)
        yield client
    finally:
        client.close()
        child.terminate()
        child.wait(timeout=60)


def recorded(client: httpx.Client, n: int) -> None:
    """Until the history holds ``n`` runs."""
    deadline = time.monotonic() + 600
    while len(client.get("/api/runs", params={"limit": 1000}).json()) < n:
        if time.monotonic() > deadline:
            raise RuntimeError("runs are not being recorded")
        time.sleep(0.2)


def upload(client: httpx.Client, content: bytes) -> tuple[float, str]:
    start = time.perf_counter()
    answer = client.post("/api/rounds", files={"files": ("province.zip", content)})
    seconds = time.perf_counter() - start
    answer.raise_for_status()
    return seconds, str(answer.json()["round_id"])


def server_s(answer: httpx.Response) -> dict[str, float]:
    """Server-Timing as seconds by name (total, decide, page)."""
    out = {}
    for part in answer.headers["server-timing"].split(","):
        name, _, dur = part.strip().partition(";dur=")
        out[name] = float(dur) / 1000
    return out


def full_pool(client: httpx.Client, round_id: str) -> dict[str, Any]:
    """The largest pool whose seats are all taken (a change of it moves decisions)."""
    pools = client.get(f"/api/rounds/{round_id}/pools").json()
    full = [p for p in pools if p["quota"] > 0 and p["unused"] == 0]
    chosen: dict[str, Any] = sorted(full, key=lambda p: (-p["quota"], p["agency_id"],
                                                         p["target_title"]))[0]
    return chosen


def edits(client: httpx.Client, round_id: str, pool: dict[str, Any], reps: int,
          runs: int) -> list[dict[str, Any]]:
    out = []
    for k in range(1, reps + 1):
        recorded(client, runs)
        change = {"quotas": [{"agency_id": pool["agency_id"],
                              "target_title": pool["target_title"],
                              "set": pool["quota"] - k}]}
        start = time.perf_counter()
        answer = client.post(f"/api/rounds/{round_id}/variants", headers={"HX-Request": "true"},
                             json={"draft": True, "changes": change})
        seen = time.perf_counter() - start
        answer.raise_for_status()
        runs += 1
        timing = server_s(answer)
        out.append({"quota": pool["quota"] - k, "server_s": timing["total"],
                    "decide_s": timing["decide"], "page_s": timing["page"],
                    "client_s": seen, "page_bytes": len(answer.content),
                    "winner_changes": answer.text.count('class="change-')})
    return out


def engine_alone(folder: Path, pool: dict[str, Any], reps: int) -> list[float]:
    """The same edits through `decide` with the what-if cache (no server)."""
    import polars as pl

    from allocator.engine.flow import decide
    from allocator.engine.options import Options
    from allocator.io.loader import load

    scenario = load(folder)
    from allocator.engine.cache import StageCache

    cache = StageCache()
    decide(scenario, Options(cache=cache))
    times = []
    for k in range(1, reps + 1):
        hit = (pl.col("agency_id") == pool["agency_id"]) & (
            pl.col("target_title") == pool["target_title"])
        quotas = scenario.quotas.with_columns(
            pl.when(hit).then(pl.lit(pool["quota"] - k)).otherwise(pl.col("quota"))
            .alias("quota"))
        start = time.perf_counter()
        decide(dataclasses.replace(scenario, quotas=quotas), Options(cache=cache))
        times.append(time.perf_counter() - start)
    return times


def page_weight(client: httpx.Client, round_id: str) -> dict[str, int]:
    parts = {"html": client.get(f"/rounds/{round_id}").content}
    for path in STATIC:
        parts[path.rsplit("/", 1)[1]] = client.get(path).content
    sizes = {name: len(content) for name, content in parts.items()}
    sizes["total"] = sum(sizes.values())
    sizes["total_gzip"] = sum(len(gzip.compress(c)) for c in parts.values())
    return sizes


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def measure(data: Path, reps: int) -> dict[str, Any]:
    folders = {size: province(data, size) for size in SIZES}
    archives = {size: zipped(folder) for size, folder in folders.items()}
    doc: dict[str, Any] = {"uploads": {}, "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="allocator-web-bench-") as tmp, \
            server(Path(tmp)) as client:
        runs = 0
        rounds: dict[int, str] = {}
        for size in SIZES:
            times = []
            for _ in range(3):
                recorded(client, runs)
                seconds, rounds[size] = upload(client, archives[size])
                runs += 1
                times.append(seconds)
            doc["uploads"][size] = {"times_s": times, "median_s": median(times),
                                    "zip_bytes": len(archives[size])}
        pool = full_pool(client, rounds[EDIT_SIZE])
        done = edits(client, rounds[EDIT_SIZE], pool, reps, runs)
        doc["edit"] = {"pool": f"{pool['agency_id']}|{pool['target_title']}",
                       "quota": pool["quota"], "edits": done,
                       "median_server_s": median([e["server_s"] for e in done]),
                       "median_client_s": median([e["client_s"] for e in done])}
        doc["page"] = page_weight(client, rounds[SIZES[0]])
    alone = engine_alone(folders[EDIT_SIZE], pool, reps)
    doc["edit"]["engine_alone_s"] = alone
    doc["edit"]["median_engine_alone_s"] = median(alone)
    doc["load_after"] = os.getloadavg()
    return doc


def report(doc: dict[str, Any]) -> str:
    edit = doc["edit"]
    lines = [
        "# Web workspace speed (`python benchmarks/web_bench.py`)", "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}); load average before "
        f"{', '.join(f'{x:.1f}' for x in doc['load_before'])}, after "
        f"{', '.join(f'{x:.1f}' for x in doc['load_after'])} (a shared machine: the figures "
        "move with the load).", "",
        "Provinces: `allocator generate DIR --size N --seed 1 --coupled --budget`. Server: "
        "`allocator serve` (defaults: 2 engine threads) in a child process; client: httpx on "
        "the same machine.", "",
        "## One quota edit on the 10^5 province (the page's request; the answer is the round "
        "page with the new decisions)", "",
        f"Pool {edit['pool']} (quota {edit['quota']}, every seat taken), set to one seat "
        "fewer, two fewer, …; each edit waits until the previous run is in the history.", "",
        "| quota | server-side (s) | of which deciding (s) | of which the page (s) | seen by "
        "the client (s) | page (bytes) | candidates whose status changed |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {e['quota']} | {e['server_s']:.3f} | {e['decide_s']:.3f} | "
              f"{e['page_s']:.3f} | {e['client_s']:.3f} | {e['page_bytes']:,} | "
              f"{e['winner_changes']} |" for e in edit["edits"]]
    lines += [
        "", f"**Median server-side time: {edit['median_server_s']:.3f} s** (target: under "
        f"1 s); seen by the client {edit['median_client_s']:.3f} s. The engine alone on the "
        f"same changes (`decide` with the what-if cache, no server): median "
        f"{edit['median_engine_alone_s']:.3f} s "
        f"({', '.join(f'{t:.3f}' for t in edit['engine_alone_s'])}).", "",
        "## Upload to decided", "",
        "`POST /api/rounds` with the province as a .zip (deflated): from the first byte sent "
        "to the 201 answer — read, validated, decided, result files written (the run is "
        "recorded in the history after the answer).", "",
        "| candidates | .zip (bytes) | times (s) | median (s) |", "|---:|---:|---|---:|",
    ]
    for size, up in doc["uploads"].items():
        lines.append(f"| {int(size):,} | {up['zip_bytes']:,} | "
                     f"{', '.join(f'{t:.2f}' for t in up['times_s'])} | {up['median_s']:.2f} |")
    page = doc["page"]
    lines += [
        "", "## Page weight", "",
        f"The round page of the 10^4 province (first 50 decisions, first 25 pools): "
        f"HTML {page['html']:,} bytes, CSS {page['style.css'] + page['print.css']:,}, "
        f"JavaScript {page['app.js'] + page['htmx.min.js']:,} (htmx {page['htmx.min.js']:,}); "
        f"**total {page['total']:,} bytes** ({page['total_gzip']:,} if gzip-compressed; the "
        "server does not compress pages that carry a CSRF token). No image, font or "
        "third-party file.", "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path,
                        default=Path(tempfile.gettempdir()) / "allocator-bench")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    doc = measure(args.data, args.reps)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "web.json").write_text(json.dumps(doc, indent=2, default=str) + "\n")
    (args.out / "web.md").write_text(report(doc))
    print(report(doc))


if __name__ == "__main__":
    main()
