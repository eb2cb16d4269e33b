"""The tariff schedule by tariff line: HTS-10 (US) and HS-6 (China) lines, one layer per legal authority.

Bundled data (``chokepoints/datasets/data/tariff_lines/``, built by ``scripts/build_tariff_lines.py``):

    lines.csv.gz        hts10, mfn_pct, mfn_basis     the US MFN ad valorem equivalent per line (derived)
    weights_2024.csv.gz hts10, partner, imports_usd, duty_usd   2024 Census imports for consumption
    weights_2017.csv.gz hts10, partner, imports_usd, duty_usd   2017 US imports from China: Census HS-2 chapter
                        totals spread over the chapter's lines by their 2024 shares (an allocation, not line data)
    weights_world.csv.gz hts10, partner (WLD), imports_usd, duty_usd   2024 US imports from the world (50 Census
                        partner files, 98 % of US imports): world weights for a partner's rates (``--weights world``)
    measures.csv.gz     measure, code                 product lists (codes match a line by prefix)
    cn_lines.csv.gz     hs6, us_exports_usd, list     China's side (March 2025 lists + a residual line)
    cn_lines_2017.csv.gz hs8, us_exports_usd, mfn_<date>...  China's side on 2017 weights (Bown, Jung & Zhang
                        2019, PIIE): China's MFN level from each MFN change date; the 2018-19 retaliation is rows
    published.csv       date, importer, exporter, published_pct, weights, source, note, measure, compare_on,
                        compare_date, file_weights: published series (lines_compare.published)
    layers.csv          id, importer, exporter, products, layer, action, rate, on, until, source, note, scale
    line_shares.csv.gz  table, code, value    per-line shares for scaled rows (code '*': the table's default)
    stacking.csv        layer, label, within, excluded_by, source, note
    elasticities_hs_section.csv  section, eta, sigma, ...  Hauk (2012) medians by HS section (used by .lines_pe)
    sources.csv         source_id, kind, title, url, date, note  (with the trade bundle's sources.csv)

``products`` holds selectors separated by ``;``: ``*`` (every line), ``hs:<digits>`` (lines whose code
starts with the digits) or ``list:<measure>`` (lines whose code starts with one of the measure's codes).
``action`` is ``add`` (the row imposes ``rate`` points), ``floor`` (an all-in level: the row imposes
``max(0, rate - MFN of the line)`` points, as the 15 % deals with the EU, Japan, Korea and Switzerland do),
``suspend`` (removes ``rate`` points of the layer), ``exclude`` (the layer does not apply: an exemption) or
``exclude_share`` (an exemption of one product within the line: ``rate`` percent of the line's trade is
exempt). A row is in force from ``on`` to the day before ``until``. A row with a ``scale`` (a per-line table of
shares s_l in [0, 1], ``line_shares.csv.gz``) has the rate ``rate x s_l`` on line l: a derivative's Section 232
duty on its metal content, the USMCA share of a line exempt from a duty.

Stacking (``stacking.csv``, one named rule per layer). For a line on a date, with the rows in force:

    within = line      layer rate = the line's own rate (MFN from lines.csv.gz; 0 for importers
                       without bundled MFN rates)
    within = latest    layer rate = rate of the add or floor row with the latest ``on`` (ties: the later row),
                       less suspended points, floored at 0
    within = additive  layer rate = max(0, sum of add rates - sum of suspended points)
    floor row          its rate on line l is max(0, rate - mfn_l) (MFN from lines.csv.gz; rate itself if none)
    exclude row        layer rate = 0
    exclude_share row  layer rate = (1 - s / 100) x the rate above, s = the largest share in force on the line
    excluded_by        layer rate x (1 - c), c = the share of the line's value that one of the named layers covers
                       (1 for an add row in force, not excluded; s_l for a scaled row: the non-metal content of a
                       Section 232 derivative still pays the reciprocal duty); an entry '!ROW_ID' leaves that
                       row's lines out of c (the layer stacks on that row: a variant file, with_stacking)
    total rate         = sum of the layer rates (authorities stack unless a rule above says otherwise)

Trade-weighted average on a date, over lines l with weights w_l (base-year imports, fixed):

    average = sum_l w_l total_l / sum_l w_l;  coverage of a layer = sum_l w_l [rate_l > 0] / sum_l w_l
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .lines_rows import (  # noqa: F401  (re-exported: the rows and rules belong to the schedule's API)
    ACTIONS,
    LINE_LAYERS,
    WITHIN,
    LineRow,
    LineRule,
    _read,
    check_rule_rows,
    read_line_rows,
    read_line_rules,
)

WEIGHT_YEARS = ("2024", "2017", "world")
METAL_CONTENT = ("flat", "bea")
# Partners whose 2024 trade entered mostly under a US free-trade agreement: their MFN layer is the duty paid in 2024.
FTA_PARTNERS = ("CAN", "MEX", "KOR")
# Weights bundled by direction. The US 2017 base is not line data: US imports from China by HS-2 chapter (Census,
# 2017) spread over each chapter's HTS-10 lines by their 2024 shares (weights_2017.csv.gz; an ASSUMPTION).
# 'world': US imports from the world in 2024 by line, the same for every partner -- the importer-side stand-in for
# PIIE's convention of weighting by the exporter's exports to the world (Bown, Jung & Zhang 2019, Figure 1 note).
DIRECTION_YEARS: dict[tuple[str, str], tuple[str, ...]] = {
    ("USA", "CHN"): ("2024", "2017", "world"),  # 2017: chapter totals spread over lines by 2024 shares (ASSUMPTION)
    ("CHN", "USA"): ("2024", "2017"),
}
SERIES_START = dt.date(2018, 1, 1)


def lines_dir() -> Path:
    """Folder of the bundled line-level tables."""
    return Path(str(resources.files("chokepoints.datasets").joinpath("data", "tariff_lines")))


def prefix_match(codes: np.ndarray, prefixes: Iterable[str]) -> np.ndarray:
    """Boolean mask: code starts with one of the prefixes (one set look-up per prefix length)."""
    codes = np.asarray(codes, dtype=str)
    by_len: dict[int, set[str]] = {}
    for p in prefixes:
        by_len.setdefault(len(p), set()).add(p)
    out = np.zeros(len(codes), dtype=bool)
    s = pd.Series(codes)
    for k, group in by_len.items():
        out |= s.str[:k].isin(group).to_numpy() & (s.str.len() >= k).to_numpy()
    return out


# -- the schedule -------------------------------------------------------------------------------------


@dataclass
class LineSchedule:
    """Dated rows by authority over tariff lines, plus named stacking rules and product lists."""

    rows: list[LineRow]
    rules: dict[str, LineRule]
    measures: dict[str, tuple[str, ...]]
    sources: pd.DataFrame | None = None
    name: str = ""
    _cache: dict = field(default_factory=dict, repr=False)
    # per-line share tables for scaled rows: name -> (code -> share, default share)
    shares: dict[str, tuple[dict[str, float], float]] = field(default_factory=dict)

    @classmethod
    def bundled(cls, metal: str = "flat", stacking: str | Path | None = None) -> LineSchedule:
        """The bundled schedule. ``metal``: the metal content on which Section 232 derivatives pay (and beyond
        which they pay the reciprocal duty): ``flat`` 50 % of the value (ASSUMPTION asm_metal_share, the
        default), or ``bea``, the BEA-based content share of each line (the lower bound: what an importer who
        declares the content pays). ``stacking``: other stacking rules, a bundled variant's name
        (``stacking_variants()``) or a CSV file with the columns of stacking.csv (see ``with_stacking``)."""
        if stacking is not None:
            return cls.bundled(metal).with_stacking(stacking_file(stacking))
        if metal not in METAL_CONTENT:
            raise InputError(Problem("--metal-content", f"expected {' or '.join(METAL_CONTENT)}, got {metal!r}"))
        d = lines_dir()
        m = _read(d / "measures.csv.gz", ("measure", "code"))
        measures = {k: tuple(g["code"]) for k, g in m.groupby("measure")}
        shares = read_line_shares(d / "line_shares.csv.gz")
        if metal == "flat":  # lines of the base metal chapters keep 1.0; every other line: half its value
            shares = {k: ({c: 1.0 for c, x in t.items() if x >= 1.0}, 0.5) if k.startswith("metal_") else (t, v)
                      for k, (t, v) in shares.items()}  # fmt: skip
        return cls(
            read_line_rows(d / "layers.csv", measures, tuple(shares)),
            read_line_rules(d / "stacking.csv"),
            measures,
            load_line_sources(),
            "us-china-lines",
            shares=shares,
        )

    def with_stacking(self, path: Path | str) -> LineSchedule:
        """The schedule under the stacking rules of another file (same columns as the bundled stacking.csv).

        A variant reading of how the authorities combine, for comparing conventions: e.g. ``excluded_by =
        section_232;!us_s232_auto_parts`` keeps the reciprocal duty off the goods under Section 232 except those
        of the auto-parts row, on which it stacks. The rows and dates stay the bundled ones.
        """
        rules = read_line_rules(path)
        check_rule_rows(rules, self.rows, str(path))
        return self.replaced(rules=rules, name=f"{self.name}, stacking {Path(path).name}")

    def with_rows(self, rows: Iterable[LineRow]) -> LineSchedule:
        return self.replaced(rows=self.rows + list(rows))

    def replaced(self, **changes) -> LineSchedule:
        """A copy with some fields changed (rows, rules, name, ...) and an empty cache of masks and shares."""
        return replace(self, _cache={}, **changes)

    def _scale(self, r: LineRow, codes: np.ndarray) -> np.ndarray | float:
        """The row's per-line share (1.0 for an unscaled row); cached per row and code array like the masks."""
        if not r.scale:
            return 1.0
        key = ("scale", r.id, id(codes))
        hit = self._cache.get(key)
        if hit is None or hit[0] is not codes:
            table, default = self.shares[r.scale]
            vals = pd.Series(codes.astype(str)).map(table).fillna(default).to_numpy(dtype=float)
            self._cache[key] = hit = (codes, vals)
        return hit[1]

    def change_dates(self, start: dt.date = SERIES_START, end: dt.date | None = None) -> list[dt.date]:
        ds = {r.on for r in self.rows} | {r.until for r in self.rows if r.until is not None}
        out = sorted(d for d in ds | {start} if d >= start and (end is None or d <= end))
        return out

    def _mask(self, r: LineRow, codes: np.ndarray) -> np.ndarray:
        # keyed by the array's identity; the entry holds the array itself, so its id cannot be reused by a
        # later array while the entry lives (a new array at a freed address would get a stale mask)
        key = (r.id, id(codes))
        hit = self._cache.get(key)
        if hit is None or hit[0] is not codes:
            prefixes: list[str] = []
            every = False
            for s in r.products:
                if s == "*":
                    every = True
                elif s.startswith("hs:"):
                    prefixes.append(s[3:])
                else:
                    prefixes.extend(self.measures[s[5:]])
            mask = np.ones(len(codes), dtype=bool) if every else prefix_match(codes, prefixes)
            self._cache[key] = hit = (codes, mask)
        return hit[1]

    def rates(
        self, d: dt.date, importer: str, exporter: str, codes: np.ndarray, mfn: np.ndarray | None = None
    ) -> np.ndarray:
        """Rates in percent by layer on date ``d``: array (len(LINE_LAYERS), L) for the lines ``codes``."""
        L, K = len(codes), len(LINE_LAYERS)
        rate = np.zeros((K, L))
        # cover[s][k]: the share of each line's value layer k covers (a scaled row -- a derivative's metal content --
        # covers only its share; excluded_by blocks the other layer on that share alone), leaving out the rows of
        # the exception set s ('!ROW_ID' entries of a rule; s = () is the plain coverage)
        skips = {()} | {rule.except_rows for rule in self.rules.values()}
        cover = {s: np.zeros((K, L)) for s in skips}
        for k, layer in enumerate(LINE_LAYERS):
            rule = self.rules[layer]
            if rule.within == "line":
                if mfn is not None:
                    rate[k] = mfn
                    for c in cover.values():
                        c[k] = mfn > 0
                continue
            add = np.zeros(L)
            susp = np.zeros(L)
            excl = np.zeros(L, dtype=bool)
            share = np.zeros(L)
            got = {s: np.zeros(L) for s in skips}
            rows = [r for r in self.rows if r.layer == layer and r.active(d) and r.applies(importer, exporter)]
            if rule.within == "latest":
                rows = sorted(rows, key=lambda r: r.on)  # stable: ties keep file order, the later row wins
            for r in rows:
                m = self._mask(r, codes)
                if r.action in ("add", "floor"):
                    part = self._scale(r, codes)
                    val: float | np.ndarray = r.rate * part
                    if r.action == "floor":  # an all-in level: the points above the line's MFN rate
                        val = np.maximum(r.rate - (mfn if mfn is not None else 0.0), 0.0)
                    if rule.within == "latest":
                        add = np.where(m, val, add)
                        for s, g in got.items():
                            got[s] = np.where(m, 0.0 if r.id in s else part, g)
                    else:
                        add = add + val * m
                        for s, g in got.items():
                            if r.id not in s:
                                got[s] = np.maximum(g, part * m)
                elif r.action == "suspend":
                    susp = susp + r.rate * m
                elif r.action == "exclude_share":
                    share = np.maximum(share, r.rate / 100.0 * self._scale(r, codes) * m)
                else:
                    excl |= m
            rate[k] = np.where(excl, 0.0, np.maximum(add - susp, 0.0) * (1.0 - share))
            live = ~excl & (share < 1.0)  # a line exempt in full (share 100 %) does not block others
            for s, g in got.items():
                cover[s][k] = np.where(live, g, 0.0)
        index = {layer: k for k, layer in enumerate(LINE_LAYERS)}
        for layer, rule in self.rules.items():
            if rule.excluded_by:
                blocked = np.zeros(L)
                for other in rule.excluded_by:
                    blocked = np.maximum(blocked, cover[rule.except_rows][index[other]])
                rate[index[layer]] = rate[index[layer]] * (1.0 - blocked)
        return rate

    def explain(self, code: str, d: dt.date, importer: str = "USA", exporter: str = "CHN") -> pd.DataFrame:
        """Every layer and row that bears on one line on one date, whether it applies and why.

        ``code`` is an HTS-10 line, or a shorter code matching several bundled lines (each is explained).
        """
        from .lines_explain import explain

        return explain(self, code, d, importer, exporter)


