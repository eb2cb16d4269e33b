"""The line_tariffs event: the line-level schedule priced into the engine (issue 14, engine coupling)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from conftest import chain_world, scenario

import chokepoints as cp
from chokepoints.errors import InputError
from chokepoints.trade import armington_share_change
from chokepoints.trade import lines as tl

EVENT = {"type": "line_tariffs", "on": "2025-01-01", "exporters": ["CHN"], "products": {"ore": ["850511"]}}
NOALT = {"psi_param": 0.5, "order_type": "noalt"}


def _rate(prefixes: list[str], d: dt.date, exporter: str = "CHN") -> float:
    """Independent of the lever: the trade-weighted total rate over the lines, straight from the schedule."""
    book = tl.line_book("USA", exporter)
    m = tl.prefix_match(book.codes, prefixes)
    r = tl.LineSchedule.bundled().rates(d, "USA", exporter, book.codes[m], book.mfn[m]).sum(axis=0)
    return float(book.weights[m] @ r / book.weights[m].sum())


def test_wedge_is_the_change_in_the_trade_weighted_line_rate():
    # chain World: the US maker buys ore half from CHN, half from AUS; the ore is priced on HTS 8505.11 lines.
    # Day 10 is 2025-04-14 (after the 9-10 April increases): wedge = (r(04-14) - r(01-01)) / 100 on CHN only.
    w = chain_world(second_supplier=True)
    res = cp.simulate(w, scenario([EVENT], horizon=60, engine=NOALT))
    chn = res.data.demand.isel(run=0).sel(producer="CHN.mine").values
    delta = (_rate(["850511"], dt.date(2025, 4, 14)) - _rate(["850511"], dt.date(2025, 1, 1))) / 100
    assert delta > 0.5  # the April 2025 layers: over 50 points on magnets from China (some lines are in Annex II)
    want = armington_share_change([0.5, 0.5], [1 + delta, 1.0], 1.5)[0]
    assert chn[10] == pytest.approx(100.0 * want, rel=1e-9)
    # day 2 (2025-04-05, the 10 % baseline on top of the fentanyl duty) is exact too
    delta_b = (_rate(["850511"], dt.date(2025, 4, 5)) - _rate(["850511"], dt.date(2025, 1, 1))) / 100
    assert chn[2] == pytest.approx(100.0 * armington_share_change([0.5, 0.5], [1 + delta_b, 1.0], 1.5)[0], rel=1e-9)
    # after Geneva (from 2025-05-14, day 40) the wedge is smaller: more is bought from China again. The
    # month at 145 % left the other supplier's backlog behind, so orders return to the static share
    # gradually, from below
    delta_g = (_rate(["850511"], dt.date(2025, 5, 20)) - _rate(["850511"], dt.date(2025, 1, 1))) / 100
    want_g = 100.0 * armington_share_change([0.5, 0.5], [1 + delta_g, 1.0], 1.5)[0]
    assert chn[10] < chn[41] < chn[46] < chn[59] < want_g
    # 'until': no wedge from that day on, the base shares return
    stop = cp.simulate(w, scenario([{**EVENT, "until": "2025-04-24"}], horizon=60, engine=NOALT))
    assert stop.data.demand.isel(run=0).sel(producer="CHN.mine").values[25] == pytest.approx(50.0)


def test_bundled_map_of_the_rare_earth_world_is_sourced():
    from chokepoints.levers.line_tariff import world_product_lines

    m = world_product_lines("rare-earths-2025")
    assert m == {"ndfeb_magnet": ["8505110070"], "smco_magnet": ["8505110050"], "magnet_components": ["8501"],
                 "ndpr_metal": ["280530"], "dy_tb_metal": ["280530"], "sm_metal": ["280530"]}  # fmt: skip
    src = set(tl.load_line_sources()["source_id"])
    rows = tl._read(tl.lines_dir() / "world_products.csv", ("world", "product", "hts", "source"))
    assert all(s in src for s in rows["source"])
    world = cp.load_world("rare-earths-2025")
    sc = cp.Scenario.from_dict(
        {
            "name": "t",
            "world": "rare-earths-2025",
            "start": "2025-04-04",
            "horizon_days": 20,
            "events": [{"type": "line_tariffs", "on": "2025-01-01", "exporters": ["CHN", "JPN"]}],
        }  # fmt: skip
    )
    from chokepoints.levers import check_events, compile_events
    from chokepoints.levers.base import LeverContext

    ctx = LeverContext(world, sc, 1)
    check_events(ctx)
    assert ctx.problems == []
    wedges = compile_events(ctx)
    labels = {w.label.split("@")[0] for w in wedges}
    assert "line_tariffs:ndfeb_magnet<-CHN" in labels and "line_tariffs:magnet_components<-CHN" in labels
    first = next(w for w in wedges if w.label.startswith("line_tariffs:ndfeb_magnet<-CHN"))
    # the first wedge is the segment in force on the start day (2025-04-04): the fentanyl duty, 20 points
    want = (_rate(["8505110070"], dt.date(2025, 4, 4)) - _rate(["8505110070"], dt.date(2025, 1, 1))) / 100
    assert first.start == 0 and np.isclose(first.rate, want) and np.isclose(want, 0.20)
    # sintered NdFeB magnets joined Annex II of the reciprocal tariff only on 2025-09-08 (itt_2025_09_08): in April
    # they pay the fentanyl and the reciprocal duty (145 points), from 2025-09-08 the fentanyl duty alone
    base = _rate(["8505110070"], dt.date(2025, 1, 1))
    assert np.isclose(_rate(["8505110070"], dt.date(2025, 4, 14)) - base, 145)
    assert np.isclose(_rate(["8505110070"], dt.date(2025, 9, 7)) - base, 30)
    assert np.isclose(_rate(["8505110070"], dt.date(2025, 9, 8)) - base, 20)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"exporters": ["AUS"]}, "no bundled US imports from 'AUS'"),
        ({"products": {"ore": ["0101210010"]}}, "no 2024 US imports from CHN on HTS lines 0101210010"),
        ({"products": None}, "no bundled map of World 'chain'"),
        ({"products": {"gold": ["850511"]}}, "unknown product 'gold'"),
    ],
)
def test_bad_events_give_one_located_error(change, message):
    ev = {k: v for k, v in {**EVENT, **change}.items() if v is not None}
    with pytest.raises(InputError, match=message) as err:
        cp.simulate(chain_world(second_supplier=True), scenario([ev], horizon=20))
    assert err.value.problems[0].field is not None and err.value.problems[0].field.startswith("events[0]")


def test_bad_prefix_is_refused_by_the_event_model():
    with pytest.raises(InputError, match="expected HTS digits"):
        scenario([{**EVENT, "products": {"ore": ["85x5"]}}])
    with pytest.raises(InputError, match="quoted strings"):  # YAML's unquoted 0101 would arrive as 101
        scenario([{**EVENT, "products": {"ore": [101]}}])
