"""Bundled, sourced datasets (CSV tables plus a sources table) and their loaders."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml


def _data_root() -> Path:
    return Path(str(resources.files("chokepoints.datasets").joinpath("data")))


def list_bundled() -> list[str]:
    """Names of the bundled World datasets (folders holding a ``dataset.yaml``)."""
    root = _data_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "dataset.yaml").is_file())


def bundled_path(name: str) -> Path:
    return _data_root() / name


def bundled_metadata(name: str) -> dict:
    return yaml.safe_load((bundled_path(name) / "dataset.yaml").read_text(encoding="utf-8")) or {}


def load_mrio_test(**kwargs):
    """pymrio's bundled test MRIO as a monetary World (see :func:`chokepoints.datasets.mrio.load_mrio_test`)."""
    from .mrio import load_mrio_test as _load

    return _load(**kwargs)
