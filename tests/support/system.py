"""Tests that need a system program (LibreOffice, Chromium): skipped on a developer's machine
without it, but never in CI, where ``.ci/run`` installs it and sets ``ALLOCATOR_CI=1`` — a
missing program there fails the test instead of skipping it silently."""

from __future__ import annotations

import os
import shutil

import pytest


def require(*programs: str) -> pytest.MarkDecorator:
    """Mark a test (or module) that needs these programs on the PATH (any spelling of each:
    ``"soffice|libreoffice"``)."""
    missing = [p for p in programs if not any(shutil.which(a) for a in p.split("|"))]
    if missing and os.environ.get("ALLOCATOR_CI") == "1":
        raise RuntimeError(f"CI must provide {', '.join(missing)} (see .ci/run)")
    return pytest.mark.skipif(bool(missing), reason=f"needs {', '.join(missing)}")
