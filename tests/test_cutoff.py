"""The static price-and-quantity cut-off mode: a hand-worked case, pymrio as an independent
implementation of the structure, the elasticity's calibration, properties and determinism."""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chokepoints as cp
from chokepoints.errors import InputError
from chokepoints.indicators.cutoff import (
    assumptions_path,
    default_parameters,
    parse_parameter,
    price_quantity_cutoff,
    value_table,
)
from chokepoints.indicators.cutoff_tables import destination_total, market_table, region_table, sector_table

ROOT = Path(__file__).resolve().parents[1]
USD = 365 * 1e6  # one unit per day of a "Mill USD" table, per year, in USD

# producers of the hand-worked world, in from_mrio order (region-major)
P = ["CHN.m", "CHN.c", "JPN.m", "JPN.c", "USA.m", "USA.c"]


def hand_world(alpha_max: float = 1.0) -> cp.World:
    """Three regions x two sectors (m = metal, c = chips), flows per day in M USD:

    CHN.m (x 100) sells 30 to USA.c and 70 to Chinese final users; JPN.m (x 50) sells 10 to USA.c and
    40 to Japanese final users; USA.m (x 10) sells 10 to US final users; USA.c (x 100) buys 40 of m
    (value added 60) and sells 20 to JPN.c and 80 to US final users; JPN.c (x 30) buys 20 from USA.c
    (value added 10) and sells 30 to Japanese final users; CHN.c (x 10) sells 10 to Chinese final users.
    ``alpha_max`` = 1: no spare capacity anywhere.
    """
    idx = pd.MultiIndex.from_tuples([tuple(p.split(".")) for p in P])
    Z = np.zeros((6, 6))
    Z[0, 5] = 30.0
    Z[2, 5] = 10.0
    Z[5, 3] = 20.0
    Y = np.zeros((6, 3))  # final users of CHN, JPN, USA
    Y[0, 0], Y[1, 0] = 70.0, 10.0
    Y[2, 1], Y[3, 1] = 40.0, 30.0
    Y[4, 2], Y[5, 2] = 10.0, 80.0
    io = SimpleNamespace(
        Z=pd.DataFrame(Z * 365, index=idx, columns=idx),
        Y=pd.DataFrame(
            Y * 365, index=idx, columns=pd.MultiIndex.from_tuples([(r, "fd") for r in ("CHN", "JPN", "USA")])
        ),
        unit=pd.DataFrame({"unit": ["Mill USD"] * 6}, index=idx),
    )
    return cp.World.from_mrio(io, name="hand", alpha_max=alpha_max)


@pytest.fixture(scope="module")
def hand() -> cp.World:
    return hand_world()


def fixed(ds_world, **kw):
    """One run with fixed parameters (elasticity 0.5, substitution 0.5, 365 days unless given)."""
    args = {"elasticity": 0.5, "substitution": 0.5, "days": 365, "runs": 1, "seed": 0}
    args.update(kw)
    return price_quantity_cutoff(ds_world, "CHN", ["m"], ["USA"], **args)


