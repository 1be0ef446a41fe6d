"""The input digest of summary.json: SHA-256 of the scenario's content in canonical form."""

from __future__ import annotations

import hashlib
import io

import polars as pl

from models.scenario import Scenario

DIGEST_KEYS = {
    "units": ["unit_id"], "candidates": ["candidate_id"], "quotas": ["agency_id", "target_title"],
    "limits": ["limit_id"], "staff": ["unit_id", "title"], "decisions": ["candidate_id"],
}


def input_digest(scenario: Scenario) -> str:
    """Row order, column order and formatting of the files do not change it; any value
    does."""
    h = hashlib.sha256()
    h.update(scenario.settings.model_dump_json().encode())
    h.update(scenario.rule_set.model_dump_json().encode())
    for name, keys in DIGEST_KEYS.items():
        frame: pl.DataFrame = getattr(scenario, name)
        cols = sorted(c for c in frame.columns if not c.startswith("__"))
        frame = frame.select(cols).sort(keys, maintain_order=True)
        h.update(name.encode())
        buffer = io.BytesIO()  # written as bytes: no second copy as a Python string
        frame.write_csv(buffer)
        h.update(buffer.getbuffer())
    return "sha256:" + h.hexdigest()
