"""The bundled scenario library: YAML files shipped inside the package (``chokepoints/scenarios/``).

Every command that takes a scenario accepts either a file path or a bundled scenario's name::

    >>> from chokepoints.scenario.library import list_scenarios, scenario_path
    >>> [s.name for s in list_scenarios()][:2]
    ['cn-gallium-germanium-2023', 'cn-japan-rare-earth-embargo-2010']
    >>> scenario_path("cn-rare-earth-licensing-2025-04").name
    'cn-rare-earth-licensing-2025-04.yaml'

The command a scenario belongs to is read from the file itself: a negotiation spec beside it
(``<stem>.negotiation.yaml``) makes it a ``negotiate`` scenario; a ``treasury_sale`` or
``reserve_shift`` event a ``finance`` one; ``trade_setup`` / ``tariff`` events and no ``world`` a
``tariffs`` one; anything else is simulated by ``run``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem

NEGOTIATION_SUFFIX = ".negotiation.yaml"
_YAML_SUFFIXES = (".yaml", ".yml")
_FINANCE_EVENTS = {"treasury_sale", "reserve_shift"}
_TRADE_EVENTS = {"trade_setup", "tariff"}


@dataclass(frozen=True)
class ScenarioInfo:
    """One bundled scenario: its name (file stem), a one-line episode, the command that runs it."""

    name: str
    episode: str
    command: str  # run | tariffs | finance | negotiate
    path: Path
    description: str = ""
    world: str | None = None


def library_dir() -> Path:
    """The folder of bundled scenario files (package data)."""
    return Path(str(resources.files("chokepoints") / "scenarios"))


def _stem(name: str) -> str:
    for suffix in _YAML_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _bundled_files() -> dict[str, Path]:
    """Every bundled YAML file by stem (scenarios and their negotiation specs)."""
    folder = library_dir()
    if not folder.is_dir():
        return {}
    return {_stem(p.name): p for p in sorted(folder.iterdir()) if p.is_file() and p.name.endswith(_YAML_SUFFIXES)}


def _episode(description: str, limit: int = 100) -> str:
    """The description's first clause (up to '. ' or ';'), cut at a word boundary to ``limit`` characters."""
    text = " ".join(description.split())
    for stop in (". ", "; "):
        if stop in text:
            text = text.split(stop, 1)[0]
    text = text.rstrip(".;")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return text


def command_for(data: dict[str, Any], has_negotiation_spec: bool) -> str:
    """``negotiate`` | ``finance`` | ``tariffs`` | ``run``, from a parsed scenario (see the module docstring)."""
    if has_negotiation_spec:
        return "negotiate"
    events = data.get("events")
    events = events if isinstance(events, list) else []
    types = {e.get("type") for e in events if isinstance(e, dict) and isinstance(e.get("type"), str)}
    if types & _FINANCE_EVENTS:
        return "finance"
    if types & _TRADE_EVENTS and not data.get("world"):
        return "tariffs"
    return "run"


def list_scenarios() -> list[ScenarioInfo]:
    """The bundled scenarios, sorted by name (negotiation specs are listed with their scenario, not alone)."""
    import yaml

    files = _bundled_files()
    out = []
    for stem, path in files.items():
        if path.name.endswith(NEGOTIATION_SUFFIX):
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        description = str(data.get("description") or "").strip()
        has_spec = _stem(stem + NEGOTIATION_SUFFIX) in files
        out.append(
            ScenarioInfo(
                name=stem,
                episode=_episode(description),
                command=command_for(data, has_spec),
                path=path,
                description=description,
                world=data.get("world"),
            )
        )
    return out


def scenario_names() -> list[str]:
    """Names of the bundled scenarios (file stems; negotiation specs excluded)."""
    return [s for s, p in _bundled_files().items() if not p.name.endswith(NEGOTIATION_SUFFIX)]


def scenario_path(name_or_path: str | Path) -> Path:
    """A scenario file: ``name_or_path`` itself when that file exists, else the bundled file of that name.

    A name may carry its ``.yaml`` suffix or not (``cn-rare-earth-licensing-2025-04`` or
    ``cn-rare-earth-licensing-2025-04.yaml``); a bundled negotiation spec is found by its stem too
    (``us-china-talks-2025.negotiation``). An existing path always wins over a bundled name.
    Anything else raises :class:`InputError` naming the bundled scenarios, with the closest
    names first ("did you mean ...") when there is a near miss.
    """
    text = str(name_or_path)
    given = Path(name_or_path)
    if given.exists():
        return given
    files = _bundled_files()
    looks_like_name = "/" not in text and "\\" not in text
    if looks_like_name and _stem(text) in files:
        return files[_stem(text)]
    names = scenario_names()
    close = difflib.get_close_matches(_stem(given.name), names, n=3, cutoff=0.7)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise InputError(
        Problem(
            text,
            f"file not found, and no bundled scenario has that name; {hint}"
            f"bundled: {', '.join(names)} (chokepoints scenarios list)",
        )
    )