def test_hand_worked_case(hand):
    """By hand (per day, M USD): the US buys Q = 30 (CHN.m) + 10 (JPN.m) + 10 (USA.m) = 50 of m; China
    withholds C = 30 (gross share 0.6). Replaceable: JPN.m's sales outside the US (40) + USA.m's (0), no
    spare capacity: cap = 40; replaced R = 0.5 x min(30, 40) = 15; shortfall s = (30 - 15) / 50 = 0.3;
    price rise 0.3 / 0.5 = 0.6.
    Ghosh: USA.c buys 40 of m. Substitutable delta = 0.3 x 40 = 12; complementary delta = 0.3 x 100 = 30.
    USA.c sells 20 of its 100 to JPN.c (B = 0.2), so JPN.c loses 0.2 x delta: 2.4 and 6. Value added
    shares v: USA.c 60/100, JPN.c 10/30, so value added lost: USA.c 7.2 / 18, JPN.c 0.8 / 2.
    Price model: USA.c's cost rises 0.6 x (1 - 0.3) x 40/100 = 0.168; JPN.c's by 0.168 x 20/30 = 0.112.
    Import cost of the US: (1 - 0.3) x 50 - 10 (from USA.m) = 25 still imported, x 0.6 = 15.
    Upstream: CHN.m loses 30, JPN.m gains 15 (all of the replacement; USA.m can replace nothing);
    neither buys inputs, so output and value added change by that much."""
    ds = fixed(hand)
    i = {p: k for k, p in enumerate(P)}
    assert ds["purchases"].values[0] == pytest.approx(50 * USD)
    assert ds["withheld"].values[0] == pytest.approx(30 * USD)
    assert ds["replaceable"].values[0] == pytest.approx(40 * USD)
    assert ds["shortfall_share"].values[0, 0] == pytest.approx(0.3)
    assert ds["price_rise"].values[0, 0] == pytest.approx(0.6)
    lo, hi = ds["output_lost_low"].values[0], ds["output_lost_high"].values[0]
    assert lo[i["USA.c"]] == pytest.approx(12 * USD) and hi[i["USA.c"]] == pytest.approx(30 * USD)
    assert lo[i["JPN.c"]] == pytest.approx(2.4 * USD) and hi[i["JPN.c"]] == pytest.approx(6 * USD)
    va_lo, va_hi = ds["value_added_lost_low"].values[0], ds["value_added_lost_high"].values[0]
    assert va_lo[i["USA.c"]] == pytest.approx(7.2 * USD) and va_hi[i["USA.c"]] == pytest.approx(18 * USD)
    assert va_lo[i["JPN.c"]] == pytest.approx(0.8 * USD) and va_hi[i["JPN.c"]] == pytest.approx(2 * USD)
    others = [i[p] for p in ("CHN.m", "CHN.c", "JPN.m", "USA.m")]
    assert np.allclose(hi[others], 0) and np.allclose(lo[others], 0)
    push = ds["cost_push"].values[0]
    assert push[i["USA.c"]] == pytest.approx(0.168) and push[i["JPN.c"]] == pytest.approx(0.112)
    imp = ds["import_cost"].sel(region="USA").values[0]
    assert imp == pytest.approx(15 * USD)
    assert np.allclose(ds["import_cost"].sel(region=["CHN", "JPN"]).values, 0)
    up = ds["output_change_upstream"].values[0]
    assert up[i["CHN.m"]] == pytest.approx(-30 * USD) and up[i["JPN.m"]] == pytest.approx(15 * USD)
    assert ds["value_added_change_upstream"].values[0][i["CHN.m"]] == pytest.approx(-30 * USD)
    # the tables add the producers up by region, and the cost to the US is value added lost + import cost
    reg = region_table(ds).set_index("region")
    assert reg.loc["JPN", "value_added_lost_high_p50"] == pytest.approx(2 * USD)
    tot = destination_total(ds).set_index("bound")
    assert tot.loc["substitutable", "total_p50"] == pytest.approx((7.2 + 15) * USD)
    assert tot.loc["complementary", "total_p50"] == pytest.approx((18 + 15) * USD)
    m = market_table(ds).iloc[0]
    assert m["gross_share"] == pytest.approx(0.6) and m["price_rise_p50"] == pytest.approx(0.6)
    assert list(sector_table(ds)["producer"][:2]) == ["USA.c", "JPN.c"]


def test_days_spare_capacity_and_share(hand):
    """Half a year halves every USD figure; spare capacity (alpha_max 1.25: 0.25 x 50 at JPN.m and
    0.25 x 10 at USA.m) raises the replaceable volume to 40 + 12.5 + 2.5 = 55; a half ban withholds 15."""
    full, half = fixed(hand), fixed(hand, days=182.5)
    for v in ("output_lost_high", "import_cost", "output_change_upstream"):
        np.testing.assert_allclose(half[v].values, full[v].values / 2)
    np.testing.assert_allclose(half["shortfall_share"].values, full["shortfall_share"].values)
    spare = fixed(hand_world(alpha_max=1.25))
    assert spare["replaceable"].values[0] == pytest.approx(55 * USD)
    part = fixed(hand, share=0.5, substitution=0.0)
    assert part["withheld"].values[0] == pytest.approx(15 * USD)
    assert part["shortfall_share"].values[0, 0] == pytest.approx(15 / 50)


