"""Pinned behaviour: every bundled scenario's headline results match tests/stored/<scenario>.json.

The files were written by ``python scripts/store_results.py`` from the code named in each file
(its ``truth``); this recomputes with the same functions (tests/stored_results.py), the stored
runs and seed, and compares every value within its stored tolerance. A failure lists each
indicator that moved, stored against now. Regenerate the files only for an intended change of
behaviour.
"""

from __future__ import annotations

import json

import pytest
import stored_results as sr

FILES = sorted(sr.STORED.glob("*.json"))


def test_every_bundled_scenario_is_pinned():
    have = {p.stem for p in FILES}
    missing = [p.name for p in sr.scenario_files() if p.name.removesuffix(".yaml") not in have]
    assert not missing, f"no stored results for {missing}: run python scripts/store_results.py {' '.join(missing)}"


@pytest.mark.parametrize("stored_file", FILES, ids=[p.stem for p in FILES])
def test_results_match_stored(stored_file):
    stored = json.loads(stored_file.read_text(encoding="utf-8"))
    path = sr.ROOT / stored["scenario_file"]
    assert path.exists(), f"{stored_file.name}: scenario {stored['scenario_file']} is gone; delete the stored file"
    assert stored["values"], f"{stored_file.name} pins nothing"
    now = sr.compute(path, runs=stored["runs"], seed=stored["seed"])
    assert now["kind"] == stored["kind"], f"{path.name} is now read as {now['kind']}, stored as {stored['kind']}"
    bad = sr.compare(stored, now["values"])
    if bad:
        changed = [
            f"{k} {stored['provenance'][k]} -> {now['provenance'].get(k)}"
            for k in stored["provenance"]
            if k.endswith("hash") and now["provenance"].get(k) != stored["provenance"][k]
        ]
        context = f"; inputs changed since pinned: {', '.join(changed)}" if changed else ""
        pytest.fail(
            f"{stored['scenario']}: {len(bad)} of {len(stored['values'])} values differ from "
            f"{stored_file.name} (truth: {stored['truth']}){context}\n  "
            + "\n  ".join(bad[:40])
            + (f"\n  ... and {len(bad) - 40} more" if len(bad) > 40 else ""),
            pytrace=False,
        )
