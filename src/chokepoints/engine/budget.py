"""Memory needed by an ensemble, estimated before anything of its size is allocated.

The estimate compiles a one-run Plan (cheap: its size does not grow with the runs) and
scales it to ``runs``:

    need = plan + records + result + static + chunk state

with plan = runs x (2 bytes x horizon x controlled routes [regime] + 8 bytes x the per-run
values [samples, capacity, unit values, engine parameters] + 16 bytes x S x n when inventory
tables are sampled per run); records = horizon x runs x itemsize x (recorded values per day
and run); result = records again (the labelled Dataset holds a transposed copy); static and
chunk state as in :func:`chokepoints.engine.simulate.run_plan`. When ``need`` exceeds
``max_memory`` the run is refused with one located line naming the flags to change
(``--runs``, ``--record``, ``--max-memory``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import InputError, Problem
from .simulate import _record_sizes, make_options
from .sizes import size_text

FLAGS_HINT = (
    "lower --runs, record fewer variables (--record production,demand,final_demand,final_demand_unmet; "
    "record=[...] in Python) or raise --max-memory (max_memory=)"
)


def estimate_bytes(
    world: Any,
    scenario: Any,
    runs: int,
    *,
    record: Iterable[str] | str | None = None,
    producers: Iterable[str] | None = None,
    max_memory: int | str | None = None,
    dtype: Any = np.float64,
    seed: int | None = None,
) -> tuple[int, int, dict[str, int]]:
    """(bytes needed, bytes allowed, parts) for ``runs`` runs of ``scenario`` on ``world``."""
    from .compile import compile_plan

    plan1 = compile_plan(world, scenario, runs=1, seed=seed)
    opts = make_options(plan1, record=record, producers=producers, max_memory=max_memory, dtype=dtype)
    cw, T, R = plan1.world, plan1.T, int(runs)
    n, m, S = cw.n, cw.m, cw.S
    it = opts.dtype.itemsize
    per_run_inv = any(u.ref.kind == "world" and u.ref.table == "inventories" for u in scenario.uncertain)
    e_sup = int(plan1.controls.regime.shape[2]) if plan1.controls.regime.ndim == 3 else 0
    k = int(plan1.samples.shape[1]) if plan1.samples.ndim == 2 else 0
    plan_bytes = R * (2 * T * e_sup + 8 * (k + n + S + 4 + 3 * max(1, plan1.controls.approval.shape[-1])))
    if per_run_inv:
        plan_bytes += R * 16 * S * n
    n_inv = int(np.count_nonzero(cw.A * cw.x0[None, :] > 0))
    sizes = _record_sizes(plan1, opts, n_inv)
    rec_bytes = T * R * it * (sum(sizes.values()) + len(opts.totals))
    static_bytes = 6 * S * n * 8 + R * n * 16
    per_run = it * (2 * S * n + 40 * n + 8 * m + 12 * plan1.controls.E)
    chunk = per_run * min(R, max(1, (1 << 20) // max(n * it, 1)))
    parts = {"plan": plan_bytes, "records": rec_bytes, "result": rec_bytes, "static": static_bytes, "state": chunk}
    return sum(parts.values()), opts.max_memory, parts


def check_memory(world: Any, scenario: Any, runs: int | None = None, hint: str = FLAGS_HINT, **options: Any) -> int:
    """Refuse (InputError, one located line) an ensemble that does not fit ``max_memory``; return the estimate."""
    R = int(scenario.runs if runs is None else runs)
    keep = {k: options[k] for k in ("record", "producers", "max_memory", "dtype", "seed") if k in options}
    need, allowed, parts = estimate_bytes(world, scenario, R, **keep)
    if need > allowed:
        line, col = scenario.locate(("runs",)) if hasattr(scenario, "locate") else (None, None)
        big = max(parts, key=lambda p: parts[p])
        raise InputError(
            Problem(
                scenario.source_path or f"<scenario {scenario.name}>",
                f"{R:,} runs of {scenario.horizon_days} days need about {size_text(need)} "
                f"({big}: {size_text(parts[big])}),"
                f" more than the memory limit {size_text(allowed)}: {hint}",
                line,
                col,
                field="runs",
            )
        )
    return need


FINANCE_BYTES_PER_RUN_MONTH = 2 * 1200
"""Finance ensembles: bytes per run and month of horizon (measured: the bundled Treasury-sale scenario's
Dataset holds 139 MB for 1,000 runs x 120 months, about 1,160 bytes per run-month; the peak while
building it is about twice that)."""


def check_finance_memory(scenario: Any, runs: int | None = None, max_memory: int | str | None = None) -> int:
    """Refuse (one located line naming ``--runs``/``--max-memory``) a finance ensemble that does not fit."""
    from .sizes import default_max_memory, parse_bytes

    R = int(scenario.runs if runs is None else runs)
    months = max(1, round(scenario.horizon_days / 30.4375))
    holders = max(1, len({getattr(e, "holder", "") for e in scenario.events}))
    need = R * months * holders * FINANCE_BYTES_PER_RUN_MONTH
    allowed = parse_bytes(max_memory) or default_max_memory()
    if need > allowed:
        line, col = scenario.locate(("runs",))
        raise InputError(
            Problem(
                scenario.source_path or f"<scenario {scenario.name}>",
                f"{R:,} runs of {months} months need about {size_text(need)}, more than the memory limit "
                f"{size_text(allowed)}: lower --runs or raise --max-memory",
                line,
                col,
                field="runs",
            )
        )
    return need