def test_against_pymrio_structure():
    """Independent implementation of steps 4-6 on pymrio's test MRIO: the shortfall from the raw
    Z and Y frames, the Ghosh and Leontief inverses from pymrio's calc_B / calc_G / calc_A / calc_L."""
    from pymrio.tools import iomath

    from chokepoints.datasets.mrio import load_mrio_iosystem_test

    io = load_mrio_iosystem_test()
    w = cp.World.from_mrio(io, name="t", alpha_max=1.0)
    exporter, product, dest = "reg1", "manufactoring", ["reg2", "reg3"]
    ds = price_quantity_cutoff(w, exporter, [product], dest, elasticity=0.4, substitution=0.3, days=365, runs=1)
    u = 1e6  # USD per M USD (the test MRIO's unit)
    Z, Y = io.Z.to_numpy(), io.Y.T.groupby(level=0).sum().T  # Y: final use by consuming region
    x = Z.sum(axis=1) + Y.to_numpy().sum(axis=1)
    rows = io.Z.index
    reg = np.array(rows.get_level_values(0))
    sec = np.array(rows.get_level_values(1))
    in_D = np.isin(reg, dest)
    sales_D = Z[:, in_D].sum(axis=1) + Y[dest].to_numpy().sum(axis=1)
    S_p = sec == product
    E_p = S_p & (reg == exporter)
    O_p = S_p & ~E_p
    Q, C = sales_D[S_p].sum(), sales_D[E_p].sum()
    cap = Z[O_p][:, ~in_D].sum() + Y.drop(columns=dest).to_numpy()[O_p].sum()
    s = (C - 0.3 * min(C, cap)) / Q
    assert ds["shortfall_share"].values[0, 0] == pytest.approx(s, rel=1e-9)
    Zp = np.where(in_D, Z[S_p].sum(axis=0), 0.0)
    G = np.asarray(iomath.calc_G(iomath.calc_B(Z, x)))
    dx_low = np.minimum(s * Zp @ G, x)
    dx_high = np.minimum(np.where(Zp > 0, s * x, 0.0) @ G, x)
    np.testing.assert_allclose(ds["output_lost_low"].values[0], dx_low * u, rtol=1e-8, atol=1e-3)
    np.testing.assert_allclose(ds["output_lost_high"].values[0], dx_high * u, rtol=1e-8, atol=1e-3)
    va = x - Z.sum(axis=0)
    v = np.clip(va / x, 0, 1)
    np.testing.assert_allclose(ds["value_added_lost_high"].values[0], v * dx_high * u, rtol=1e-8, atol=1e-3)
    A = np.asarray(iomath.calc_A(Z, x))
    A_np = A.copy()
    A_np[S_p, :] = 0.0
    L_np = np.asarray(iomath.calc_L(A_np))
    price = s / 0.4
    push = (price * (1 - s) * Zp / x) @ L_np
    np.testing.assert_allclose(ds["cost_push"].values[0], push, rtol=1e-8, atol=1e-12)
    dd = np.where(E_p, -sales_D, 0.0)
    cap_f = np.where(O_p, Z[:, ~in_D].sum(axis=1) + Y.drop(columns=dest).to_numpy().sum(axis=1), 0.0)
    dd = dd + 0.3 * min(C, cap) * cap_f / cap
    L = np.asarray(iomath.calc_L(A))
    np.testing.assert_allclose(ds["output_change_upstream"].values[0], (L @ dd) * u, rtol=1e-8, atol=1e-3)


def test_elasticity_calibration_on_germanium_2024():
    """A.cutoff.elasticity (0.35) is the mode's calibration: China's germanium exports -55 % (Jan-Aug
    2024) gave the European metal price +50.9 % (1,392 -> 2,100 USD/kg, USGS MCS 2025); with the
    elasticity in the table the mode reproduces that rise on the bundled World within 2 %."""
    rows = list(csv.DictReader((ROOT / "data" / "facts" / "minor_metals.csv").open(encoding="utf-8")))
    prices = {r["as_of"]: float(r["value"]) for r in rows if r["key"] == "germanium.price.metal_annual_avg"}
    observed = prices["2024 (estimate)"] / prices["2023"] - 1
    exports = next(r for r in rows if r["key"] == "germanium.china_exports_metal_jan_aug")
    assert "Down 55%" in exports["note"]
    eps = default_parameters()["elasticity"].mode
    w = cp.load_world("minor-metals-2024")
    ds = price_quantity_cutoff(w, "CHN", ["germanium"], None, share=0.55, substitution=0.0, elasticity=eps, runs=1)
    assert ds["price_rise"].values[0, 0] == pytest.approx(observed, rel=0.02)
    assert market_table(ds)["gross_share"].iloc[0] == pytest.approx(0.55 * 0.326, abs=0.001)


def test_assumption_table_is_the_repository_copy():
    assert assumptions_path().read_bytes() == (ROOT / "data" / "assumptions" / "cutoff.csv").read_bytes()
    d = default_parameters()
    assert d["elasticity"].distribution == "triangular" and d["elasticity"].mode == pytest.approx(0.35)
    assert d["days"].distribution == "choice" and d["days"].values == [365.0]


def test_seeded_draws_are_deterministic(hand):
    a = price_quantity_cutoff(hand, "CHN", "m", ["USA"], runs=50, seed=7)
    b = price_quantity_cutoff(hand, "CHN", "m", ["USA"], runs=50, seed=7)
    c = price_quantity_cutoff(hand, "CHN", "m", ["USA"], runs=50, seed=8)
    assert a.identical(b)
    assert not np.array_equal(a["parameters"].values, c["parameters"].values)
    e = a["parameters"].sel(parameter="elasticity").values
    assert 0.1 <= e.min() and e.max() <= 1.0 and len(np.unique(e)) == 50  # Latin hypercube strata
    assert np.all(a["parameters"].sel(parameter="days").values == 365)


