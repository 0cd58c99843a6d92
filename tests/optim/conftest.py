"""Shared fixtures for the caldera-optim tests."""

from __future__ import annotations

import pathlib

import pytest

DATA = pathlib.Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> pathlib.Path:
    return DATA
