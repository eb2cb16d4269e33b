"""Build the line-level tariff bundle (chokepoints/datasets/data/tariff_lines/) from data/tariffs/.

    python scripts/build_tariff_lines.py --refresh ../shared/tariffs   # copy the raw inputs, then build
    python scripts/build_tariff_lines.py                                   # build from data/tariffs/ only

Raw inputs (data/tariffs/, with their licences):
  budget-lab/   files of the Yale Budget Lab Tariff Rate Tracker (MIT, LICENSE and CITATION.cff beside them)
  census-2024/  US imports for consumption 2024 by HTS-10 line and partner (Census API, via the MIT-licensed
                collection tradewartracker/trade-war-redux-2025; LICENSE beside them), trimmed to the columns
                HTS10, imports (CON_VAL_YR, USD) and duty (CAL_DUT_YR, USD); and US exports to China on China's
                March 2025 retaliation lists (HS-6).

Outputs (deterministic; gzip with mtime 0), into --out (default: the bundled folder):
  layers.csv, stacking.csv, sources.csv   copied from data/tariffs/tables/ (hand-written, every row sourced)
  stacking_variants/  copied from data/tariffs/tables/stacking_variants/: other readings of the stacking rules
                      (LineSchedule.with_stacking, --stacking NAME)
  world_products.csv  copied from data/tariffs/tables/ (World product -> HTS prefixes, for the line_tariffs event)
  elasticities_hs_section.csv            copied from data/tariffs/tables/ (Hauk 2012 medians by HS section,
                      made by scripts/aggregate_hauk_elasticities.py from the author's HS-6 files)
  lines.csv.gz        hts10, mfn_pct, mfn_basis: the MFN ad valorem equivalent of each line, derived as
                      calculated duty / customs value pooled over the MFN reference partners (below); lines
                      under Section 232 in 2024 (US note 16 and the 2020 derivatives) take the lowest partner
                      bound on MFN (mfn_under_232: each partner's ratio less the 232 rate where it reaches that
                      rate, else the ratio itself; China's less its Section 301 rate) -- basis 's232_2024_min';
                      lines no reference partner imported: China's own ratio less the 2024 Section 301 rate
                      (floored at 0) -- basis 'china_less_301'; else 0 ('none').
  weights_2024.csv.gz hts10, partner, imports_usd, duty_usd (the partners of PARTNERS)
  line_shares.csv.gz  table, code, value: per-line shares for scaled rows of layers.csv (line_shares(): USMCA
                      utilisation 2025 for Canada and Mexico, BEA metal content; from the tracker's resources,
                      copied by --tracker into budget-lab/*.csv.gz)
  weights_world.csv.gz hts10, partner ('WLD'), imports_usd, duty_usd: US imports for consumption in 2024 from all
                      the partners of the shared Census collection (50 files, the EU as one: 98 % of US imports),
                      summed by line (census-2024/imports_world.csv.gz)
  weights_2017.csv.gz hts10, partner (CHN only), imports_usd, duty_usd: US imports from China in 2017 ALLOCATED
                      to lines: each HS-2 chapter's 2017 Census total (census-hs2/, by month, MIT collection
                      mwaugh0328/tradewar-tracker-aws-product-level) spread over its lines by their 2024 shares
  measures.csv.gz     measure, code: product lists (HTS-8/HTS-10 codes or prefixes) named by the schedule
  cn_lines.csv.gz     hs6, us_exports_usd, list: China's side (March 2025 lists; the rest of US exports as one
                      residual line 'rest', total 2024 US exports to China from shared facts)
  cn_lines_2017.csv.gz hs8, us_exports_usd, mfn_<date>...: China's side on 2017 weights (China's imports from the
                      US by HS-8, ITC Trade Map, as in Bown, Jung & Zhang 2019, PIIE) with China's MFN level on each
                      MFN change date (mean over the HS-10 lines of the HS-8 line; lines without tariff data take
                      their HS-6 mean, else 0)
                      measures s301_excl_<set>_whole / _described: the Section 301 product exclusions of US
                      note 20(ttt)-(www) (budget-lab/us_note_20_s301_exclusions_2026_rev6.csv, made by
                      scripts/extract_s301_exclusions.py from the HTSUS chapter 99 text)
  layers.csv also gets generated rows 'cn_ret_<date>_<points>': China's 2018-19 retaliation changes from the same
                      PIIE file (an HS-6 line takes the largest change of its HS-10 lines; a negative change, the
                      January 2019 suspension on autos, is a 'suspend' row), the 2019-09-01 tiers (5 / 10 points,
                      HS-6, from the PIIE data as processed in mwaugh0328/tradewar-tracker) and their halving on
                      2020-02-14 (PIIE chart of that date)
"""

