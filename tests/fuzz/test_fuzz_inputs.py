"""Mutation fuzzing of every bundled scenario and World (issue #12), with the oracle of the harness.

Default (CI) size: ``CI_CASES`` cases (well under two minutes). ``pytest -m slow tests/fuzz`` runs
``SLOW_CASES`` (10,000) cases. ``CHOKEPOINTS_FUZZ_CASES`` overrides either size. The summary
(counts by class and by mutation, the time) is printed and written to ``fuzz-summary.txt`` in
pytest's base temporary folder.
"""

from __future__ import annotations

import os
import random
import re
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))

import harness  # noqa: E402

CI_CASES = 400
SLOW_CASES = 10_000


def _cases(default: int) -> int:
    return int(os.environ.get("CHOKEPOINTS_FUZZ_CASES", default))


def _check(n: int, tmp_path_factory: pytest.TempPathFactory, seed: int) -> None:
    work = tmp_path_factory.mktemp("fuzz")
    summary = harness.run_cases(n, work, seed=seed)
    text = summary.text()
    print("\n" + text)
    (tmp_path_factory.getbasetemp() / f"fuzz-summary-{n}.txt").write_text(text + "\n", encoding="utf-8")
    assert len(summary.outcomes) == n
    assert not summary.failures(), text
    assert summary.by_class["located"] > 0  # the mutations do reach the checks


def test_fuzz_ci_size(tmp_path_factory):
    _check(_cases(CI_CASES), tmp_path_factory, seed=12)


@pytest.mark.slow
def test_fuzz_slow_size(tmp_path_factory):
    _check(max(_cases(SLOW_CASES), SLOW_CASES), tmp_path_factory, seed=2026)


def test_cli_prints_one_located_error_line_per_problem(tmp_path):
    """The CLI form of the oracle on a sample: exit 0 or 2, one ``error:`` line per problem, no traceback."""
    from typer.testing import CliRunner

    from chokepoints.cli import app
    from chokepoints.errors import InputError
    from chokepoints.validate import validate

    runner = CliRunner()
    scenarios = harness.scenario_targets()
    for k in range(30):
        rng = random.Random(k)
        src = rng.choice(scenarios)
        for sib in src.parent.glob(src.name.split(".")[0] + "*.yaml"):
            (tmp_path / sib.name).write_bytes(sib.read_bytes())
        _, mutated = harness._data_mutation(rng, yaml.safe_load(src.read_text(encoding="utf-8")))
        dest = tmp_path / src.name
        dest.write_text(yaml.safe_dump(mutated, sort_keys=False), encoding="utf-8")
        try:
            validate(dest)
            problems = []
        except InputError as exc:
            problems = exc.problems
        res = runner.invoke(app, ["validate", str(dest)])
        assert "Traceback" not in res.output
        if not problems:
            assert res.exit_code == 0, res.output
            continue
        assert res.exit_code == 2, res.output
        lines = [ln for ln in res.output.splitlines() if ln.strip()]
        assert len(lines) == len(problems), res.output
        for ln in lines:
            assert ln.startswith("error: ") and re.search(r":\d+", ln), ln
