"""Pin the headline results of every bundled scenario in tests/stored/<scenario>.json.

    python scripts/store_results.py                      # every scenario in scenarios/
    python scripts/store_results.py cn-gallium-germanium-2023 us-china-tariffs-2025

Each file holds the indicator values with a per-value tolerance, the command and function that
produced them, the package version, the git commit, the runs and seed, and where the truth
came from. tests/test_stored_results.py recomputes them and compares; both use the functions in
tests/stored_results.py. Regenerate only for an intended change of behaviour.

Runs and seed: each scenario's own (what its CLI command prints); ``--runs N`` pins with fewer
runs instead (recorded in the file).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import stored_results as sr  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenarios", nargs="*", help="scenario names (file stems); default: all bundled")
    ap.add_argument("--runs", type=int, default=None, help="runs instead of each scenario's own")
    args = ap.parse_args(argv)
    files = sr.scenario_files()
    if args.scenarios:
        by_name = {p.name.removesuffix(".yaml"): p for p in files}
        unknown = [n for n in args.scenarios if n not in by_name]
        if unknown:
            print(f"error: unknown scenario(s) {', '.join(unknown)}; bundled: {', '.join(by_name)}", file=sys.stderr)
            return 2
        files = [by_name[n] for n in args.scenarios]
    commit, dirty = sr.git_state()
    if dirty:
        print(f"warning: src/ or scenarios/ differ from {commit[:12]}; the files will say so", file=sys.stderr)
    for path in files:
        t0 = time.perf_counter()
        doc = sr.record(path, runs=args.runs)
        out = sr.write(doc, sr.stored_path(path))
        print(
            f"{out.relative_to(ROOT)}: {doc['kind']}, {len(doc['values'])} values, {doc['runs']} runs, "
            f"seed {doc['seed']} ({time.perf_counter() - t0:.1f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