from __future__ import annotations

import argparse
import gzip
import io
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "tariffs"
OUT = ROOT / "src" / "chokepoints" / "datasets" / "data" / "tariff_lines"

# Census country code -> partner label used in the bundle.
PARTNERS = {
    "5700": "CHN",
    "5520": "VNM",
    "2010": "MEX",
    "5830": "TWN",
    "5800": "KOR",
    "5880": "JPN",
    "0003": "EU",
    "1220": "CAN",
    "5330": "IND",
    "5490": "THA",
    "5570": "MYS",
    "4419": "CHE",
    "5650": "PHL",
    "5600": "IDN",
}
# Lines of US note 2(v)(iii)(a) known to have joined Annex II by the executive order of 2025-09-05, effective
# 2025-09-08 ("sintered neodymium-iron-boron magnets ... are no longer subject to reciprocal tariffs",
# International Trade Today, 2025-09-08); the rest of the note stays dated 2025-04-05 (asm_annex2_dates).
ANNEX2_2025_09_08 = ["8505110070"]
# Census files of EU members that the EU file (0003) already contains: left out of the world sum.
EU_MEMBER_FILES = ("4359",)  # Slovakia
# Partners without a US free-trade agreement in 2024 (duties there are MFN, plus 232 where it applied).
MFN_REFERENCE = ["EU", "JPN", "TWN", "IND", "VNM", "THA", "MYS", "CHE", "PHL", "IDN"]
# Section 232 in force through 2024 (rate, fraction): the steel (25 %) and aluminium (10 %) articles of US note 16
# (measures s232_steel_base, s232_alu_base) and the derivatives of Proclamation 9980 (85 FR 5281, from 2020-02-08:
# nails and staples, aluminium stranded wire, bumper and body stampings; source s232_deriv_2020). Stampings are of
# steel (25 %) or aluminium (10 %): the lower rate is taken off, so the estimate errs towards a higher MFN.
S232_2024_BASE = {"s232_steel_base": 0.25, "s232_alu_base": 0.10}
S232_DERIV_2020 = {"7317003": 0.25, "7317005503": 0.25, "7317005505": 0.25, "7317005507": 0.25, "7317005560": 0.25,
                   "7317005580": 0.25, "7317006560": 0.25, "76141050": 0.10, "76149020": 0.10, "76149040": 0.10,
                   "76149050": 0.10, "87081030": 0.10, "87082921": 0.10}  # fmt: skip
# Total 2024 US goods exports to China (USD): shared/facts/trade_flows.csv us_exports_to_china_goods (2024).
US_EXPORTS_TO_CHINA_2024 = 143.545716168e9
BUDGET_LAB_FILES = [
    "LICENSE",
    "CITATION.cff",
    "resources/s301_product_lists.csv",
    "resources/ieepa_exempt_products.csv",
    "resources/s232_derivative_products.csv",
    "resources/s232_copper_products.csv",
    "resources/s232_auto_parts.txt",
    "resources/s122_exempt_products.csv",
    "resources/fentanyl_carveout_products.csv",
]
# Passenger vehicles and light trucks under 232 (prefixes as listed in the tracker's config/policy_params.yaml).
S232_AUTOS = [
    "870322", "870323", "870324", "870331", "870332", "870333", "870334", "870340", "870350", "870360",
    "870370", "870380", "870390", "87042101", "87043101", "87044100", "87045100",
]  # fmt: skip
# The 11 April 2025 exclusion from the reciprocal duty (White House memorandum 'Clarification of exceptions under
# EO 14257'; CBP CSMS 64724565; HTSUS US note 2(v)(iii)): these headings/subheadings.
ELECTRONICS = [
    "8471", "847330", "8486", "85171300", "85176200", "85235200", "8524", "85285200", "85411000", "85412100",
    "85412900", "85413000", "85414910", "85414970", "85414980", "85414995", "85415100", "85415900", "85419000",
    "8542",
]  # fmt: skip


def refresh(shared: Path) -> None:
    """Copy the raw inputs from the shared folder into data/tariffs/ (trimmed Census files)."""
    bl = shared / "budget-lab-tariff-rate-tracker"
    for rel in BUDGET_LAB_FILES:
        dst = RAW / "budget-lab" / Path(rel).name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bl / rel, dst)
    cen = shared / "us-imports-2024-hs10"
    (RAW / "census-2024").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cen / "LICENSE", RAW / "census-2024" / "LICENSE")
    for code, label in PARTNERS.items():
        df = _trim_census(pd.read_parquet(cen / "data" / f"2024-hs10-imports{code}.parquet"))
        _write_gz(df, RAW / "census-2024" / f"imports_{code}_{label}.csv.gz")
    for name in ("china-10-percent-US-exports-030425.csv", "china-15-percent-US-exports-030425.csv"):
        shutil.copyfile(cen / "data" / name, RAW / "census-2024" / name)
    _write_gz(world_imports(cen / "data"), RAW / "census-2024" / "imports_world.csv.gz")