def stacking_variants() -> list[str]:
    """Names of the bundled variant stacking rules (readings other than the legal text, for comparisons)."""
    return sorted(p.stem for p in (lines_dir() / "stacking_variants").glob("*.csv"))


def stacking_file(name: str | Path) -> Path:
    """A bundled variant by name, else the path of an existing file; anything else is a located error."""
    if str(name) in stacking_variants():
        return lines_dir() / "stacking_variants" / f"{name}.csv"
    path = Path(name)
    if not path.is_file():
        msg = f"expected a bundled variant ({', '.join(stacking_variants())}) or a CSV file, got {str(name)!r}"
        raise InputError(Problem("--stacking", msg))
    return path


def read_line_shares(path: Path) -> dict[str, tuple[dict[str, float], float]]:
    """Per-line share tables (table, code, value in [0, 1]; code '*' gives the table's default, else 0)."""
    if not path.exists():
        return {}
    df = _read(path, ("table", "code", "value"), dtype={"table": str, "code": str, "value": float})
    bad = df[~df["value"].between(0.0, 1.0)]
    if len(bad):
        r = bad.index[0]
        raise InputError(Problem(str(path), f"a share must lie in [0, 1], got {bad['value'].iloc[0]}", row=r + 1,
                                 field="value"))  # fmt: skip
    out = {}
    for name, g in df.groupby("table"):
        default = g.loc[g["code"] == "*", "value"]
        rest = g[g["code"] != "*"]
        out[str(name)] = (
            dict(zip(rest["code"], rest["value"], strict=True)),
            float(default.iloc[0]) if len(default) else 0.0,
        )
    return out


