"""Fixtures shared by the whole suite; the helpers themselves live in `tests/helpers/`."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import EXAMPLE


@pytest.fixture(scope="session")
def example_pdf(tmp_path_factory) -> Path:
    """The example brief, built once for the whole session."""
    from briefing import build

    out = tmp_path_factory.mktemp("example") / "korea-japan-2021.pdf"
    build(EXAMPLE, out)
    return out
