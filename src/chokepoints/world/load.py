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
        return World.from_folder(bundled_path(text), require_sources=True)
    p = Path(text)
    if p.is_dir():
        return World.from_folder(p)
    raise InputError(Problem(text, "no such bundled dataset or folder; bundled: " + ", ".join(list_bundled())))