def load_line_sources() -> pd.DataFrame:
    """Sources of the line bundle and of the trade bundle (one table)."""
    from .data import load_sources

    own = _read(lines_dir() / "sources.csv", ("source_id", "kind", "title", "url", "date", "note"))
    return pd.concat([own, load_sources()], ignore_index=True).drop_duplicates("source_id")


# -- lines and weights --------------------------------------------------------------------------------


@dataclass
class LineBook:
    """The lines of one direction (importer <- exporter), their weights and (US only) MFN rates."""

    importer: str
    exporter: str
    codes: np.ndarray
    weights: np.ndarray  # USD, base year
    mfn: np.ndarray | None
    mfn_basis: np.ndarray
    year: str
    duty: np.ndarray | None = None  # calculated duty, USD (US lines)
    mfn_dates: tuple[tuple[dt.date, np.ndarray], ...] = ()  # dated MFN levels (China 2017 book), ascending
    label: str = ""  # what the weights are, when not a bundled year (weights from a file)

    def mfn_on(self, d: dt.date) -> np.ndarray | None:
        """MFN rates in force on ``d``: the last dated level on or before ``d`` (else ``mfn``)."""
        out = self.mfn
        for on, level in self.mfn_dates:
            if on <= d:
                out = level
        return out


_BOOKS: dict[tuple[str, str, str], LineBook] = {}