# Chapters whose lines are the metal itself (content 1.0): the tracker's primary chapters (72/73/76; 74 for copper).
METAL_CHAPTERS = {"steel": ("72", "73", "76"), "aluminum": ("72", "73", "76"), "copper": ("74",)}
TRACKER_SHARES = {
    # file in the tracker's resources/ -> the columns kept (USMCA: the Canada and Mexico rows only)
    "usmca_product_shares_2025.csv": ("hts10", "cty_code", "usmca_share"),
    "metal_content_shares_bea_hs10.csv": ("hs10", "steel_share", "aluminum_share", "copper_share", "metal_share"),
}


def refresh_tracker(repo: Path) -> None:
    """Copy the tracker's per-line share tables (a checkout of Budget-Lab-Yale/tariff-rate-tracker at 8315fff,
    the commit of the shared folder; these two files are not in it) into data/tariffs/budget-lab/ as .csv.gz:
    USMCA utilisation by HTS-10 line for Canada (1220) and Mexico (2010) in 2025 (USITC DataWeb, SPI S/S+) and
    the BEA-based metal content shares by HTS-10 line."""
    for name, cols in TRACKER_SHARES.items():
        df = pd.read_csv(repo / "resources" / name, dtype=str)[list(cols)]
        if "cty_code" in df.columns:
            df = df[df["cty_code"].isin(["1220", "2010"])]
        _write_gz(df, RAW / "budget-lab" / f"{name}.gz")


# The 2018-19 Section 301 headings of the USITC "China Tariffs" reference table -> our measure names.
USITC_HEADINGS = {"9903.88.01": "1", "9903.88.02": "2", "9903.88.03": "3", "9903.88.04": "3_addl",
                  "9903.88.15": "4A", "9903.88.16": "4B"}  # fmt: skip
USITC_2020 = RAW / "usitc-2020" / "china_tariffs_2020.csv"


def refresh_usitc(repo: Path) -> None:
    """Copy the USITC "China Tariffs" table (last updated 2020-01-01: each HTS-8 subheading, or HTS-10 number, and
    its chapter 99 heading) from a checkout of mwaugh0328/tradewar-tracker (data/China-Tariffs.xlsx, MIT; the
    table is a US government work) into data/tariffs/usitc-2020/ as code,heading. Excel stored a few codes as
    dates (1901.10.05 read as 1901-10-05): they are written back as digits."""
    import datetime as dt

    import openpyxl

    wb = openpyxl.load_workbook(repo / "data" / "China-Tariffs.xlsx", read_only=True)
    rows = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            vals = [v for v in row if v is not None]
            if len(vals) < 2 or not str(vals[1]).strip().startswith("9903.88."):
                continue
            code = vals[0].strftime("%Y%m%d") if isinstance(vals[0], dt.date) else str(vals[0]).replace(".", "")
            rows.append((code.strip(), str(vals[1]).strip()))
    USITC_2020.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["code", "heading"]).to_csv(USITC_2020, index=False, lineterminator="\n")
    shutil.copyfile(repo / "LICENSE", USITC_2020.parent / "LICENSE-waugh-tracker")


def s301_lists(tracker: pd.DataFrame, usitc: pd.DataFrame) -> pd.DataFrame:
    """The Section 301 lists (hts8 or hts10, list, ch99_code): the tracker's, plus the 2018-19 list of every code of
    the USITC 2020 table that the tracker lists under no 2018-19 list. The tracker keeps only the current list of a
    line that a 2024 increase moved (e.g. steel of 7209.28 under 9903.91.01 but not under list 4A, which it paid
    from 2019: duty / value 32.5 % in 2024 = 25 % Section 232 + 7.5 %)."""
    old = set(tracker.loc[tracker["list"].isin(USITC_HEADINGS.values()), "hts8"])
    add = usitc[~usitc["code"].isin(old)]
    add = pd.DataFrame({"hts8": add["code"], "list": add["heading"].map(USITC_HEADINGS), "ch99_code": add["heading"]})
    return pd.concat([tracker, add], ignore_index=True)