def test_bad_inputs_are_located(hand):
    with pytest.raises(InputError, match="unknown region 'XXX'"):
        price_quantity_cutoff(hand, "XXX", ["m"])
    with pytest.raises(InputError, match="CHN makes no 'zinc'"):
        price_quantity_cutoff(hand, "CHN", ["zinc"])
    with pytest.raises(InputError, match="cannot be a destination"):
        price_quantity_cutoff(hand, "CHN", ["m"], ["CHN", "USA"])
    with pytest.raises(InputError, match=r"--share.*within \[0, 1\]"):
        price_quantity_cutoff(hand, "CHN", ["m"], share=1.5, where={"share": "--share"})
    with pytest.raises(InputError, match=r"--elasticity.*elasticity must stay within \(0, inf\]"):
        price_quantity_cutoff(hand, "CHN", ["m"], elasticity="-1:1", where={"elasticity": "--elasticity"})
    with pytest.raises(InputError, match=r"substitution must stay within \[0, 1\]"):
        price_quantity_cutoff(hand, "CHN", ["m"], substitution=1.5)
    with pytest.raises(InputError, match="LOW:MODE:HIGH"):
        parse_parameter("elasticity", "a:b")
    with pytest.raises(InputError, match="bounds reversed"):
        parse_parameter("days", "300:100")


# -- properties on random balanced MRIOs --------------------------------------------------------


@st.composite
def mrios(draw):
    """2-3 regions x 1-3 sectors, a productive table with value added >= 0: coefficients A in
    [0, 0.6 / n] (some zero, so column sums < 0.6), final demand 1-50 per cell, x = (I - A)^-1 y."""
    R = draw(st.integers(2, 3))
    S = draw(st.integers(1, 3))
    n = R * S
    coef = st.one_of(st.just(0.0), st.floats(0.01, 0.6 / n))
    A = np.array(draw(st.lists(coef, min_size=n * n, max_size=n * n))).reshape(n, n)
    Y = np.array(draw(st.lists(st.floats(1.0, 50.0), min_size=n * R, max_size=n * R))).reshape(n, R)
    x = np.linalg.solve(np.eye(n) - A, Y.sum(axis=1))
    Z = A * x[None, :]
    regions = [f"r{i}" for i in range(R)]
    idx = pd.MultiIndex.from_tuples([(r, f"s{j}") for r in regions for j in range(S)])
    io = SimpleNamespace(
        Z=pd.DataFrame(Z * 365, index=idx, columns=idx),
        Y=pd.DataFrame(Y * 365, index=idx, columns=pd.MultiIndex.from_tuples([(r, "fd") for r in regions])),
        unit=pd.DataFrame({"unit": ["Mill USD"] * n}, index=idx),
    )
    return cp.World.from_mrio(io, name="random")


PROPS = settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(
    w=mrios(), shares=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2), phi=st.floats(0, 1), eps=st.floats(0.05, 3)
)
def test_properties(w, shares, phi, eps):
    """Zero cut -> zero loss; losses grow with the withheld share; value added lost <= output lost;
    substitutable <= complementary; output lost <= output; import cost and cost push >= 0."""
    lo_share, hi_share = sorted(shares)
    kw = {"elasticity": eps, "substitution": phi, "days": 365, "runs": 1}
    zero = price_quantity_cutoff(w, "r0", ["s0"], share=0.0, **kw)
    for v in ("output_lost_low", "output_lost_high", "value_added_lost_high", "import_cost", "output_change_upstream"):
        assert np.allclose(zero[v].values, 0.0)
    a = price_quantity_cutoff(w, "r0", ["s0"], share=lo_share, **kw)
    b = price_quantity_cutoff(w, "r0", ["s0"], share=hi_share, **kw)
    tol = 1e-6 * float(value_table(w).x.max())
    for v in ("output_lost_low", "output_lost_high", "value_added_lost_low", "value_added_lost_high"):
        assert np.all(b[v].values >= a[v].values - tol), v
    assert np.all(b["shortfall_share"].values >= a["shortfall_share"].values - 1e-12)
    for ds in (a, b):
        assert np.all(ds["value_added_lost_low"].values <= ds["output_lost_low"].values + tol)
        assert np.all(ds["value_added_lost_high"].values <= ds["output_lost_high"].values + tol)
        assert np.all(ds["output_lost_low"].values <= ds["output_lost_high"].values + tol)
        assert np.all(ds["output_lost_high"].values <= value_table(w).x[None, :] * 1.0 + tol)
        assert np.all(ds["import_cost"].values >= 0) and np.all(ds["cost_push"].values >= -1e-12)
        assert np.isfinite(ds["output_change_upstream"].values).all()