def us_weights(year: str = "2024") -> pd.DataFrame:
    """US imports by HTS-10 line and partner (USD) for the base year, with calculated duty."""
    if year not in WEIGHT_YEARS:
        raise InputError(
            Problem(
                "--weights",
                f"no bundled weights for {year!r}; available: {', '.join(WEIGHT_YEARS)} "
                "(2017: China only, chapter totals spread over lines; world: US imports from the world in 2024)",
            )
        )
    return _read(lines_dir() / f"weights_{year}.csv.gz", ("hts10", "partner", "imports_usd", "duty_usd"),
                 dtype={"hts10": str, "partner": str, "imports_usd": float, "duty_usd": float})  # fmt: skip


def line_book(importer: str, exporter: str, year: str = "2024") -> LineBook:
    """Lines and weights for a direction: USA <- a bundled partner (HTS-10), or CHN <- USA (HS-6)."""
    key = (importer, exporter, year)
    if key in _BOOKS:
        return _BOOKS[key]
    if importer == "USA":
        w = us_weights(year)
        w = w if year == "world" else w[w["partner"] == exporter]
        if w.empty:
            partners = ", ".join(sorted(us_weights(year)["partner"].unique()))
            raise InputError(Problem("exporter", f"no bundled US imports from {exporter!r}; partners: {partners}"))
        lines = _read(lines_dir() / "lines.csv.gz", ("hts10", "mfn_pct", "mfn_basis"),
                      dtype={"hts10": str, "mfn_pct": float, "mfn_basis": str}).set_index("hts10")  # fmt: skip
        codes = w["hts10"].to_numpy(dtype=str)
        book = LineBook(
            importer,
            exporter,
            codes,
            w["imports_usd"].to_numpy(dtype=float),
            lines["mfn_pct"].reindex(codes).fillna(0.0).to_numpy(),
            lines["mfn_basis"].reindex(codes).fillna("none").to_numpy(dtype=str),
            year,
            w["duty_usd"].to_numpy(dtype=float),
        )
        if exporter in FTA_PARTNERS and year == "2024":
            # the duty actually paid in 2024 stands in for MFN: most of their trade entered under the agreement
            # (ASSUMPTION asm_fta_mfn; no 232, 301 or IEEPA duty applied to them in 2024)
            assert book.duty is not None
            book.mfn = 100.0 * book.duty / np.where(book.weights > 0, book.weights, 1.0)
            book.mfn_basis = np.full(len(codes), "census_2024_duty")
    elif importer == "CHN" and exporter == "USA" and year == "2017":
        c = pd.read_csv(lines_dir() / "cn_lines_2017.csv.gz", dtype={"hs8": str})
        codes = c["hs8"].to_numpy(dtype=str)
        levels = tuple(
            (dt.date.fromisoformat(col[4:]), c[col].to_numpy(dtype=float))
            for col in c.columns
            if col.startswith("mfn_")
        )
        book = LineBook(importer, exporter, codes, c["us_exports_usd"].to_numpy(dtype=float), levels[0][1],
                        np.full(len(codes), "piie_bjz_2019"), year, None, levels)  # fmt: skip
    elif importer == "CHN" and exporter == "USA":
        if year not in WEIGHT_YEARS:
            raise InputError(
                Problem("--weights", f"no bundled weights for {year!r}; available: {', '.join(WEIGHT_YEARS)}")
            )
        c = _read(lines_dir() / "cn_lines.csv.gz", ("hs6", "us_exports_usd", "list"),
                  dtype={"hs6": str, "us_exports_usd": float, "list": str})  # fmt: skip
        codes = c["hs6"].to_numpy(dtype=str)
        book = LineBook(importer, exporter, codes, c["us_exports_usd"].to_numpy(dtype=float), None,
                        np.full(len(codes), "not bundled"), year)  # fmt: skip
    else:
        raise InputError(
            Problem("direction", f"no bundled lines for {importer} <- {exporter}; use USA <- partner or CHN <- USA")
        )
    _BOOKS[key] = book
    return book


