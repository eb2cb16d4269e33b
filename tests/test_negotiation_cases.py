"""The published multi-stakeholder case (BDM 1994's emission-standards example, as Scholz et al. 2011 print it).

Its input table and published predictions live in
``chokepoints/negotiation/data/cases/ec-emission-standards/`` with a source for every number;
``published_predictions.csv`` says which ones our models reproduce at the paper's rounding.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from chokepoints.errors import InputError
from chokepoints.negotiation.bdm_scholz import scholz_model, scholz_round
from chokepoints.negotiation.cases import apply_rounding, check_published, evaluate, list_cases, load_case
from chokepoints.negotiation.stakeholders import compromise, condorcet_winner, pairwise_margin, weighted_median

CASE = load_case("ec-emission-standards")


def test_case_holds_the_printed_table():
    assert "ec-emission-standards" in list_cases()
    assert CASE.actors[:2] == ("Netherlands", "Belgium")
    # Scholz et al. Table 1: Netherlands 0.08 4 80, Belgium 0.08 7 40; salience printed on 0-100
    assert (CASE.x[0], CASE.c[0], CASE.s[0]) == (4, 0.08, 0.8)
    assert (CASE.x[1], CASE.c[1], CASE.s[1]) == (7, 0.08, 0.4)
    assert CASE.c.sum() == pytest.approx(1.01)  # as printed: four 0.16, three 0.08, two 0.05, one 0.03
    assert CASE.outcome is not None and CASE.outcome["value"] == 8.833
    # both transcriptions and both papers are on record
    assert {"S.bdm1994", "S.scholz2011.table1", "S.scholz2011.results", "S.dmasad.replication",
            "S.jmckib.replication"} <= set(CASE.sources)  # fmt: skip
    for pub in CASE.published:
        assert pub.source in CASE.sources and pub.address.startswith("https://")


def test_compromise_and_median_by_hand():
    # c s = .064 .032 .006 .128 .096 .096 .144 .005 .05 .056, total .677
    # at 4: .064 + .006 + .128 + .05 = .248; at 7: .032 + .005 + .056 = .093; at 10: .336
    # compromise = (4 * .248 + 7 * .093 + 10 * .336) / .677 = 5.003 / .677
    assert compromise(CASE.x, CASE.c, CASE.s) == pytest.approx(5.003 / 0.677)
    assert compromise(CASE.x, CASE.c, CASE.s) == pytest.approx(7.38996, abs=1e-5)
    # cumulative weight .248 at 4, .341 at 7 >= half of .677 = .3385 -> median 7
    w = CASE.c * CASE.s
    assert weighted_median(CASE.x, w) == 7
    # 7 beats 4 by (.093 + .336) - .248 = .181 and 10 by (.248 + .093) - .336 = .005: the Condorcet winner
    assert pairwise_margin(CASE.x, w, 7, 4) == pytest.approx(0.181)
    assert pairwise_margin(CASE.x, w, 7, 10) == pytest.approx(0.005)
    assert condorcet_winner(CASE.x, w) == 7


def test_netherlands_belgium_swap_changes_no_weighted_statistic():
    # dmasad's first transcription: Netherlands 7/40, Belgium 4/80 (same capability 0.08)
    x, s = CASE.x.copy(), CASE.s.copy()
    x[[0, 1]], s[[0, 1]] = x[[1, 0]], s[[1, 0]]
    assert compromise(x, CASE.c, s) == pytest.approx(compromise(CASE.x, CASE.c, CASE.s))
    assert weighted_median(x, CASE.c * s) == weighted_median(CASE.x, CASE.c * CASE.s)
    a, b = scholz_model(CASE.x, CASE.c, CASE.s, 8), scholz_model(x, CASE.c, s, 8)
    assert b.median == pytest.approx(a.median) and b.mean == pytest.approx(a.mean)


def test_round_one_moves():
    # Scholz et al. p. 27: 8.4 after round 1. Belgium compromises towards France
    # (x = 7 + 3 |a / b|), Luxembourg and Ireland lose confrontations (to Belgium's 7, Luxembourg's 4)
    rd = scholz_round(CASE.x, CASE.c, CASE.s, 6.0)
    moves = {CASE.actors[m.actor]: (CASE.actors[m.proposer], m.kind, m.to) for m in rd.moves}
    assert set(moves) == {"Belgium", "Luxembourg", "Ireland"}
    be = next(m for m in rd.moves if CASE.actors[m.actor] == "Belgium")
    assert moves["Belgium"][:2] == ("France", "compromise")
    assert be.to == pytest.approx(7 + 3 * abs(be.eu_actor / be.eu_proposer))
    assert moves["Luxembourg"] == ("Belgium", "confrontation", 7.0)
    assert moves["Ireland"] == ("Luxembourg", "confrontation", 4.0)


def test_the_compromise_choice_decides_round_four():
    # round 4: Belgium (at 9.96) has compromise offers from the Netherlands (4) and France (10);
    # the lowest weighted average takes it back to 4.8, "move the least" keeps it near 10
    a = scholz_model(CASE.x, CASE.c, CASE.s, 4)
    b = scholz_model(CASE.x, CASE.c, CASE.s, 4, compromise_choice="least_move")
    assert a.history[4, 1] == pytest.approx(4.8009, abs=1e-4)
    assert b.history[4, 1] > 9.9


def test_rounding():
    assert apply_rounding(9.962, "truncate:0.1") == 9.9
    assert apply_rounding(9.962, "round:0.1") == 10.0
    assert apply_rounding(8.4159, "round:0.01") == 8.42
    assert apply_rounding(7.6, "truncate:0.1") == 7.6
    assert apply_rounding(-0.2, "sign") == -1 and apply_rounding(0.0, "sign") == 0


def _param(pub):
    mark = () if pub.reproduced else pytest.mark.xfail(strict=True, reason=f"not reproduced: {pub.note}")
    return pytest.param(pub, marks=mark, id=f"{pub.model}-{pub.quantity}-{pub.value:g}")


@pytest.mark.parametrize("pub", [_param(p) for p in CASE.published])
def test_published_prediction(pub):
    """Each published number, at the paper's rounding; rows marked 'no' must still fail (strict xfail)."""
    got = evaluate(CASE, pub)
    assert apply_rounding(got, pub.rounding) == pytest.approx(pub.value, abs=1e-9), f"ours {got:.4f}"