def line_shares(codes: pd.Series) -> pd.DataFrame:
    """Per-line share tables for scaled rows (table, code, value), on the bundled lines ``codes``:
    usmca_CAN / usmca_MEX (2025 USMCA utilisation, default 0: no claim), metal_steel / metal_aluminum /
    metal_copper (BEA metal content of the line's value; lines of the base chapters, METAL_CHAPTERS, are metal,
    1.0; lines without a BEA share take the tracker's flat fallback 0.5, policy_params metal_content.flat_share)."""
    bl = RAW / "budget-lab"
    keep = set(codes)
    out = []
    us = pd.read_csv(bl / "usmca_product_shares_2025.csv.gz", dtype={"hts10": str, "cty_code": str})
    us = us[us["hts10"].isin(keep)]
    for cty, label in (("1220", "CAN"), ("2010", "MEX")):
        g = us[(us["cty_code"] == cty) & (us["usmca_share"].astype(float) > 0)]
        out.append(pd.DataFrame({"table": f"usmca_{label}", "code": g["hts10"], "value": g["usmca_share"]}))
        out.append(pd.DataFrame({"table": [f"usmca_{label}"], "code": ["*"], "value": [0.0]}))
    mc = pd.read_csv(bl / "metal_content_shares_bea_hs10.csv.gz", dtype={"hs10": str}).drop_duplicates("hs10")
    mc = mc.set_index("hs10")
    every = pd.Series(sorted(keep))
    for metal in ("steel", "aluminum", "copper"):
        primary = every[every.str[:2].isin(METAL_CHAPTERS[metal])]
        v = mc[f"{metal}_share"].reindex(sorted(keep)).dropna()
        v[v.index.isin(primary)] = 1.0
        v = pd.concat([v, pd.Series(1.0, index=primary[~primary.isin(v.index)].to_numpy())]).sort_index()
        out.append(pd.DataFrame({"table": f"metal_{metal}", "code": v.index, "value": v.clip(0, 1)}))
        out.append(pd.DataFrame({"table": [f"metal_{metal}"], "code": ["*"], "value": [0.5]}))
    df = pd.concat(out, ignore_index=True)
    df["value"] = df["value"].astype(float).round(4)
    return df.sort_values(["table", "code"]).reset_index(drop=True)


def _trim_census(df: pd.DataFrame) -> pd.DataFrame:
    """A Census file's columns kept: hts10 (HS10), imports (CON_VAL_YR) and duty (CAL_DUT_YR), USD."""
    return pd.DataFrame({"hts10": df["HS10"].astype(str), "imports": df["CON_VAL_YR"].astype("int64"),
                         "duty": df["CAL_DUT_YR"].astype("int64")})  # fmt: skip


def world_imports(folder: Path) -> pd.DataFrame:
    """US imports for consumption in 2024 from every partner file in ``folder`` (the EU file counts its members;
    EU_MEMBER_FILES are left out), summed by HTS-10 line: hts10, imports, duty (USD)."""
    files = sorted(f for f in folder.glob("2024-hs10-imports*.parquet") if f.stem[-4:] not in EU_MEMBER_FILES)
    if not files:
        raise SystemExit(f"error: {folder}: no 2024-hs10-imports<code>.parquet files")
    frames = [pd.read_parquet(f, columns=["HS10", "CON_VAL_YR", "CAL_DUT_YR"]) for f in files]
    df = _trim_census(pd.concat(frames, ignore_index=True))
    df = df.groupby("hts10", as_index=False)[["imports", "duty"]].sum()
    return df[df["imports"] > 0].sort_values("hts10").reset_index(drop=True)


def _write_gz(df: pd.DataFrame, path: Path) -> None:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    with open(path, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0, filename="") as gz:
        gz.write(buf.getvalue().encode())


def _codes(path: Path, col: str) -> pd.Series:
    df = pd.read_csv(path, dtype=str, comment="#", keep_default_na=False)
    return df[col].str.strip().str.replace(".", "", regex=False)