DIRECTIONS: tuple[tuple[str, str], ...] = (("USA", "CHN"), ("CHN", "USA"))


def _weights_label(book: LineBook) -> str:
    """What a book's weights are, in words (the ``weights`` column of ``series``)."""
    if book.label:
        return book.label
    if book.importer == "USA":
        return {
            "2017": "imports 2017 (HS-2 totals spread over lines)",
            "world": "US imports from the world 2024",
        }.get(book.year, f"imports {book.year}")
    if book.year == "2017":
        return "US exports 2017 (China's imports from the US, ITC Trade Map, via PIIE)"
    return f"US exports {book.year}"


def series(
    schedule: LineSchedule | None = None,
    dates: Sequence[dt.date] | None = None,
    directions: Sequence[tuple[str, str]] = DIRECTIONS,
    weights: str = "2024",
    books: dict[tuple[str, str], LineBook] | None = None,
) -> pd.DataFrame:
    """Trade-weighted average rate by date and direction, with each layer's contribution and coverage.

    Columns: date, importer, exporter, weights, average_rate_pct, then per layer ``<layer>_pct`` (its
    weighted rate; the layers add up to the average) and ``<layer>_coverage`` (share of the weight on
    which the layer's rate is above zero). ``books`` replaces the bundled book of a direction (weights from a
    file: ``lines_weights.books_from_file``); then ``directions`` defaults to the books' directions.
    """
    if weights not in WEIGHT_YEARS:
        raise InputError(
            Problem("--weights", f"no bundled weights for {weights!r}; available: {', '.join(WEIGHT_YEARS)}")
        )
    sched = schedule or LineSchedule.bundled()
    if books and directions is DIRECTIONS:
        directions = tuple(books)
    recs = []
    for importer, exporter in directions:
        if books and (importer, exporter) in books:
            book = books[(importer, exporter)]
        elif directions is DIRECTIONS and weights not in DIRECTION_YEARS[(importer, exporter)]:
            continue  # the default pair of directions: only those with weights for that year
        else:
            book = line_book(importer, exporter, weights)
        W = book.weights.sum()
        when = list(dates) if dates is not None else sched.change_dates()
        if dates is None and book.mfn_dates:
            when = sorted(set(when) | {d for d, _ in book.mfn_dates})
        for d in when:
            r = sched.rates(d, importer, exporter, book.codes, book.mfn_on(d))
            rec: dict[str, object] = {
                "date": d,
                "importer": importer,
                "exporter": exporter,
                "weights": _weights_label(book),
                "average_rate_pct": float(book.weights @ r.sum(axis=0) / W),
            }
            for k, layer in enumerate(LINE_LAYERS):
                rec[f"{layer}_pct"] = float(book.weights @ r[k] / W)
                rec[f"{layer}_coverage"] = float(book.weights @ (r[k] > 0) / W)
            recs.append(rec)
    return pd.DataFrame(recs)


