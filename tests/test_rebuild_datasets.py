"""The bundled Worlds rebuild byte for byte from the repository's own ``data/`` folder.

Each builder in ``scripts/`` runs as a subprocess (as a user would run it from a clone) with its
defaults for the fact and assumption tables, writing into a temporary folder; every file it
writes must equal the bundled file, and the bundled folder must hold no file the builder does
not write. A second test checks that no builder source names an absolute path, so a clone
can rebuild without the machine the data was first gathered on.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"
BUNDLED = REPO / "src" / "chokepoints" / "datasets" / "data"
BUILDERS = {
    "rare-earths-2025": "build_rare_earths_2025.py",
    "rare-earths-2010": "build_rare_earths_2010.py",
    "minor-metals-2024": "build_minor_metals_2024.py",
    "tariff_lines": "build_tariff_lines.py",
    "observed/rare-earths-2025": "build_observations_2025.py",
    "wiod-2011-rare-earths": "build_hybrid_wiod_2011.py",
    "wiod-2011-minor-metals": "build_hybrid_wiod_2011_minor_metals.py",
}


@pytest.mark.parametrize("dataset", sorted(BUILDERS))
def test_builder_reproduces_bundled_dataset(dataset: str, tmp_path: Path) -> None:
    out = tmp_path / dataset
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, str(SCRIPTS / BUILDERS[dataset]), "--out", str(out)],
        cwd=tmp_path,  # not the repository root: the builder must find data/ from its own location
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    built = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    bundled = sorted(str(p.relative_to(BUNDLED / dataset)) for p in (BUNDLED / dataset).rglob("*") if p.is_file())
    assert built == bundled
    differ = [name for name in built if (out / name).read_bytes() != (BUNDLED / dataset / name).read_bytes()]
    assert differ == [], f"{dataset}: rebuilt files differ from the bundled ones: {differ}"


def test_builders_name_no_absolute_path() -> None:
    pattern = re.compile(r"/work\b|/home/|/tmp/|/Users/|[A-Za-z]:\\\\")
    offenders = []
    for path in sorted(SCRIPTS.glob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert len(list(SCRIPTS.glob("build_*.py"))) == len(BUILDERS)
    assert offenders == []


def test_assumption_table_is_loaded_and_checked(tmp_path: Path) -> None:
    import shutil

    from chokepoints.errors import ConsistencyError
    from chokepoints.world import load_world
    from chokepoints.world.core import World

    world = load_world("rare-earths-2010")
    jp = world.assumptions.set_index("id").loc["A.jp_inventory"]
    assert (jp.value, jp.low, jp.high) == (90.0, 60.0, 180.0)
    inv = world.inventories
    assert set(inv.loc[inv.holder.str.startswith("JPN."), "target_days"]) == {jp.value}
    folder = tmp_path / "w"
    shutil.copytree(BUNDLED / "rare-earths-2010", folder)
    text = (folder / "assumptions.csv").read_text(encoding="utf-8")
    bad = text.replace("A.jp_inventory,90,days,60,180", "A.jp_inventory,90,days,100,180")
    (folder / "assumptions.csv").write_text(bad, encoding="utf-8")
    with pytest.raises(ConsistencyError, match=r"assumptions\.csv.*low <= value <= high"):
        World.from_folder(folder)