def build(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tables = ("layers.csv", "stacking.csv", "sources.csv", "published.csv", "elasticities_hs_section.csv")
    for name in (*tables, "world_products.csv"):
        shutil.copyfile(RAW / "tables" / name, out / name)
    # variant stacking rules (a reading other than the legal text, named for --stacking), copied as they are
    (out / "stacking_variants").mkdir(exist_ok=True)
    for f in sorted((RAW / "tables" / "stacking_variants").glob("*.csv")):
        shutil.copyfile(f, out / "stacking_variants" / f.name)
    bl = RAW / "budget-lab"
    frames = []
    for code, label in PARTNERS.items():
        df = pd.read_csv(RAW / "census-2024" / f"imports_{code}_{label}.csv.gz", dtype={"hts10": str})
        frames.append(df.assign(partner=label))
    w = pd.concat(frames, ignore_index=True)
    w = w.groupby(["hts10", "partner"], as_index=False)[["imports", "duty"]].sum()
    w = w[w["imports"] > 0].rename(columns={"imports": "imports_usd", "duty": "duty_usd"})
    w = w.sort_values(["hts10", "partner"]).reset_index(drop=True)
    _write_gz(w, out / "weights_2024.csv.gz")
    _write_gz(us_china_2017(w), out / "weights_2017.csv.gz")
    wld = pd.read_csv(RAW / "census-2024" / "imports_world.csv.gz", dtype={"hts10": str})
    wld = pd.DataFrame({"hts10": wld["hts10"], "partner": "WLD", "imports_usd": wld["imports"],
                        "duty_usd": wld["duty"]})  # fmt: skip
    _write_gz(wld, out / "weights_world.csv.gz")
    _write_gz(line_shares(pd.concat([w["hts10"], wld["hts10"]]).drop_duplicates()), out / "line_shares.csv.gz")

    # measures
    s301 = s301_lists(pd.read_csv(bl / "s301_product_lists.csv", dtype=str), pd.read_csv(USITC_2020, dtype=str))
    meas = []
    for (lst, ch99), g in s301.groupby(["list", "ch99_code"]):
        name = f"s301_{lst}" if lst != "biden_jan26" else f"s301_{lst}_{ch99.split('.')[-1]}"
        meas.append(pd.DataFrame({"measure": name, "code": g["hts8"]}))
    # Reciprocal exemptions: the subheadings of US note 2(v)(iii)(a) (the legal text, HTSUS 2026 rev 6) less the
    # electronics headings, plus the tracker's statutory entries in chapters 49, 97 (Berman amendment, 50 USC
    # 1702(b)) and 98 (US note 2(v)(i)); the tracker's HTS-10 expansion of other headings is not used (it holds
    # lines the note does not list, e.g. 8507 batteries, 9403 furniture, 8414-8418 appliances).
    exempt = _codes(bl / "ieepa_exempt_products.csv", "hts10")
    note = _codes(bl / "us_note_2v_iii_a_2026_rev6.csv", "hts")
    statutory = exempt[exempt.str.startswith(("49", "97", "98"))]
    annex = pd.concat([note, statutory], ignore_index=True)
    is_elec = annex.map(lambda c: any(c.startswith(p) for p in ELECTRONICS))
    meas.append(pd.DataFrame({"measure": "ieepa_electronics", "code": ELECTRONICS}))
    # Lines added to Annex II by the EO of 2025-09-05 (from 2025-09-08) get their own, dated measure.
    is_sept = annex.map(lambda c: any(c.startswith(p) for p in ANNEX2_2025_09_08))
    meas.append(pd.DataFrame({"measure": "ieepa_annex2", "code": annex[~is_elec & ~is_sept]}))
    meas.append(pd.DataFrame({"measure": "ieepa_annex2_2025_09_08", "code": ANNEX2_2025_09_08}))
    der = pd.read_csv(bl / "s232_derivative_products.csv", dtype=str, keep_default_na=False)
    for (kind, eff), g in der.groupby(["derivative_type", "effective_date"]):
        meas.append(pd.DataFrame({"measure": f"s232_deriv_{kind}_{eff or 'base'}", "code": g["hts_prefix"]}))
    base = pd.read_csv(bl / "us_note_16c_2026_rev6.csv", dtype=str, comment="#")
    for kind, g in base.groupby("list"):
        name = f"s232_{'alu' if kind == 'aluminum' else 'steel'}_base"
        meas.append(pd.DataFrame({"measure": name, "code": g["hts"]}))
    meas.append(pd.DataFrame({"measure": "s232_copper", "code": _codes(bl / "s232_copper_products.csv", "hts10")}))
    parts = [x.strip() for x in (bl / "s232_auto_parts.txt").read_text().split() if x.strip().isdigit()]
    meas.append(pd.DataFrame({"measure": "s232_auto_parts", "code": parts}))
    meas.append(pd.DataFrame({"measure": "s232_autos", "code": S232_AUTOS}))
    meas.append(pd.DataFrame({"measure": "s122_exempt", "code": _codes(bl / "s122_exempt_products.csv", "hts8")}))
    # Fentanyl-duty carve-outs for Canada and Mexico (10 %: energy and critical minerals, potash), by category
    carve = pd.read_csv(bl / "fentanyl_carveout_products.csv", dtype=str)
    for cat, g in carve.groupby("category"):
        meas.append(pd.DataFrame({"measure": f"fent_{cat}", "code": g["hts8"]}))
    meas.extend(_s301_exclusions(bl / "us_note_20_s301_exclusions_2026_rev6.csv", s301))
    cn10 = pd.read_csv(RAW / "census-2024" / "china-10-percent-US-exports-030425.csv", dtype={"hs-code": str})
    cn15 = pd.read_csv(RAW / "census-2024" / "china-15-percent-US-exports-030425.csv", dtype={"hs-code": str})
    meas.append(pd.DataFrame({"measure": "cn_march_10", "code": cn10["hs-code"]}))
    meas.append(pd.DataFrame({"measure": "cn_march_15", "code": cn15["hs-code"]}))
    cn_rows = build_china_2017(out, meas)
    with open(out / "layers.csv", "a", newline="\n") as fh:
        fh.write("".join(r + "\n" for r in cn_rows))
    m = pd.concat(meas, ignore_index=True).drop_duplicates().sort_values(["measure", "code"])
    _write_gz(m.reset_index(drop=True), out / "measures.csv.gz")

    # MFN by line
    ref = w[w["partner"].isin(MFN_REFERENCE)]
    pooled = ref.groupby("hts10")[["imports_usd", "duty_usd"]].sum()
    lines = pd.DataFrame({"hts10": sorted(w["hts10"].unique())})
    r_all = (pooled["duty_usd"] / pooled["imports_usd"]).reindex(lines["hts10"]).to_numpy()
    mfn = r_all.copy()
    basis = pd.Series(["reference_partners"] * len(lines))
    s232 = s232_rate_2024(lines["hts10"], meas)
    s301_2024 = _s301_rate_2024(s301)
    in232 = (s232 > 0).to_numpy()
    mfn[in232] = mfn_under_232(w, lines["hts10"][in232], s232[in232], s301_2024)
    basis[in232] = "s232_2024_min"
    cn = w[w["partner"] == "CHN"].set_index("hts10")
    cn_ratio = (cn["duty_usd"] / cn["imports_usd"]).reindex(lines["hts10"]).to_numpy()
    fallback = (pd.Series(cn_ratio) - lines["hts10"].str[:8].map(s301_2024).fillna(0.0)).to_numpy()
    miss = pd.isna(mfn)
    mfn[miss] = fallback[miss].clip(min=0)
    basis[miss] = "china_less_301"
    none = pd.isna(mfn)
    mfn[none] = 0.0
    basis[none] = "none"
    lines["mfn_pct"] = (100 * mfn).round(3)
    lines["mfn_basis"] = basis.to_numpy()
    _write_gz(lines, out / "lines.csv.gz")

    # China's side
    cl = pd.concat(
        [
            pd.DataFrame({"hs6": cn10["hs-code"], "us_exports_usd": cn10["exports"], "list": "cn_march_10"}),
            pd.DataFrame({"hs6": cn15["hs-code"], "us_exports_usd": cn15["exports"], "list": "cn_march_15"}),
        ]
    )
    cl = cl[cl["us_exports_usd"] > 0]
    rest = US_EXPORTS_TO_CHINA_2024 - cl["us_exports_usd"].sum()
    cl = pd.concat([cl, pd.DataFrame({"hs6": ["rest"], "us_exports_usd": [rest], "list": ["rest"]})])
    cl["us_exports_usd"] = cl["us_exports_usd"].round(0).astype("int64")
    _write_gz(cl.reset_index(drop=True), out / "cn_lines.csv.gz")
    for name, src in (
        ("LICENSE-budget-lab", bl / "LICENSE"),
        ("LICENSE-census-collection", RAW / "census-2024" / "LICENSE"),
        ("LICENSE-waugh", BJZ / "LICENSE-waugh"),
        ("LICENSE-waugh-aws", RAW / "census-hs2" / "LICENSE-waugh-aws"),
    ):
        shutil.copyfile(src, out / name)
    print(f"wrote {out}: {len(lines)} lines, {len(w)} line x partner weights, {m['measure'].nunique()} measures")


BJZ = RAW / "piie-bjz-2019"


def build_china_2017(out: Path, meas: list[pd.DataFrame]) -> list[str]:
    """China's side 2018-19 (Bown, Jung & Zhang 2019 data): cn_lines_2017.csv.gz, measures and layer rows."""
    t = pd.read_csv(BJZ / "china_tariff_changes_hs10.csv.gz", dtype={"hs10": str})
    imp = pd.read_csv(BJZ / "china_imports_from_us_2017_hs8.csv.gz", dtype={"hs8": str})
    t["hs8"] = t["hs10"].str[:8]
    mfn_cols = [c for c in t.columns if c.startswith("mfn_")]
    level = t[mfn_cols].cumsum(axis=1)
    level.columns = mfn_cols
    lv8 = level.assign(hs8=t["hs8"]).groupby("hs8").mean()
    lv6 = level.assign(hs6=t["hs8"].str[:6]).groupby("hs6").mean()
    cl = pd.DataFrame({"hs8": imp["hs8"], "us_exports_usd": (imp["imports_2017_kusd"] * 1000).astype("int64")})
    cl = cl[cl["us_exports_usd"] > 0].reset_index(drop=True)
    m8 = lv8.reindex(cl["hs8"]).reset_index(drop=True)
    m6 = lv6.reindex(cl["hs8"].str[:6]).reset_index(drop=True)
    m = m8.fillna(m6).fillna(0.0).round(3)
    cl = pd.concat([cl, m], axis=1)
    _write_gz(cl, out / "cn_lines_2017.csv.gz")
    rows = []
    t["hs6"] = t["hs8"].str[:6]
    for col in [c for c in t.columns if c.startswith("ret_")]:
        date = col[4:]
        g = t.groupby("hs6")[col]
        ch = g.max().where(g.max() > 0, g.min()).round(3)
        rows += _ret_rows(date, ch[ch != 0], meas, "piie_bjz_2019", "Bown, Jung & Zhang (2019) data")
    sep = pd.read_csv(BJZ / "china_retaliation_2019-09-01_hs6.csv.gz", dtype={"hs6": str}).set_index("hs6")
    sep = sep["change_pct"][sep["change_pct"].isin([5.0, 10.0])]
    rows += _ret_rows("2019-09-01", sep, meas, "piie_waugh_2019_12;piie_chart_2019_12", "tiers of 2019-09-01")
    for v in sorted(sep.unique()):
        name = f"cn_ret_2019-09-01_{v:g}"
        rows.append(
            f"cn_ret_2020-02-14_half_{v:g},CHN,USA,list:{name},counter,suspend,{v / 2:g},2020-02-14,,"
            f"piie_chart_2020_02_14,Phase one: China halves its 2019-09-01 increase ({v:g} -> {v / 2:g} points)"
        )
    return rows


def _ret_rows(date: str, ch: pd.Series, meas: list[pd.DataFrame], src: str, what: str) -> list[str]:
    rows = []
    for v, g in ch.groupby(ch):
        name = f"cn_ret_{date}_{v:g}"
        meas.append(pd.DataFrame({"measure": name, "code": g.index}))
        action = "add" if v > 0 else "suspend"
        rows.append(
            f"{name},CHN,USA,list:{name},counter,{action},{abs(v):g},{date},,{src},"
            f'"China\'s retaliation change of {date} ({what}): {v:+g} points on {len(g)} HS-6 lines"'
        )
    return rows


HS2 = RAW / "census-hs2" / "imports_5700_CHN_hs2_monthly.csv.gz"


def us_china_2017(w: pd.DataFrame) -> pd.DataFrame:
    """US imports from China in 2017 by HTS-10 line, ALLOCATED (no 2017 HTS-10 base is bundled): each HS-2
    chapter's 2017 imports and calculated duty (Census, by month, summed over 2017) spread over the chapter's
    lines by their shares of the chapter's 2024 imports from China:  w17_l = (w24_l / W24_ch) * W17_ch."""
    h = pd.read_csv(HS2, dtype={"hs2": str})
    y = h[h["month"].str.startswith("2017")].groupby("hs2")[["imports_usd", "duty_usd"]].sum()
    cn = w[w["partner"] == "CHN"].copy()
    ch = cn["hts10"].str[:2]
    share = cn["imports_usd"] / cn.groupby(ch)["imports_usd"].transform("sum")
    lost = y.index.difference(ch.unique())
    if len(lost):
        raise SystemExit(f"error: {HS2}: 2017 chapters without 2024 lines to spread over: {', '.join(lost)}")
    out = pd.DataFrame(
        {
            "hts10": cn["hts10"],
            "partner": "CHN",
            "imports_usd": (share * ch.map(y["imports_usd"]).fillna(0)).round(0).astype("int64"),
            "duty_usd": (share * ch.map(y["duty_usd"]).fillna(0)).round(0).astype("int64"),
        }
    )
    return out[out["imports_usd"] > 0].reset_index(drop=True)


# Note 20 subdivision -> measure name (the exclusions that bear on 2024 and later; dates are rows in layers.csv).
S301_EXCLUSIONS = {"ttt": "s301_excl_352", "uuu": "s301_excl_covid", "vvv": "s301_excl_164", "www": "s301_excl_solar"}


def _s301_exclusions(path: Path, s301: pd.DataFrame) -> list[pd.DataFrame]:
    """Measures '<name>_whole' (bare statistical numbers: the whole line) and '<name>_described' (a product
    described within the line) from US note 20(ttt)-(www). An exclusion lifts only the 2018-19 list duty; the
    schedule applies it to the line's whole Section 301 layer, which differs only where a later increase list
    (HTS-8 in the tracker's file) covers the line too: those lines are printed."""
    ex = pd.read_csv(path, dtype=str, comment="#", keep_default_na=False)
    later = set(s301.loc[~s301["list"].isin(["1", "2", "3", "3_addl", "4A", "4B"]), "hts8"])
    clash = ex[ex["subdivision"].isin(["vvv", "www"]) & ex["hts10"].str[:8].isin(later)]
    if len(clash):
        print(f"note: exclusions on lines also under a later 301 increase list: {sorted(set(clash['hts10']))}")
    out = []
    for sub, name in S301_EXCLUSIONS.items():
        g = ex[ex["subdivision"] == sub]
        whole = set(g.loc[g["whole_line"] == "true", "hts10"])
        described = set(g["hts10"]) - whole
        for kind, codes in (("whole", whole), ("described", described)):
            if codes:
                out.append(pd.DataFrame({"measure": f"{name}_{kind}", "code": sorted(codes)}))
    return out


def s232_rate_2024(codes: pd.Series, meas: list[pd.DataFrame]) -> pd.Series:
    """The Section 232 rate (fraction) each line paid in 2024 where no quota or exemption applied; 0 off the lists."""
    m = pd.concat(meas, ignore_index=True)
    prefixes = {c: r for k, r in S232_2024_BASE.items() for c in m.loc[m["measure"] == k, "code"]}
    prefixes.update(S232_DERIV_2020)
    rate = pd.Series(0.0, index=codes.index)
    for pre, r in sorted(prefixes.items(), key=lambda kv: len(kv[0])):  # the longest prefix wins
        rate[codes.str.startswith(pre)] = r
    return rate


def mfn_under_232(w: pd.DataFrame, codes: pd.Series, rate: pd.Series, s301_2024: pd.Series) -> np.ndarray:
    """MFN of lines under Section 232 in 2024: the lowest of the partners' bounds on it.

    For each partner of MFN_REFERENCE and China, r = duty / value (China's less its 2024 Section 301 rate) holds
    MFN plus the 232 duty on the share of its entries that paid it: none in quota (the EU's and Japan's 2022-24
    tariff-rate quotas) or under an exclusion, all otherwise. So r - rate is MFN where r >= rate (no steel or
    aluminium MFN rate reaches 10 %, so such a partner paid 232 in full), and r is an upper bound below it.
    MFN = max(0, min over partners), NaN where no partner imported the line. A plain pooled ratio would carry
    the 232 duty into MFN (e.g. 25 % on steel lines whose MFN is free).
    """
    df = w[w["hts10"].isin(set(codes))]
    df = df[df["partner"].isin([*MFN_REFERENCE, "CHN"])]
    ratio = df["duty_usd"] / df["imports_usd"]
    ratio = ratio - np.where(df["partner"] == "CHN", df["hts10"].str[:8].map(s301_2024).fillna(0.0), 0.0)
    full = df["hts10"].map(pd.Series(rate.to_numpy(), index=codes.to_numpy()))
    bound = pd.Series(np.where(ratio >= full - 1e-4, ratio - full, ratio), index=df["hts10"].to_numpy())
    low = bound.groupby(level=0).min()
    return low.reindex(codes.to_numpy()).clip(lower=0.0).to_numpy()


def _s301_rate_2024(s301: pd.DataFrame) -> pd.Series:
    """Section 301 rate (fraction) in force during most of 2024 by HTS-8 (lists 1-3 25 %, 4A 7.5 %)."""
    rate = {"1": 0.25, "2": 0.25, "3": 0.25, "3_addl": 0.25, "4A": 0.075}
    s = s301[s301["list"].isin(rate)].assign(r=lambda d: d["list"].map(rate))
    return s.groupby("hts8")["r"].max()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--refresh", type=Path, help="copy raw inputs from this folder (the shared tariffs folder) first")
    ap.add_argument("--out", type=Path, default=OUT, help="output folder (default: the bundled folder)")
    ap.add_argument("--tracker", type=Path, help="a checkout of the Budget Lab tracker (8315fff): its share tables")
    ap.add_argument("--usitc", type=Path, help="a checkout of mwaugh0328/tradewar-tracker: the USITC 2020 China table")
    args = ap.parse_args(argv)
    if args.refresh:
        refresh(args.refresh)
    if args.tracker:
        refresh_tracker(args.tracker)
    if args.usitc:
        refresh_usitc(args.usitc)
    build(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