def us_partners() -> tuple[str, ...]:
    """The partners whose 2024 US imports are bundled by line (weights_2024.csv.gz), China first."""
    found = set(us_weights("2024")["partner"])
    return ("CHN", *sorted(found - {"CHN"}))


def series_all_partners(schedule: LineSchedule | None = None, dates: Sequence[dt.date] | None = None) -> pd.DataFrame:
    """US tariffs on each bundled partner by date (2024 weights), and on all of them together (exporter ``ALL``:
    every line x partner at that partner's rate, weighted by 2024 imports). Columns as ``series``."""
    sched = schedule or LineSchedule.bundled()
    partners = us_partners()
    per = series(sched, dates or sched.change_dates(), [("USA", p) for p in partners], weights="2024")
    totals = {p: line_book("USA", p, "2024").weights.sum() for p in partners}
    per["_w"] = per["exporter"].map(totals)
    value_cols = [c for c in per.columns if c.endswith(("_pct", "_coverage"))]
    agg = per.groupby("date", sort=True).apply(
        lambda g: pd.Series({c: float(np.average(g[c], weights=g["_w"])) for c in value_cols}), include_groups=False
    )
    agg = agg.reset_index().assign(importer="USA", exporter="ALL", weights=f"imports 2024 ({len(partners)} partners)")
    out = pd.concat([per.drop(columns="_w"), agg[per.columns.drop("_w")]], ignore_index=True)
    return out
