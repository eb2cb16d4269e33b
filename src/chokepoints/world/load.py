"""Find and load a World by bundled dataset name or folder path."""

from __future__ import annotations

from pathlib import Path

from ..datasets import bundled_path, list_bundled
from ..errors import InputError, Problem
from .core import World


def load_world(name_or_path: str | Path) -> World:
    """Load a bundled dataset (e.g. ``"rare-earths-2025"``) or a folder of World CSVs.

    >>> w = load_world("rare-earths-2025")   # doctest: +SKIP
    >>> w.producers.head()                    # doctest: +SKIP
    """
    text = str(name_or_path)
    if text in list_bundled():
        folder = bundled_path(text)
        return _mrio_folder(folder) or World.from_folder(folder, require_sources=True)
    p = Path(text)
    if p.is_dir():
        return _mrio_folder(p) or World.from_folder(p)
    raise InputError(Problem(text, "no such bundled dataset or folder; bundled: " + ", ".join(list_bundled())))


def _mrio_folder(folder: Path) -> World | None:
    """The World of an MRIO folder (``dataset.yaml`` with ``format: mrio``), else None."""
    meta_path = folder / "dataset.yaml"
    if not meta_path.is_file():
        return None
    import yaml

    try:
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return None  # World.from_folder reports it
    if isinstance(meta, dict) and meta.get("format") == "hybrid":
        from .graft import read_hybrid_folder

        return read_hybrid_folder(folder, meta)
    if not isinstance(meta, dict) or meta.get("format") != "mrio":
        return None
    from ..datasets.mrio_import import read_folder

    return read_folder(folder, meta)