def test_published_summary():
    rows = check_published(CASE)
    assert len(rows) == len(CASE.published) >= 16
    assert all(ok == pub.reproduced for pub, _, ok in rows)
    table2 = [ok for pub, _, ok in rows if pub.where.startswith("Table 2")]
    assert sum(table2) == 13 and len(table2) == 16


# ---------------------------------------------------------------------------------------------
# Bad case files: one located line each
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    d = tmp_path / "case"
    shutil.copytree(CASE.path, d)
    return d


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "expect"),
    [
        ("actors.csv", "actor,capability", "name,capability", "missing column(s) actor"),
        ("actors.csv", "Belgium,0.08,7,40", "Belgium,0.08,seven,40", "row 2, column 'position': expected a number"),
        ("actors.csv", "Belgium,0.08,7,40", "Belgium,0.08,7,140", "salience must be in [0, 100]"),
        ("actors.csv", "Belgium,0.08,7,40", "Belgium,-0.08,7,40", "capability must be >= 0"),
        ("actors.csv", "Belgium,0.08,7,40", "Netherlands,0.08,7,40", "actor names must be unique"),
        ("actors.csv", "Belgium,0.08,7,40,S.scholz2011.table1", "Belgium,0.08,7,40,S.nope", "unknown source 'S.nope'"),
        ("published_predictions.csv", "truncate:0.1", "truncate:x", "expected truncate:<step>"),
        ("published_predictions.csv", "median_round_1,", "median_round_x,", "unknown quantity"),
        ("case.yaml", "salience_scale: 100", "salience_scale: -1", "salience_scale must be a number > 0"),
    ],
)
def test_bad_case_files(case_dir, file, old, new, expect):
    _edit(case_dir / file, old, new)
    with pytest.raises(InputError, match=expect.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        load_case(case_dir)


def test_unknown_case_and_missing_file(case_dir):
    with pytest.raises(InputError, match="no such case"):
        load_case("no-such-case")
    (case_dir / "sources.csv").unlink()
    with pytest.raises(InputError, match="file not found"):
        load_case(case_dir)


def test_empty_published_table_is_allowed(case_dir):
    (case_dir / "published_predictions.csv").write_text(
        "model,quantity,value,rounding,source,address,where,reproduced,note\n", encoding="utf-8"
    )
    case = load_case(case_dir)
    assert case.published == () and check_published(case) == []
    assert np.array_equal(case.x, CASE.x)
