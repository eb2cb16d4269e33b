#!/usr/bin/env python3
"""Build the bundled World dataset ``minor-metals-2024`` from the sourced fact tables.

Usage::

    python scripts/build_minor_metals_2024.py [--facts DIR] [--assumptions CSV] [--out DIR]

Gallium, germanium, antimony and natural graphite: the four minor minerals that China put
under export licensing in 2023-24 and banned for the United States on 3 December 2024
(MOFCOM Announcement No. 46). Baseline year 2024 (USGS Mineral Commodity Summaries 2025).

Every number comes from a row of the fact tables (looked up by ``key`` and, where a key
repeats, by geography / as_of), from a page read through the stored-pages search (kind
``source``, with its address, vendored in data/facts/extra_sources.csv), from arithmetic on those
(kind ``derived``) or from a labelled assumption whose note gives the reason. Each figure is
registered in ``sources.csv`` and every row of every table cites the ids it rests on.

Method (flows in kg or t per year, divided by 365 at the end):

1. US users (by USGS end use) are producers whose output is counted in the metal they use
   (kg or t of content), so the recipe is 1 unit of metal per unit of output; their
   sourcing mix is US domestic supply first, then imports split by USGS import sources.
2. Non-US refiners and processors have outputs from sourced figures or labelled rules; their
   sales to US users are fixed by step 1 and the rest goes to final-demand cells.
3. Primary producers (mines, primary gallium) have USGS 2024e outputs; what the modelled
   refiners and exports do not take is the producing region's final demand (a residual).

The script checks balance, shares, units and sources itself and fails loudly. It is not
needed at runtime; running it twice gives identical files.
"""

from __future__ import annotations

# sibling module: scripts/ is on sys.path when this runs as a script
from worldbuild import (
    DATA,
    DAYS_PER_YEAR,
    EXTRA,
    Assumptions,
    Facts,
    Model,
    Sources,
    check_close,
    cite,
    dump_yaml,
    fail,
    in_note,
    num,
    parse_args,
    render,
    run,
    summary,
    write_dataset,
)

NAME = "minor-metals-2024"
DEFAULT_OUT = DATA / NAME
END_USES = (
    "semiconductors",
    "optoelectronics",
    "defense",
    "fibre_optics",
    "infrared_optics",
    "solar_semiconductors",
    "radiation_detectors",
    "metal_products",
    "flame_retardants",
    "nonmetal_products",
    "batteries",
    "industrial",
    "research",
    "other",
)
LB_PER_T = 2204.62262


# ----------------------------------------------------------------------------------------
# Build
# ----------------------------------------------------------------------------------------
def build(facts: Facts, A: Assumptions) -> tuple[Model, Sources, dict]:  # noqa: C901 - one linear recipe
    def extra(key: str, **kw: str) -> dict[str, str]:
        return facts.get(EXTRA, key, **kw)

    S = Sources("2024 baseline", A)
    M = Model()
    MM = "minor_metals.csv"
    DOWN = "downstream_users.csv"
    CAP = "new_capacity.csv"
    POL = "policy_events.csv"

    def mm(key: str, **kw: str) -> dict[str, str]:
        return facts.get(MM, key, **kw)

    # ---------------- generic --------------------------------------------------------------
    A_PERDAY = S.derived(
        "D.annual_to_daily",
        "Annual figures to daily flows",
        "Every annual kg or t figure is divided by 365 days to give a per-day output, capacity "
        "or final demand (time_unit: day). Shares are flow / need.",
    )
    A_CAP = S.assumption("A.capacity_equals_output", "No spare capacity unless sourced")
    A_REG = S.assumption("A.region_grouping", "Region grouping")
    A_CONTENT = S.assumption("A.content_units", "US users' output counted in metal content")
    A_THIRD = S.assumption("A.us_share_of_foreign_refiners", "US buyers take one third of a foreign refiner's output")

    region_names = [
        ("CHN", "China"),
        ("USA", "United States"),
        ("JPN", "Japan"),
        ("EU", "European Union"),
        ("KOR", "Republic of Korea"),
        ("RUS", "Russia"),
        ("CAN", "Canada"),
        ("TJK", "Tajikistan"),
        ("MOZ", "Mozambique"),
        ("MDG", "Madagascar"),
        ("ROW", "Rest of the world"),
    ]

    # ---------------- policy: products under China's controls (for product notes) ----------
    r_gage = mm("gallium_germanium.export_control.announcement_date")
    S_GAGE = S.fact(
        "S.mofcom.ga_ge_announcement23",
        MM,
        [r_gage],
        "marks the products covered by MOFCOM Announcement No. 23 (2023): Ga metal and "
        "compounds, Ge metal, dioxide and tetrachloride -> gallium_low_purity, gallium_refined, "
        "germanium.",
    )
    r_sbctl = mm("antimony.export_control.effective_date")
    S_SBCTL = S.fact(
        "S.reuters.antimony_controls_2024",
        MM,
        [mm("antimony.export_control.announcement_date"), r_sbctl],
        "antimony ores/concentrates, metal and oxides under licence from 15 Sep 2024 -> "
        "antimony_concentrate, antimony_refined.",
    )
    r_grctl = mm("graphite.export_control.effective_date")
    S_GRCTL = S.fact(
        "S.xinhua.graphite_controls_2023",
        MM,
        [mm("graphite.export_control.announcement_date"), r_grctl],
        "natural flake graphite and its products (spherical, expanded) under licence from 1 Dec "
        "2023 -> graphite_natural.",
    )
    r_ban = facts.get(POL, "cn_export_control.2024-12-03.ga_ge_sb_ban_us")
    S_BAN = S.fact(
        "S.mofcom.announcement46",
        POL,
        [r_ban],
        "MOFCOM Announcement No. 46 (3 Dec 2024): Ga, Ge, Sb, superhard materials to the US "
        "'in principle not permitted'; stricter review of graphite to the US; dual-use exports "
        "to US military users prohibited.",
    )

    # ======================================================================================
    # GALLIUM (kg Ga)
    # ======================================================================================
    ga_prim_geo = {"CHN": "china", "JPN": "japan", "KOR": "korea", "RUS": "russia"}
    ga_prim_rows = {
        reg: mm(f"gallium.primary_production.{g}", as_of="2024 (estimate)") for reg, g in ga_prim_geo.items()
    }
    ga_prim = {reg: num(r["value"]) for reg, r in ga_prim_rows.items()}
    r_ga_world = mm("gallium.world_primary_low_purity_production", as_of="2024 (estimate)")
    r_ga_share = mm("gallium.china_share_primary_production", geography="China", as_of="2024")
    r_ga_cap_cn = mm("gallium.primary_capacity.china")
    r_ga_cap_w = mm("gallium.primary_capacity.world")
    S_GA_PRIM = S.fact(
        "S.usgs_mcs2025.gallium_primary",
        MM,
        list(ga_prim_rows.values()) + [r_ga_world, r_ga_share, r_ga_cap_cn, r_ga_cap_w],
        "2024e primary low-purity output by country (kg) as each <REGION>.ga_primary output "
        f"(CHN 750,000, JPN 3,000, KOR 3,000, RUS 6,000; sum {sum(ga_prim.values()):,.0f} kg "
        "against the rounded world 760,000 kg; China = "
        f"{100 * ga_prim['CHN'] / sum(ga_prim.values()):.1f}% of the country rows vs USGS 99%); "
        "China's capacity 1,000,000 kg/yr as CHN.ga_primary capacity.",
    )
    r_ga_caps = [extra("gallium.low_purity_capacity", geography=g) for g in ("Japan", "South Korea", "Russia")]
    S_GA_CAP = S.page("S.usgs_mcs2025.gallium_capacity_table", r_ga_caps)
    ga_cap = {"CHN": num(r_ga_cap_cn["value"])} | {
        reg: num(r["value"]) for reg, r in zip(("JPN", "KOR", "RUS"), r_ga_caps, strict=True)
    }
    r_ga_cn98 = mm("gallium.china_share_primary_production", geography="China", as_of="2023")
    S.fact(
        "S.ft.gallium_98pct",
        MM,
        [r_ga_cn98],
        "check only: FT citing USGS, China 98% of primary low-purity gallium (2023).",
    )
    r_ga_cn80 = mm("gallium.china_share_world_production")
    S_GA_CN80 = S.fact(
        "S.cna.factbox_ga_ge",
        MM,
        [r_ga_cn80, mm("germanium.china_share_world_production", as_of="2022-2023 (approx.)")],
        "CRMA via CNA: China ~80% of gallium (disagrees with USGS 99%; USGS used) and ~60% of "
        "germanium (used for CHN.germanium); notes: China exported 94 t of gallium and 43.7 t "
        "of germanium in 2022.",
    )
    in_note(r_ga_cn80, "China exported 94 t gallium in 2022")
    cn_ga_exports = 94000.0

    r_ga_cons = mm("gallium.us_consumption_reported", as_of="2024 (estimate)")
    r_ga_imp = mm("gallium.us_imports_metal", as_of="2024 (estimate)")
    r_ga_nir = mm("gallium.us_net_import_reliance")
    ga_cons = num(r_ga_cons["value"])
    ga_imp = num(r_ga_imp["value"])
    S_GA_US = S.fact(
        "S.usgs_mcs2025.gallium_us",
        MM,
        [r_ga_cons, r_ga_imp, r_ga_nir],
        "US reported consumption 19,000 kg and metal imports 11,000 kg (2024e), NIR 100%: "
        "imports cover 11,000/19,000 of US use, the domestic refinery the rest (D.ga_us_supply).",
    )
    S_GA_REFINERY = S.page("S.usgs_mcs2025.gallium_us_refinery", [extra("gallium.us_refining_and_defense_use")])
    us_ga_ref = ga_cons - ga_imp
    D_GA_US = S.derived(
        "D.ga_us_supply",
        "US gallium supply",
        f"USA.ga_refined output = reported consumption 19,000 - metal imports 11,000 = "
        f"{us_ga_ref:,.0f} kg/yr (the New York refinery's output from imported low-purity metal "
        "and new scrap; stock change ignored). Every US gallium buyer takes "
        f"{us_ga_ref / ga_cons:.4f} from it and {ga_imp / ga_cons:.4f} from imports split by "
        "the USGS 2020-23 import sources (S.usgs_mcs2025.gallium_us; "
        "S.usgs_mcs2025.gallium_import_sources; S.usgs_mcs2025.gallium_us_refinery).",
    )
    ga_src_rows = {k: mm(f"gallium.us_import_sources_metal.{k}") for k in ("japan", "china", "germany", "canada")}
    in_note(ga_src_rows["japan"], "other 21%")
    S_GA_SRC = S.fact(
        "S.usgs_mcs2025.gallium_import_sources",
        MM,
        list(ga_src_rows.values()),
        "US metal import sources 2020-23: Japan 24 -> JPN.ga_refined, China 19 -> CHN, Germany "
        "19 -> EU, Canada 17 -> CAN, other 21 (note; Slovakia, Russia, Korea, ...) -> ROW "
        "refiners.",
    )
    ga_imp_sh = {
        "JPN.ga_refined": num(ga_src_rows["japan"]["value"]) / 100,
        "CHN.ga_refined": num(ga_src_rows["china"]["value"]) / 100,
        "EU.ga_refined": num(ga_src_rows["germany"]["value"]) / 100,
        "CAN.ga_refined": num(ga_src_rows["canada"]["value"]) / 100,
        "ROW.ga_refined": 0.21,
    }
    check_close(sum(ga_imp_sh.values()), 1.0, "gallium import shares")
    ga_us_shares = {"USA.ga_refined": us_ga_ref / ga_cons}
    ga_us_shares.update({k: v * ga_imp / ga_cons for k, v in ga_imp_sh.items()})
    ga_us_sales = {k: v * ga_cons for k, v in ga_us_shares.items()}

    ga_eu_rows = {
        k: mm(f"gallium.us_end_use.{k}") for k in ("integrated_circuits", "optoelectronics", "research_development")
    }
    S_GA_EU = S.fact(
        "S.usgs_mcs2025.gallium_end_uses",
        MM,
        list(ga_eu_rows.values()),
        "US end uses 2024: ICs 79%, optoelectronics 20%, R&D 1% of 19,000 kg -> IC users "
        "(semiconductors and defense) 15,010 kg, optoelectronics 3,800 kg, research 190 kg "
        "(final demand).",
    )
    ga_ic = num(ga_eu_rows["integrated_circuits"]["value"]) / 100 * ga_cons
    ga_opto = num(ga_eu_rows["optoelectronics"]["value"]) / 100 * ga_cons
    ga_rd = num(ga_eu_rows["research_development"]["value"]) / 100 * ga_cons
    ga_def_share = A("A.ga_defense_share")  # share of US gallium IC use in defense ICs
    A_GA_DEF = S.assumption("A.ga_defense_share", "Defense ICs: 10% of US gallium IC use")
    ga_def = ga_def_share * ga_ic
    ga_semi = ga_ic - ga_def

    r_ga_stock = mm("gallium.us_consumer_stocks_yearend")
    r_ga_stock_d = facts.get(DOWN, "inventory.us_gallium_consumer_stocks")
    S_GA_STOCK = S.fact(
        "S.usgs_mcs2025.gallium_stocks",
        MM,
        [r_ga_stock],
        "US consumer stocks at yearend 2024, 2,700 kg -> days of cover of US gallium users (D.ga_stock_days).",
    )
    S.fact(
        "S.usgs_mcs2025.gallium_stocks_downstream",
        DOWN,
        [r_ga_stock_d],
        "same figure as listed in downstream_users.csv (~14% of annual consumption, ~7 weeks).",
    )
    ga_stock_days = num(r_ga_stock["value"]) / ga_cons * DAYS_PER_YEAR
    D_GA_STOCK = S.derived(
        "D.ga_stock_days",
        "US gallium users' days of cover",
        f"2,700 kg / 19,000 kg x 365 = {ga_stock_days:.2f} days (14.2% of a year), applied to "
        "every US gallium user as days_of_cover = target_days (S.usgs_mcs2025.gallium_stocks; "
        "S.usgs_mcs2025.gallium_us).",
    )

    # Japan's gallium market (Yomiuri via daily8)
    r_jp_ga_use = extra("gallium.japan_consumption")
    r_jp_ga_cn = extra("gallium.japan_imports_from_china")
    S_JP_GA = S.page("S.yomiuri.japan_gallium", [r_jp_ga_use, r_jp_ga_cn])
    jp_ga_use = num(r_jp_ga_use["value"]) * 1000.0
    jp_ga_from_cn = num(r_jp_ga_cn["value"]) * 1000.0
    jp_ga_ref = jp_ga_use + ga_us_sales["JPN.ga_refined"]
    jp_ga_feed = jp_ga_from_cn + ga_prim["JPN"]
    A_JP_GA = S.assumption("A.jp_ga_feed", "Japan's refiners: Chinese and Japanese primary feed, the rest recycled")
    D_JP_GA = S.derived(
        "D.jp_ga",
        "Japan's gallium refining",
        f"JPN.ga_refined output = 167,000 + {ga_us_sales['JPN.ga_refined']:,.0f} (US sales) = "
        f"{jp_ga_ref:,.0f} kg/yr; low-purity feed (55,000 + 3,000) / output = "
        f"{jp_ga_feed / jp_ga_ref:.4f} kg per kg (S.yomiuri.japan_gallium; "
        "S.usgs_mcs2025.gallium_primary; A.jp_ga_feed).",
    )

    ga_scrap_half = A("A.ga_feed_half_scrap")  # kg primary low-purity gallium per kg refined
    A_GA_SCRAP = S.assumption(
        "A.ga_feed_half_scrap", "US, EU, Canadian and other refiners: half primary feed, half new scrap"
    )
    A_GA_FEED_CN = S.assumption("A.ga_feed_origin", "Origin of primary feed")
    ga_ref_out = {
        "USA.ga_refined": us_ga_ref,
        "JPN.ga_refined": jp_ga_ref,
        "EU.ga_refined": 3 * ga_us_sales["EU.ga_refined"],
        "CAN.ga_refined": 3 * ga_us_sales["CAN.ga_refined"],
        "ROW.ga_refined": 3 * ga_us_sales["ROW.ga_refined"],
    }
    r_ga_ref_w = mm("gallium.world_high_purity_refined_production")
    r_ga_ref_cap = mm("gallium.world_high_purity_refined_capacity")
    ga_ref_world = num(r_ga_ref_w["value"])
    S_GA_REFW = S.fact(
        "S.usgs_mcs2025.gallium_refined_world",
        MM,
        [r_ga_ref_w, r_ga_ref_cap],
        "world high-purity refined output 320,000 kg (2024e; principal producers Canada, China, "
        "Japan, Slovakia, US; China's share not given): CHN.ga_refined = 320,000 - the other "
        "refiners (D.ga_refining).",
    )
    ga_ref_out["CHN.ga_refined"] = ga_ref_world - sum(ga_ref_out.values())
    cn_ref_share = ga_ref_out["CHN.ga_refined"] / ga_ref_world
    if ga_ref_out["CHN.ga_refined"] <= 0:
        fail("negative Chinese refined gallium")
    D_GA_REF = S.derived(
        "D.ga_refining",
        "Refined gallium output by region",
        "USA "
        + f"{ga_ref_out['USA.ga_refined']:,.0f} (D.ga_us_supply), JPN {jp_ga_ref:,.0f} (D.jp_ga), "
        + f"EU {ga_ref_out['EU.ga_refined']:,.0f}, CAN {ga_ref_out['CAN.ga_refined']:,.0f}, ROW "
        + f"{ga_ref_out['ROW.ga_refined']:,.0f} (3 x US sales, A.us_share_of_foreign_refiners), "
        + f"CHN = 320,000 - others = {ga_ref_out['CHN.ga_refined']:,.0f} kg/yr "
        + f"({100 * cn_ref_share:.1f}% of world refined output; China's share is not published). "
        + "Sources: S.usgs_mcs2025.gallium_refined_world; S.usgs_mcs2025.gallium_import_sources.",
    )

    # ======================================================================================
    # GERMANIUM (kg Ge)
    # ======================================================================================
    r_ge17 = mm("germanium.china_share_world_production", as_of="2017")
    in_note(r_ge17, "China produced ~104.2 t in 2017 = 65.23% of global")
    ge_world = 104200.0 / (num(r_ge17["value"]) / 100)
    S_GE17 = S.fact(
        "S.ameco.germanium_2017",
        MM,
        [r_ge17],
        f"world germanium output = 104.2 t / 65.23% = {ge_world:,.0f} kg (2017; market research, "
        "lower reliability) used as the 2024 level (A.ge_world_level).",
    )
    r_ge_nf = mm("germanium.world_production")
    if r_ge_nf["source_url"]:
        S.fact(
            "S.usgs_mcs2025.germanium_world",
            MM,
            [r_ge_nf],
            "check only: USGS publishes no world germanium production; China was the leading "
            "producer and exporter in 2024.",
        )
    A_GE_WORLD = S.assumption("A.ge_world_level", "World germanium output 2024 = 2017 level")
    ge_cn_share = num(mm("germanium.china_share_world_production", as_of="2022-2023 (approx.)")["value"]) / 100
    ge_cn = ge_cn_share * ge_world
    r_ge_imp_m = mm("germanium.us_imports_metal", as_of="2024 (estimate)")
    r_ge_imp_d = mm("germanium.us_imports_dioxide")
    r_ge_imp_t = mm("germanium.us_imports_metal_and_dioxide_total")
    r_ge_cons = mm("germanium.us_consumption_estimated")
    r_ge_nir = mm("germanium.us_net_import_reliance")
    ge_imp = num(r_ge_imp_t["value"])
    ge_cons = num(r_ge_cons["value"])
    S_GE_US = S.fact(
        "S.usgs_mcs2025.germanium_us",
        MM,
        [r_ge_imp_m, r_ge_imp_d, r_ge_imp_t, r_ge_cons, r_ge_nir],
        "US imports of metal + dioxide 33,000 kg Ge (2024e); estimated consumption 30,000 kg "
        "(2021, latest; 2022-24 NA) used for 2024 (A.ge_us_consumption); NIR >50%.",
    )
    r_ge_exp_metal = extra("germanium.us_exports.metal")
    r_ge_exp_dioxide = extra("germanium.us_exports.dioxide")
    S_GE_EXP = S.page("S.usgs_mcs2025.germanium_exports", [r_ge_exp_metal, r_ge_exp_dioxide])
    ge_exp = num(r_ge_exp_metal["value"]) + num(r_ge_exp_dioxide["value"])
    ge_net_imp = ge_imp - ge_exp
    us_ge = ge_cons - ge_net_imp
    A_GE_CONS = S.assumption("A.ge_us_consumption", "US germanium consumption 2024 = 2021 estimate")
    D_GE_US = S.derived(
        "D.ge_us_supply",
        "US germanium supply",
        f"net imports = 33,000 - (7,200 + 120) = {ge_net_imp:,.0f} kg; USA.germanium (secondary, "
        f"recycled) = 30,000 - {ge_net_imp:,.0f} = {us_ge:,.0f} kg/yr; every US germanium buyer "
        f"takes {us_ge / ge_cons:.4f} from it and {ge_net_imp / ge_cons:.4f} from imports split "
        "by the combined 2020-23 import sources (S.usgs_mcs2025.germanium_us; "
        "S.usgs_mcs2025.germanium_exports; S.usgs_mcs2025.germanium_import_sources; "
        "A.ge_us_consumption).",
    )
    ge_src_rows = [
        mm("germanium.us_import_sources_combined.belgium"),
        mm("germanium.us_import_sources_combined.canada"),
        mm("germanium.us_import_sources_combined.china"),
        mm("germanium.us_import_sources_metal.china"),
    ]
    in_note(ge_src_rows[0], "Germany 7%, other 5%")
    S_GE_SRC = S.fact(
        "S.usgs_mcs2025.germanium_import_sources",
        MM,
        ge_src_rows,
        "combined metal + dioxide import sources 2020-23: Belgium 42 + Germany 7 -> EU 49%, "
        "Canada 23 -> CAN, China 23 -> CHN, other 5 -> RUS (Russia 5% of metal imports).",
    )
    ge_imp_sh = {
        "EU.germanium": 0.42 + 0.07,
        "CAN.germanium": num(ge_src_rows[1]["value"]) / 100,
        "CHN.germanium": num(ge_src_rows[2]["value"]) / 100,
        "RUS.germanium": 0.05,
    }
    check_close(sum(ge_imp_sh.values()), 1.0, "germanium import shares")
    ge_us_shares = {"USA.germanium": us_ge / ge_cons}
    ge_us_shares.update({k: v * ge_net_imp / ge_cons for k, v in ge_imp_sh.items()})

    r_ge_cnexp = mm("germanium.china_exports_metal_jan_aug")
    in_note(r_ge_cnexp, "to Belgium 33%, Germany 32%, Russia 25%, Japan 6%")
    S_GE_CNEXP = S.fact(
        "S.usgs_mcs2025.germanium_china_exports",
        MM,
        [r_ge_cnexp],
        "China's Ge metal exports Jan-Aug 2024 16,700 kg (-55% y/y), to Belgium 33%, Germany "
        "32%, Russia 25%, Japan 6% -> annualised x 12/8 (D.ge_china_exports).",
    )
    cn_ge_exp = num(r_ge_cnexp["value"]) * 12 / 8
    ge_cn_to = {
        "EU": (0.33 + 0.32) * cn_ge_exp,
        "RUS": 0.25 * cn_ge_exp,
        "JPN": 0.06 * cn_ge_exp,
        "ROW": 0.04 * cn_ge_exp,
    }
    D_GE_CNEXP = S.derived(
        "D.ge_china_exports",
        "China's germanium exports by destination",
        f"16,700 x 12/8 = {cn_ge_exp:,.0f} kg/yr: EU (Belgium + Germany 65%) "
        f"{ge_cn_to['EU']:,.0f}, Russia {ge_cn_to['RUS']:,.0f}, Japan {ge_cn_to['JPN']:,.0f}, "
        f"other {ge_cn_to['ROW']:,.0f} kg (S.usgs_mcs2025.germanium_china_exports). The 2024 "
        "destinations omit the US (licensing since Aug 2023); US buyers' China share uses the "
        "2020-23 import sources instead (pre-control structure).",
    )
    ge_nc = ge_world - ge_cn
    ge_nc_rest = ge_nc - us_ge
    A_GE_SPLIT = S.assumption("A.ge_nonchina_split", "Non-China germanium refining: EU 50%, Canada 30%, Russia 20%")
    ge_ref_out = {
        "CHN.germanium": ge_cn,
        "EU.germanium": A("A.ge_nonchina_split.eu") * ge_nc_rest,
        "CAN.germanium": A("A.ge_nonchina_split.canada") * ge_nc_rest,
        "RUS.germanium": A("A.ge_nonchina_split.russia") * ge_nc_rest,
        "USA.germanium": us_ge,
    }
    A_GE_PROC = S.assumption("A.ge_processors_chinese_feed", "EU and Russian germanium processors use Chinese metal")
    D_GE = S.derived(
        "D.ge_refining",
        "Germanium output by region",
        f"world {ge_world:,.0f} kg (A.ge_world_level); CHN 60% = {ge_cn:,.0f}; USA {us_ge:,.0f} "
        f"(D.ge_us_supply); the rest {ge_nc_rest:,.0f} kg -> EU {ge_ref_out['EU.germanium']:,.0f}, "
        f"CAN {ge_ref_out['CAN.germanium']:,.0f}, RUS {ge_ref_out['RUS.germanium']:,.0f} "
        f"(A.ge_nonchina_split). EU needs {ge_cn_to['EU'] / ge_ref_out['EU.germanium']:.4f} kg and "
        f"RUS {ge_cn_to['RUS'] / ge_ref_out['RUS.germanium']:.4f} kg of Chinese germanium per kg "
        "(D.ge_china_exports; A.ge_processors_chinese_feed). Sources: S.ameco.germanium_2017; "
        "S.cna.factbox_ga_ge.",
    )
    ge_eu_row = mm("germanium.us_end_uses_ranked")
    S_GE_EU = S.fact(
        "S.usgs_mcs2025.germanium_end_uses",
        MM,
        [ge_eu_row],
        "US end uses in descending order: fibre optics > infrared optics > semiconductors and "
        "solar cells > radiation detectors (no shares); see also S.ameco.germanium_2017 (global "
        "2017: fibre optics largest, IR optics 26.21%).",
    )
    ge_split = {
        "fibre_optics": 0.35,
        "infrared_optics": 0.15,
        "defense": 0.15,
        "solar_semiconductors": 0.25,
        "radiation_detectors": 0.10,
    }
    A_GE_EU = S.assumption("A.ge_end_use_split", "US germanium end-use shares")
    check_close(sum(ge_split.values()), 1.0, "germanium end-use split")

    # ======================================================================================
    # ANTIMONY (t Sb)
    # ======================================================================================
    sb_geo = {
        "CHN": ["china"],
        "TJK": ["tajikistan"],
        "RUS": ["russia"],
        "ROW": [
            "burma",
            "bolivia",
            "australia",
            "turkey",
            "mexico",
            "iran",
            "vietnam",
            "pakistan",
            "laos",
            "guatemala",
            "kazakhstan",
            "kyrgyzstan",
        ],
    }
    sb_rows = {g: mm(f"antimony.mine_production.{g}", as_of="2024 (estimate)") for gs in sb_geo.values() for g in gs}
    r_sb_world = mm("antimony.mine_production.world", as_of="2024 (estimate)")
    r_sb_us = mm("antimony.mine_production.united_states", as_of="2024 (estimate)")
    sb_mine = {reg: sum(num(sb_rows[g]["value"]) for g in gs) for reg, gs in sb_geo.items()}
    sb_total = sum(sb_mine.values())
    S_SB_MINE = S.fact(
        "S.usgs_mcs2025.antimony_mine",
        MM,
        list(sb_rows.values()) + [r_sb_world, r_sb_us],
        f"2024e mine production (t Sb) as <REGION>.sb_mine output; ROW = sum of the other "
        f"country rows ({sb_mine['ROW']:,.0f} t). Country rows sum to {sb_total:,.0f} t vs the "
        f"rounded world 100,000 t; China {100 * sb_mine['CHN'] / sb_total:.1f}% of the rows.",
    )
    r_sb48 = mm("antimony.china_share_mine_production", value="48")
    S.fact(
        "S.reuters.antimony_china_48pct",
        MM,
        [r_sb48],
        "check only: 48% of 2023 mine output on the MCS 2024 basis; MCS 2025 revised China 2023 "
        "to 62,300 of 106,000 t (~59%); the MCS 2025 2024e rows are used.",
    )
    r_sb89 = mm("antimony.china_russia_share_refining")
    S_SB89 = S.fact(
        "S.scrapinsight.antimony_refining",
        MM,
        [r_sb89],
        "check: China + Russia ~89% of antimony refining (China-only share not found); compared "
        "with the modelled routing (D.sb_routing).",
    )
    A_SB_ROUTE = S.assumption("A.sb_concentrate_routing", "Where antimony concentrate is smelted")
    sb_ref = {
        "CHN.sb_refined": sb_mine["CHN"] + sb_mine["TJK"],
        "RUS.sb_refined": sb_mine["RUS"],
        "ROW.sb_refined": sb_mine["ROW"],
    }
    cn_ru_share = (sb_ref["CHN.sb_refined"] + sb_ref["RUS.sb_refined"]) / sb_total
    D_SB_ROUTE = S.derived(
        "D.sb_routing",
        "Antimony smelting by region",
        f"CHN smelts {sb_ref['CHN.sb_refined']:,.0f} t (China + Tajikistan ore), RUS "
        f"{sb_ref['RUS.sb_refined']:,.0f}, ROW {sb_ref['ROW.sb_refined']:,.0f}: China + Russia = "
        f"{100 * cn_ru_share:.1f}% of primary smelting vs ~89% (S.scrapinsight.antimony_refining). "
        "1 t Sb in concentrate per t Sb refined (metal and oxide). Sources: "
        "S.usgs_mcs2025.antimony_mine; A.sb_concentrate_routing.",
    )
    r_sb_cons = mm("antimony.us_apparent_consumption", as_of="2024 (estimate)")
    r_sb_nir = mm("antimony.us_net_import_reliance", as_of="2024 (estimate)")
    r_sb_sec = mm("antimony.us_secondary_production")
    sb_cons = num(r_sb_cons["value"])
    sb_sec = num(r_sb_sec["value"])
    S_SB_US = S.fact(
        "S.usgs_mcs2025.antimony_us",
        MM,
        [r_sb_cons, r_sb_nir, r_sb_sec],
        "US apparent consumption 24,000 t, NIR 85%, secondary production 3,500 t (antimonial "
        "lead from spent lead-acid batteries) in 2024 -> USA.sb_secondary output 3,500 t sold to "
        "US metal-products users; imports = 24,000 - 3,500 = 20,500 t (NIR check: 20,400 t).",
    )
    sb_eu_rows = {
        k: mm(f"antimony.us_end_use.{k}") for k in ("metal_products", "flame_retardants", "nonmetal_products")
    }
    S_SB_EU = S.fact(
        "S.usgs_mcs2025.antimony_end_uses",
        MM,
        list(sb_eu_rows.values()),
        "US end uses 2024: metal products incl. antimonial lead and ammunition 40%, flame "
        "retardants 39%, nonmetal products 21% of 24,000 t.",
    )
    sb_metal_all = num(sb_eu_rows["metal_products"]["value"]) / 100 * sb_cons
    sb_fr = num(sb_eu_rows["flame_retardants"]["value"]) / 100 * sb_cons
    sb_nonmetal = num(sb_eu_rows["nonmetal_products"]["value"]) / 100 * sb_cons
    sb_ammo_share = A("A.sb_ammunition_share")  # share of US antimony metal products
    A_SB_AMMO = S.assumption("A.sb_ammunition_share", "Ammunition: a quarter of US antimony metal products")
    sb_ammo = sb_ammo_share * sb_metal_all
    sb_metal = sb_metal_all - sb_ammo
    r_sb_src_ox = mm("antimony.us_import_sources_oxide.china")
    r_sb_src_un = mm("antimony.us_import_sources_unwrought.india")
    r_sb_src_all = mm("antimony.us_import_sources_metal_and_oxide.china")
    in_note(r_sb_src_ox, "Belgium 11%, Bolivia 6%, other 7%")
    in_note(r_sb_src_un, "China 24%")
    S_SB_SRC = S.fact(
        "S.usgs_mcs2025.antimony_import_sources",
        MM,
        [r_sb_src_ox, r_sb_src_un, r_sb_src_all],
        "oxide imports 2020-23: China 76 -> CHN, Belgium 11 -> EU, Bolivia 6 + other 7 -> ROW; "
        "unwrought metal: China 24 -> CHN, India 25 + Thailand 13 + Vietnam 12 + other 26 -> "
        "ROW; total metal and oxide: China 63% (check).",
    )
    A_SB_SOURCING = S.assumption("A.sb_user_sourcing", "Which US antimony users buy oxide and which buy metal")
    sb_ox_mix = {"CHN.sb_refined": 0.76, "EU.sb_refined": 0.11, "ROW.sb_refined": 0.13}
    sb_un_mix = {"CHN.sb_refined": 0.24, "ROW.sb_refined": 0.76}
    sb_metal_rest = sb_metal - sb_sec
    sb_us_cn = 0.24 * (sb_metal_rest + sb_ammo) + 0.76 * (sb_fr + sb_nonmetal)
    sb_us_eu = 0.11 * (sb_fr + sb_nonmetal)
    sb_us_row = 0.76 * (sb_metal_rest + sb_ammo) + 0.13 * (sb_fr + sb_nonmetal)
    D_SB_US = S.derived(
        "D.sb_us_supply",
        "US antimony supply by origin",
        f"metal products {sb_metal:,.0f} t = secondary 3,500 + {sb_metal_rest:,.0f} unwrought "
        f"imports; ammunition {sb_ammo:,.0f} t unwrought; flame retardants {sb_fr:,.0f} and "
        f"nonmetal {sb_nonmetal:,.0f} t oxide. China supplies {sb_us_cn:,.0f} t = "
        f"{100 * sb_us_cn / sb_cons:.1f}% of US use (63% x 85% = 53.6% from the total import "
        f"shares), Belgium {sb_us_eu:,.0f} t, ROW {sb_us_row:,.0f} t "
        "(S.usgs_mcs2025.antimony_us; S.usgs_mcs2025.antimony_end_uses; "
        "S.usgs_mcs2025.antimony_import_sources; A.sb_user_sourcing; A.sb_ammunition_share).",
    )
    eu_sb_out = 3 * sb_us_eu
    A_SB_EU = S.assumption("A.eu_sb_feed", "Belgian antimony oxide from imported metal")

    # ======================================================================================
    # GRAPHITE (t natural graphite)
    # ======================================================================================
    gr_geo = {
        "CHN": ["china"],
        "MDG": ["madagascar"],
        "MOZ": ["mozambique"],
        "CAN": ["canada"],
        "RUS": ["russia"],
        "KOR": ["korea_republic_of"],
        "ROW": [
            "brazil",
            "india",
            "tanzania",
            "korea_north",
            "norway",
            "sri_lanka",
            "turkey",
            "vietnam",
            "ukraine",
            "mexico",
            "austria",
            "germany",
        ],
    }
    gr_rows = {
        g: mm(f"graphite_natural.mine_production.{g}", as_of="2024 (estimate)") for gs in gr_geo.values() for g in gs
    }
    r_gr_world = mm("graphite_natural.mine_production.world", as_of="2024 (estimate)")
    r_gr_share = mm("graphite_natural.china_share_mine_production", geography="China", as_of="2024")
    gr_mine = {reg: sum(num(gr_rows[g]["value"]) for g in gs) for reg, gs in gr_geo.items()}
    gr_total = sum(gr_mine.values())
    S_GR_MINE = S.fact(
        "S.usgs_mcs2025.graphite_mine",
        MM,
        list(gr_rows.values()) + [r_gr_world, r_gr_share],
        f"2024e natural graphite mine production (t) as <REGION>.graphite_mine output; ROW = sum "
        f"of the other country rows ({gr_mine['ROW']:,.0f} t; Austria and Germany, 670 t, are "
        f"left in ROW). Rows sum to {gr_total:,.0f} t vs the rounded world 1,600,000 t; China "
        f"{100 * gr_mine['CHN'] / gr_total:.1f}% vs USGS 78%.",
    )
    r_gr65 = mm("graphite_natural.china_share_mine_production", as_of="2022")
    S.fact(
        "S.scmp.graphite_65pct",
        MM,
        [r_gr65],
        "check only: 65% in 2022 (older USGS series); the MCS 2025 78% (2024) is reproduced.",
    )
    r_gr_cons = mm("graphite_natural.us_apparent_consumption", as_of="2024 (estimate)")
    r_gr_imp = mm("graphite_natural.us_imports", as_of="2024 (estimate)")
    r_gr_nir = mm("graphite_natural.us_net_import_reliance")
    gr_cons = num(r_gr_cons["value"])
    S_GR_US = S.fact(
        "S.usgs_mcs2025.graphite_us",
        MM,
        [r_gr_cons, r_gr_imp, r_gr_nir],
        "US apparent consumption 52,000 t (2024e), all imported (NIR 100%, no US mine output).",
    )
    gr_src_rows = {
        k: mm(f"graphite_natural.us_import_sources.{k}") for k in ("china", "canada", "mexico", "mozambique")
    }
    in_note(gr_src_rows["china"], "other 18%")
    S_GR_SRC = S.fact(
        "S.usgs_mcs2025.graphite_import_sources",
        MM,
        list(gr_src_rows.values()),
        "US import sources 2020-23: China 43, Canada 13, Mexico 13 (-> ROW), Mozambique 13, "
        "other 18 (-> MDG and ROW in proportion to their 2024 output).",
    )
    r_gr_fl = mm("graphite_natural.china_exports_flake_jan_aug")
    r_gr_sp = mm("graphite_natural.china_exports_spherical_jan_aug")
    in_note(r_gr_fl, "Korea 21%, Japan 20%, Germany 17%, US 6%")
    in_note(r_gr_sp, "Korea 49%, Japan 29%, US 19%")
    S_GR_CNEXP = S.fact(
        "S.usgs_mcs2025.graphite_china_exports",
        MM,
        [r_gr_fl, r_gr_sp],
        "China's exports Jan-Aug 2024: flake 38,200 t (Korea 21%, Japan 20%, Germany 17%, US "
        "6%), spherical 25,500 t (Korea 49%, Japan 29%, US 19%), annualised x 12/8 "
        "(D.graphite_china_exports).",
    )
    fl = num(r_gr_fl["value"]) * 12 / 8
    sp = num(r_gr_sp["value"]) * 12 / 8
    gr_batt = 0.19 * sp
    r_gr_sph = mm("graphite.china_share_spherical_graphite")
    S_GR_SPH = S.fact(
        "S.cen.spherical_graphite",
        MM,
        [r_gr_sph, mm("graphite.china_share_anode_materials")],
        "Benchmark via C&EN: Chinese firms make 99% of spherical graphite and 93% of anode "
        "materials -> US battery users buy spherical graphite from China only.",
    )
    A_GR_BATT = S.assumption(
        "A.graphite_battery_use", "US battery use of natural graphite = China's spherical exports to the US"
    )
    gr_ind = gr_cons - gr_batt
    gr_sh = {
        "CHN": num(gr_src_rows["china"]["value"]) / 100,
        "CAN": num(gr_src_rows["canada"]["value"]) / 100,
        "MEX": num(gr_src_rows["mexico"]["value"]) / 100,
        "MOZ": num(gr_src_rows["mozambique"]["value"]) / 100,
        "OTHER": 0.18,
    }
    check_close(sum(gr_sh.values()), 1.0, "graphite import shares")
    gr_us_cn = gr_sh["CHN"] * gr_cons
    gr_ind_cn = gr_us_cn - gr_batt
    nc = gr_cons - gr_us_cn
    gr_other_mdg = gr_sh["OTHER"] * gr_cons * gr_mine["MDG"] / (gr_mine["MDG"] + gr_mine["ROW"])
    gr_ind_amounts = {
        "CHN.graphite_mine": gr_ind_cn,
        "CAN.graphite_mine": gr_sh["CAN"] * gr_cons,
        "MOZ.graphite_mine": gr_sh["MOZ"] * gr_cons,
        "MDG.graphite_mine": gr_other_mdg,
        "ROW.graphite_mine": gr_sh["MEX"] * gr_cons + gr_sh["OTHER"] * gr_cons - gr_other_mdg,
    }
    check_close(sum(gr_ind_amounts.values()), gr_ind, "graphite industrial sourcing")
    D_GR_US = S.derived(
        "D.graphite_us",
        "US graphite users and sourcing",
        f"batteries = 0.19 x 25,500 x 12/8 = {gr_batt:,.1f} t/yr, all from China; industrial = "
        f"52,000 - batteries = {gr_ind:,.1f} t. China's total = 43% x 52,000 = {gr_us_cn:,.0f} t, "
        f"so industrial buys {gr_ind_cn:,.1f} t from China and {nc:,.0f} t elsewhere (Canada, "
        "Mozambique 13% each; Mexico 13% + other 18% -> MDG/ROW by output). Sources: "
        "S.usgs_mcs2025.graphite_us; S.usgs_mcs2025.graphite_import_sources; "
        "S.usgs_mcs2025.graphite_china_exports; A.graphite_battery_use.",
    )
    gr_cn_to = {
        "KOR": 0.21 * fl + 0.49 * sp,
        "JPN": 0.20 * fl + 0.29 * sp,
        "EU": 0.17 * fl,
    }
    D_GR_CNEXP = S.derived(
        "D.graphite_china_exports",
        "China's graphite exports to Korea, Japan and Germany",
        f"annualised flake {fl:,.0f} t and spherical {sp:,.0f} t: Korea {gr_cn_to['KOR']:,.0f} "
        f"t, Japan {gr_cn_to['JPN']:,.0f} t, EU (Germany, flake only) {gr_cn_to['EU']:,.0f} t as "
        "final demand of those regions; the rest of China's output (incl. its other exports) is "
        "fd.CHN (S.usgs_mcs2025.graphite_china_exports).",
    )

    # ======================================================================================
    # products and regions
    # ======================================================================================
    A_PROD = S.assumption("A.product_definitions", "Product and stage definitions")
    prod_defs = [
        ("gallium_low_purity", "Primary low-purity gallium (99.99%)", "kg", "primary", cite(A_PROD, S_GAGE, S_BAN)),
        (
            "gallium_refined",
            "Refined high-purity gallium (99.999% and purer)",
            "kg",
            "refining",
            cite(A_PROD, S_GAGE, S_BAN),
        ),
        ("germanium", "Germanium metal and dioxide (Ge content)", "kg", "refining", cite(A_PROD, S_GAGE, S_BAN)),
        (
            "antimony_concentrate",
            "Antimony ores and concentrates (Sb content)",
            "t",
            "mining",
            cite(A_PROD, S_SBCTL, S_BAN),
        ),
        ("antimony_refined", "Antimony metal and oxide (Sb content)", "t", "refining", cite(A_PROD, S_SBCTL, S_BAN)),
        (
            "graphite_natural",
            "Natural graphite (flake, amorphous, spherical)",
            "t",
            "mining",
            cite(A_PROD, S_GRCTL, S_BAN),
        ),
        (
            "ga_integrated_circuits",
            "GaAs/GaN integrated circuits made in the US (kg Ga used)",
            "kg",
            "end_product",
            cite(A_PROD, A_CONTENT),
        ),
        (
            "ga_defense_ics",
            "Defense GaAs/GaN ICs made in the US (kg Ga used)",
            "kg",
            "end_product",
            cite(A_PROD, A_CONTENT, A_GA_DEF),
        ),
        (
            "ga_optoelectronics",
            "Optoelectronic devices made in the US (kg Ga used)",
            "kg",
            "end_product",
            cite(A_PROD, A_CONTENT),
        ),
        (
            "ge_fibre_optics",
            "Fibre-optic glass made in the US (kg Ge used)",
            "kg",
            "end_product",
            cite(A_PROD, A_CONTENT),
        ),
        (
            "ge_infrared_optics",
            "Commercial infrared optics made in the US (kg Ge used)",
            "kg",
            "end_product",
            cite(A_PROD, A_CONTENT),
        ),
        (
            "ge_defense_optics",
            "Defense infrared optics made in the US (kg Ge used)",
            "kg",
            "end_product",
            cite(A_PROD, A_CONTENT, A_GE_EU),
        ),
        (
            "ge_solar_semiconductors",
            "Ge wafers, solar cells and semiconductor uses in the US (kg Ge used)",
            "kg",
            "end_product",
            cite(A_PROD, A_CONTENT),
        ),
        (
            "ge_radiation_detectors",
            "High-purity Ge radiation detectors made in the US (kg Ge used)",
            "kg",
            "end_product",
            cite(A_PROD, A_CONTENT),
        ),
        (
            "sb_metal_products",
            "US antimonial lead and other metal products (t Sb used)",
            "t",
            "end_product",
            cite(A_PROD, A_CONTENT),
        ),
        (
            "sb_ammunition",
            "US ammunition and other defense uses of antimony (t Sb used)",
            "t",
            "end_product",
            cite(A_PROD, A_CONTENT, A_SB_AMMO),
        ),
        ("sb_flame_retardants", "US flame retardants (t Sb used)", "t", "end_product", cite(A_PROD, A_CONTENT)),
        (
            "sb_nonmetal_products",
            "US ceramics, glass and rubber products (t Sb used)",
            "t",
            "end_product",
            cite(A_PROD, A_CONTENT),
        ),
        (
            "graphite_battery_anodes",
            "US battery anode material (t graphite used)",
            "t",
            "end_product",
            cite(A_PROD, A_CONTENT, A_GR_BATT),
        ),
        (
            "graphite_industrial",
            "US refractories, brake linings, lubricants, foundry and steel uses (t graphite used)",
            "t",
            "end_product",
            cite(A_PROD, A_CONTENT),
        ),
    ]
    for pid, name, unit, stage, src in prod_defs:
        M.add_product(pid, name, unit, stage, src)
    for rid, name in region_names:
        M.regions.append(dict(region=rid, name=name, source=A_REG))

    # ======================================================================================
    # producers, recipes, flows
    # ======================================================================================
    # ---- US users ---------------------------------------------------------------------------
    us_users = [
        # id, product, end use, output, input, output source
        (
            "USA.ga_semiconductors",
            "ga_integrated_circuits",
            "semiconductors",
            ga_semi,
            "gallium_refined",
            cite(S_GA_EU, A_GA_DEF),
        ),
        (
            "USA.ga_defense",
            "ga_defense_ics",
            "defense",
            ga_def,
            "gallium_refined",
            cite(S_GA_EU, A_GA_DEF, S_GA_REFINERY),
        ),
        ("USA.ga_optoelectronics", "ga_optoelectronics", "optoelectronics", ga_opto, "gallium_refined", S_GA_EU),
        (
            "USA.ge_fibre_optics",
            "ge_fibre_optics",
            "fibre_optics",
            ge_split["fibre_optics"] * ge_cons,
            "germanium",
            cite(S_GE_EU, A_GE_EU, A_GE_CONS),
        ),
        (
            "USA.ge_infrared_optics",
            "ge_infrared_optics",
            "infrared_optics",
            ge_split["infrared_optics"] * ge_cons,
            "germanium",
            cite(S_GE_EU, A_GE_EU, A_GE_CONS),
        ),
        (
            "USA.ge_defense",
            "ge_defense_optics",
            "defense",
            ge_split["defense"] * ge_cons,
            "germanium",
            cite(S_GE_EU, A_GE_EU, A_GE_CONS, S_GE_EXP),
        ),
        (
            "USA.ge_solar_semiconductors",
            "ge_solar_semiconductors",
            "solar_semiconductors",
            ge_split["solar_semiconductors"] * ge_cons,
            "germanium",
            cite(S_GE_EU, A_GE_EU, A_GE_CONS),
        ),
        (
            "USA.ge_radiation_detectors",
            "ge_radiation_detectors",
            "radiation_detectors",
            ge_split["radiation_detectors"] * ge_cons,
            "germanium",
            cite(S_GE_EU, A_GE_EU, A_GE_CONS),
        ),
        (
            "USA.sb_metal_products",
            "sb_metal_products",
            "metal_products",
            sb_metal,
            "antimony_refined",
            cite(S_SB_EU, A_SB_AMMO),
        ),
        ("USA.sb_defense", "sb_ammunition", "defense", sb_ammo, "antimony_refined", cite(S_SB_EU, A_SB_AMMO)),
        ("USA.sb_flame_retardants", "sb_flame_retardants", "flame_retardants", sb_fr, "antimony_refined", S_SB_EU),
        (
            "USA.sb_nonmetal_products",
            "sb_nonmetal_products",
            "nonmetal_products",
            sb_nonmetal,
            "antimony_refined",
            S_SB_EU,
        ),
        (
            "USA.graphite_batteries",
            "graphite_battery_anodes",
            "batteries",
            gr_batt,
            "graphite_natural",
            cite(D_GR_US, A_GR_BATT, S_GR_CNEXP),
        ),
        (
            "USA.graphite_industrial",
            "graphite_industrial",
            "industrial",
            gr_ind,
            "graphite_natural",
            cite(D_GR_US, S_GR_US),
        ),
    ]
    for pid, product, end_use, out, inp, src in us_users:
        M.add_producer(pid, product, cite(src, A_CONTENT, A_PERDAY, A_CAP), out, end_use=end_use)
        M.add_recipe(pid, inp, 1.0, A_CONTENT)
        did = M.add_fd("USA", product, end_use, out, cite(src, A_CONTENT, A_PERDAY))
        M.supply(did, product, {pid: 1.0}, A_CONTENT)

    # ---- gallium -----------------------------------------------------------------------------
    for reg in ("CHN", "JPN", "KOR", "RUS"):
        M.add_producer(
            f"{reg}.ga_primary",
            "gallium_low_purity",
            cite(S_GA_PRIM, S_GA_CAP if reg != "CHN" else "", A_PERDAY),
            ga_prim[reg],
            capacity_year=ga_cap[reg],
        )
    ref_src = {
        "USA.ga_refined": cite(D_GA_US, S_GA_US, S_GA_REFINERY),
        "JPN.ga_refined": cite(D_JP_GA, S_JP_GA, A_JP_GA),
        "EU.ga_refined": cite(D_GA_REF, A_THIRD, S_GA_SRC),
        "CAN.ga_refined": cite(D_GA_REF, A_THIRD, S_GA_SRC),
        "ROW.ga_refined": cite(D_GA_REF, A_THIRD, S_GA_SRC),
        "CHN.ga_refined": cite(D_GA_REF, S_GA_REFW),
    }
    for pid in (
        "CHN.ga_refined",
        "JPN.ga_refined",
        "USA.ga_refined",
        "EU.ga_refined",
        "CAN.ga_refined",
        "ROW.ga_refined",
    ):
        M.add_producer(pid, "gallium_refined", cite(ref_src[pid], A_PERDAY, A_CAP), ga_ref_out[pid])
    M.add_recipe("CHN.ga_refined", "gallium_low_purity", 1.0, cite(A_PROD, S_GA_REFW))
    M.supply("CHN.ga_refined", "gallium_low_purity", {"CHN.ga_primary": 1.0}, S_GA_PRIM)
    M.add_recipe("JPN.ga_refined", "gallium_low_purity", jp_ga_feed / jp_ga_ref, cite(D_JP_GA, A_JP_GA))
    M.supply_amounts(
        "JPN.ga_refined",
        "gallium_low_purity",
        {"CHN.ga_primary": jp_ga_from_cn, "JPN.ga_primary": ga_prim["JPN"]},
        cite(S_JP_GA, A_JP_GA),
    )
    for pid in ("USA.ga_refined", "EU.ga_refined", "CAN.ga_refined"):
        M.add_recipe(pid, "gallium_low_purity", ga_scrap_half, A_GA_SCRAP)
        M.supply(pid, "gallium_low_purity", {"CHN.ga_primary": 1.0}, cite(A_GA_FEED_CN, S_GA_PRIM))
    M.add_recipe("ROW.ga_refined", "gallium_low_purity", ga_scrap_half, A_GA_SCRAP)
    M.supply(
        "ROW.ga_refined",
        "gallium_low_purity",
        {"KOR.ga_primary": 1 / 3, "RUS.ga_primary": 2 / 3},
        cite(A_GA_FEED_CN, S_GA_PRIM),
    )
    ga_buyers = ("USA.ga_semiconductors", "USA.ga_defense", "USA.ga_optoelectronics")
    for b in ga_buyers:
        M.supply(b, "gallium_refined", ga_us_shares, cite(D_GA_US, S_GA_SRC))
    did = M.add_fd("USA", "gallium_refined", "research", ga_rd, cite(S_GA_EU, A_PERDAY))
    M.supply(did, "gallium_refined", ga_us_shares, cite(D_GA_US, S_GA_SRC))
    check_close(M.sales_year("USA.ga_refined"), us_ga_ref, "US refined gallium sales")
    # foreign refiners' other sales
    did = M.add_fd("JPN", "gallium_refined", "other", jp_ga_use, cite(S_JP_GA, A_PERDAY))
    M.supply(did, "gallium_refined", {"JPN.ga_refined": 1.0}, S_JP_GA)
    did = M.add_fd("EU", "gallium_refined", "other", M.unsold("EU.ga_refined"), cite(D_GA_REF, A_THIRD, A_PERDAY))
    M.supply(did, "gallium_refined", {"EU.ga_refined": 1.0}, A_THIRD)
    cn_ga_lp_exp = sum(
        M.flows[(b, "gallium_low_purity", "CHN.ga_primary")]
        for b in ("JPN.ga_refined", "USA.ga_refined", "EU.ga_refined", "CAN.ga_refined")
    )
    cn_ga_ref_us = M.sales_year("CHN.ga_refined")
    cn_ga_to_row = cn_ga_exports - cn_ga_lp_exp - cn_ga_ref_us
    if cn_ga_to_row <= 0:
        fail("China's gallium exports to ROW negative")
    D_GA_CNEXP = S.derived(
        "D.ga_china_exports",
        "China's gallium exports",
        f"China exported 94,000 kg of gallium in 2022 (S.cna.factbox_ga_ge), used for 2024: "
        f"{cn_ga_lp_exp:,.0f} kg low-purity feed to JPN/USA/EU/CAN refiners, "
        f"{cn_ga_ref_us:,.0f} kg refined to US users, and the rest {cn_ga_to_row:,.0f} kg of "
        "refined gallium to the world market (fd.ROW: Korea, Taiwan, Europe, ...).",
    )
    fd_row_ga = {
        "CHN.ga_refined": cn_ga_to_row,
        "CAN.ga_refined": M.unsold("CAN.ga_refined"),
        "ROW.ga_refined": M.unsold("ROW.ga_refined"),
    }
    did = M.add_fd(
        "ROW", "gallium_refined", "other", sum(fd_row_ga.values()), cite(D_GA_CNEXP, D_GA_REF, A_THIRD, A_PERDAY)
    )
    M.supply_amounts(did, "gallium_refined", fd_row_ga, cite(D_GA_CNEXP, A_THIRD))
    did = M.add_fd("CHN", "gallium_refined", "other", M.unsold("CHN.ga_refined"), cite(D_GA_REF, D_GA_CNEXP, A_PERDAY))
    M.supply(did, "gallium_refined", {"CHN.ga_refined": 1.0}, D_GA_REF)
    # low-purity residuals
    D_GA_LP = S.derived(
        "D.ga_low_purity_residual",
        "Unrefined primary gallium",
        "China's primary output not refined in China or exported as feed "
        f"({M.unsold('CHN.ga_primary'):,.0f} kg/yr: NdFeB additive, alloys, chemicals and "
        "stockbuilding) is fd.CHN.gallium_low_purity.other; Korean and Russian output not taken "
        f"by ROW refiners ({M.unsold('KOR.ga_primary') + M.unsold('RUS.ga_primary'):,.0f} kg) is "
        "fd.ROW.gallium_low_purity.other (S.usgs_mcs2025.gallium_primary; D.ga_refining).",
    )
    did = M.add_fd("CHN", "gallium_low_purity", "other", M.unsold("CHN.ga_primary"), cite(D_GA_LP, A_PERDAY))
    M.supply(did, "gallium_low_purity", {"CHN.ga_primary": 1.0}, D_GA_LP)
    row_lp = {k: M.unsold(k) for k in ("KOR.ga_primary", "RUS.ga_primary")}
    did = M.add_fd("ROW", "gallium_low_purity", "other", sum(row_lp.values()), cite(D_GA_LP, A_GA_FEED_CN, A_PERDAY))
    M.supply_amounts(did, "gallium_low_purity", row_lp, D_GA_LP)
    for pid in (
        "CHN.ga_primary",
        "JPN.ga_primary",
        "KOR.ga_primary",
        "RUS.ga_primary",
        "CHN.ga_refined",
        "JPN.ga_refined",
        "USA.ga_refined",
        "EU.ga_refined",
        "CAN.ga_refined",
        "ROW.ga_refined",
    ):
        if abs(M.unsold(pid)) > 1e-6:
            fail(f"gallium producer {pid} unbalanced: {M.unsold(pid)}")

    # ---- germanium ---------------------------------------------------------------------------
    ge_src = {
        "CHN.germanium": cite(D_GE, S_GE17, S_GA_CN80, A_GE_WORLD),
        "EU.germanium": cite(D_GE, A_GE_SPLIT, A_GE_PROC),
        "CAN.germanium": cite(D_GE, A_GE_SPLIT, S_GE_EXP),
        "RUS.germanium": cite(D_GE, A_GE_SPLIT, A_GE_PROC),
        "USA.germanium": cite(D_GE_US, S_GE_US, S_GE_EXP, A_GE_CONS),
    }
    for pid, out in ge_ref_out.items():
        M.add_producer(pid, "germanium", cite(ge_src[pid], A_PERDAY, A_CAP), out)
    for reg in ("EU", "RUS"):
        pid = f"{reg}.germanium"
        M.add_recipe(pid, "germanium", ge_cn_to[reg] / ge_ref_out[pid], cite(D_GE, D_GE_CNEXP, A_GE_PROC))
        M.supply(pid, "germanium", {"CHN.germanium": 1.0}, cite(D_GE_CNEXP, S_GE_CNEXP))
    ge_buyers = [u[0] for u in us_users if u[4] == "germanium"]
    for b in ge_buyers:
        M.supply(b, "germanium", ge_us_shares, cite(D_GE_US, S_GE_SRC))
    check_close(M.sales_year("USA.germanium"), us_ge, "US germanium")
    for reg, amt in (("JPN", ge_cn_to["JPN"]),):
        did = M.add_fd(reg, "germanium", "other", amt, cite(D_GE_CNEXP, A_PERDAY))
        M.supply(did, "germanium", {"CHN.germanium": 1.0}, D_GE_CNEXP)
    did = M.add_fd("EU", "germanium", "other", M.unsold("EU.germanium"), cite(D_GE, A_PERDAY))
    M.supply(did, "germanium", {"EU.germanium": 1.0}, D_GE)
    did = M.add_fd("RUS", "germanium", "other", M.unsold("RUS.germanium"), cite(D_GE, A_PERDAY))
    M.supply(did, "germanium", {"RUS.germanium": 1.0}, D_GE)
    row_ge = {"CAN.germanium": M.unsold("CAN.germanium"), "CHN.germanium": ge_cn_to["ROW"]}
    did = M.add_fd("ROW", "germanium", "other", sum(row_ge.values()), cite(D_GE, D_GE_CNEXP, A_PERDAY))
    M.supply_amounts(did, "germanium", row_ge, cite(D_GE, D_GE_CNEXP))
    did = M.add_fd("CHN", "germanium", "other", M.unsold("CHN.germanium"), cite(D_GE, D_GE_CNEXP, A_PERDAY))
    M.supply(did, "germanium", {"CHN.germanium": 1.0}, D_GE)

    # ---- antimony ----------------------------------------------------------------------------
    for reg in ("CHN", "TJK", "RUS", "ROW"):
        M.add_producer(f"{reg}.sb_mine", "antimony_concentrate", cite(S_SB_MINE, A_PERDAY, A_CAP), sb_mine[reg])
    for pid, out in sb_ref.items():
        M.add_producer(pid, "antimony_refined", cite(D_SB_ROUTE, A_SB_ROUTE, S_SB89, A_PERDAY, A_CAP), out)
        M.add_recipe(pid, "antimony_concentrate", 1.0, cite(A_PROD, D_SB_ROUTE))
    M.supply_amounts(
        "CHN.sb_refined",
        "antimony_concentrate",
        {"CHN.sb_mine": sb_mine["CHN"], "TJK.sb_mine": sb_mine["TJK"]},
        cite(D_SB_ROUTE, A_SB_ROUTE),
    )
    M.supply("RUS.sb_refined", "antimony_concentrate", {"RUS.sb_mine": 1.0}, D_SB_ROUTE)
    M.supply("ROW.sb_refined", "antimony_concentrate", {"ROW.sb_mine": 1.0}, D_SB_ROUTE)
    M.add_producer("EU.sb_refined", "antimony_refined", cite(D_SB_US, A_SB_EU, A_THIRD, A_PERDAY, A_CAP), eu_sb_out)
    M.add_recipe("EU.sb_refined", "antimony_refined", 1.0, A_SB_EU)
    M.supply("EU.sb_refined", "antimony_refined", {"CHN.sb_refined": 0.5, "ROW.sb_refined": 0.5}, A_SB_EU)
    M.add_producer("USA.sb_secondary", "antimony_refined", cite(S_SB_US, A_PERDAY, A_CAP), sb_sec)
    M.supply_amounts(
        "USA.sb_metal_products",
        "antimony_refined",
        {"USA.sb_secondary": sb_sec, "CHN.sb_refined": 0.24 * sb_metal_rest, "ROW.sb_refined": 0.76 * sb_metal_rest},
        cite(D_SB_US, A_SB_SOURCING, S_SB_SRC),
    )
    M.supply("USA.sb_defense", "antimony_refined", sb_un_mix, cite(D_SB_US, A_SB_SOURCING, S_SB_SRC))
    for b in ("USA.sb_flame_retardants", "USA.sb_nonmetal_products"):
        M.supply(b, "antimony_refined", sb_ox_mix, cite(D_SB_US, A_SB_SOURCING, S_SB_SRC))
    check_close(M.sales_year("CHN.sb_refined"), sb_us_cn + 0.5 * eu_sb_out, "China Sb to US/EU")
    did = M.add_fd("EU", "antimony_refined", "other", M.unsold("EU.sb_refined"), cite(A_SB_EU, A_THIRD, A_PERDAY))
    M.supply(did, "antimony_refined", {"EU.sb_refined": 1.0}, A_THIRD)
    for reg in ("CHN", "RUS", "ROW"):
        pid = f"{reg}.sb_refined"
        did = M.add_fd(reg, "antimony_refined", "other", M.unsold(pid), cite(D_SB_ROUTE, D_SB_US, A_PERDAY))
        M.supply(did, "antimony_refined", {pid: 1.0}, D_SB_ROUTE)

    # ---- graphite ----------------------------------------------------------------------------
    for reg in gr_geo:
        M.add_producer(f"{reg}.graphite_mine", "graphite_natural", cite(S_GR_MINE, A_PERDAY, A_CAP), gr_mine[reg])
    M.supply(
        "USA.graphite_batteries", "graphite_natural", {"CHN.graphite_mine": 1.0}, cite(D_GR_US, S_GR_SPH, A_GR_BATT)
    )
    M.supply_amounts("USA.graphite_industrial", "graphite_natural", gr_ind_amounts, cite(D_GR_US, S_GR_SRC))
    A_GR_REST = S.assumption("A.graphite_other_sales", "Non-US sales of non-China graphite")
    for reg in ("JPN", "EU"):
        did = M.add_fd(reg, "graphite_natural", "other", gr_cn_to[reg], cite(D_GR_CNEXP, A_PERDAY))
        M.supply(did, "graphite_natural", {"CHN.graphite_mine": 1.0}, D_GR_CNEXP)
    kor = {"CHN.graphite_mine": gr_cn_to["KOR"], "KOR.graphite_mine": gr_mine["KOR"]}
    did = M.add_fd(
        "KOR", "graphite_natural", "other", sum(kor.values()), cite(D_GR_CNEXP, S_GR_MINE, A_GR_REST, A_PERDAY)
    )
    M.supply_amounts(did, "graphite_natural", kor, cite(D_GR_CNEXP, A_GR_REST))
    did = M.add_fd("RUS", "graphite_natural", "other", gr_mine["RUS"], cite(A_GR_REST, A_PERDAY))
    M.supply(did, "graphite_natural", {"RUS.graphite_mine": 1.0}, A_GR_REST)
    row_gr = {f"{r}.graphite_mine": M.unsold(f"{r}.graphite_mine") for r in ("MDG", "MOZ", "CAN", "ROW")}
    did = M.add_fd("ROW", "graphite_natural", "other", sum(row_gr.values()), cite(A_GR_REST, D_GR_US, A_PERDAY))
    M.supply_amounts(did, "graphite_natural", row_gr, A_GR_REST)
    did = M.add_fd(
        "CHN", "graphite_natural", "other", M.unsold("CHN.graphite_mine"), cite(D_GR_CNEXP, D_GR_US, A_PERDAY)
    )
    M.supply(did, "graphite_natural", {"CHN.graphite_mine": 1.0}, D_GR_CNEXP)

    # order producers: upstream first
    order = (
        [f"{r}.ga_primary" for r in ("CHN", "JPN", "KOR", "RUS")]
        + ["CHN.ga_refined", "JPN.ga_refined", "USA.ga_refined", "EU.ga_refined", "CAN.ga_refined", "ROW.ga_refined"]
        + list(ge_ref_out)
        + [f"{r}.sb_mine" for r in ("CHN", "TJK", "RUS", "ROW")]
        + list(sb_ref)
        + ["EU.sb_refined", "USA.sb_secondary"]
        + [f"{r}.graphite_mine" for r in gr_geo]
        + [u[0] for u in us_users]
    )
    if sorted(order) != sorted(M.producers):
        fail("producer order list incomplete")
    M.producers = {k: M.producers[k] for k in order}

    # ======================================================================================
    # inventories
    # ======================================================================================
    A_INV_US = S.assumption("A.inv_us_users", "US germanium, antimony and graphite users hold 60 days")
    r_jp60 = facts.get("embargo_2010.csv", "japan_response.stockpile_target_days")
    S_JP60 = S.fact(
        "S.japan.stockpile_60_days",
        "embargo_2010.csv",
        [r_jp60],
        "Japan's 60-day rare-metal stockpile target as the proxy for stocks held outside China "
        "and the dataset default.",
    )
    A_INV_UP = S.assumption("A.inv_upstream", "Refiners' and processors' feed stocks")
    S.assumption("A.inv_default", "Default inventory target 60 days")
    for pid, _product, _eu, _out, inp, _src in us_users:
        if inp == "gallium_refined":
            M.inventory(pid, inp, round(ga_stock_days, 6), cite(D_GA_STOCK, S_GA_STOCK))
        elif pid == "USA.graphite_batteries":
            M.inventory(pid, inp, A("A.inv_us_users.batteries"), A_INV_US)
        else:
            M.inventory(pid, inp, A("A.inv_us_users.other"), cite(A_INV_US, S_JP60))
    for holder, inp in M.recipes:
        if holder.startswith("USA.") and holder in [u[0] for u in us_users]:
            continue
        if holder.startswith("CHN."):
            M.inventory(holder, inp, A("A.inv_upstream.china"), A_INV_UP)
        else:
            M.inventory(holder, inp, A("A.inv_upstream.importers"), cite(A_INV_UP, S_JP60))

    # ======================================================================================
    # unit values
    # ======================================================================================
    r_p_lo = mm("gallium.price.low_purity_import_unit_value", as_of="2024 (estimate)")
    r_p_hi = mm("gallium.price.high_purity_import_unit_value", as_of="2024 (estimate)")
    S_P_GA = S.fact(
        "S.usgs_mcs2025.gallium_prices",
        MM,
        [r_p_lo, r_p_hi],
        "2024 US import unit values: low-purity $220/kg, high-purity $500/kg.",
    )
    r_p_ge = mm("germanium.price.metal_annual_avg", as_of="2024 (estimate)")
    S_P_GE = S.fact(
        "S.usgs_mcs2025.germanium_price",
        MM,
        [r_p_ge],
        "2024 average European germanium metal price $2,100/kg (Argus, 99.999%).",
    )
    r_p_sb = mm("antimony.price.metal_annual_avg", as_of="2024 (estimate)")
    S_P_SB = S.fact(
        "S.usgs_mcs2025.antimony_price",
        MM,
        [r_p_sb],
        f"2024 average antimony metal price $9.50/lb CIF Rotterdam = 9.50 x {LB_PER_T:.2f} lb/t USD per t.",
    )
    r_p_gr = mm("graphite_natural.price.flake_import_unit_value", as_of="2024 (estimate)")
    S_P_GR = S.fact(
        "S.usgs_mcs2025.graphite_price",
        MM,
        [r_p_gr],
        "2024 flake graphite import unit value $1,070/t.",
    )
    A_UV_SBC = S.assumption("A.uv_sb_concentrate", "Antimony concentrate at half the metal price")
    A_UV_FLOOR = S.assumption("A.uv_content_floor", "US users' output valued at its metal input")
    p_ga_lo = num(r_p_lo["value"])
    p_ga_hi = num(r_p_hi["value"])
    p_ge = num(r_p_ge["value"])
    p_sb = num(r_p_sb["value"]) * LB_PER_T
    p_gr = num(r_p_gr["value"])
    uv = [
        ("gallium_low_purity", p_ga_lo, S_P_GA),
        ("gallium_refined", p_ga_hi, S_P_GA),
        ("germanium", p_ge, S_P_GE),
        ("antimony_concentrate", 0.5 * p_sb, cite(A_UV_SBC, S_P_SB)),
        ("antimony_refined", p_sb, S_P_SB),
        ("graphite_natural", p_gr, S_P_GR),
        ("ga_integrated_circuits", p_ga_hi, cite(A_UV_FLOOR, S_P_GA)),
        ("ga_defense_ics", p_ga_hi, cite(A_UV_FLOOR, S_P_GA)),
        ("ga_optoelectronics", p_ga_hi, cite(A_UV_FLOOR, S_P_GA)),
        ("ge_fibre_optics", p_ge, cite(A_UV_FLOOR, S_P_GE)),
        ("ge_infrared_optics", p_ge, cite(A_UV_FLOOR, S_P_GE)),
        ("ge_defense_optics", p_ge, cite(A_UV_FLOOR, S_P_GE)),
        ("ge_solar_semiconductors", p_ge, cite(A_UV_FLOOR, S_P_GE)),
        ("ge_radiation_detectors", p_ge, cite(A_UV_FLOOR, S_P_GE)),
        ("sb_metal_products", p_sb, cite(A_UV_FLOOR, S_P_SB)),
        ("sb_ammunition", p_sb, cite(A_UV_FLOOR, S_P_SB)),
        ("sb_flame_retardants", p_sb, cite(A_UV_FLOOR, S_P_SB)),
        ("sb_nonmetal_products", p_sb, cite(A_UV_FLOOR, S_P_SB)),
        ("graphite_battery_anodes", p_gr, cite(A_UV_FLOOR, S_P_GR)),
        ("graphite_industrial", p_gr, cite(A_UV_FLOOR, S_P_GR)),
    ]
    for product, value, src in uv:
        M.unit_value(product, value, src)

    # sources that document the timeline used by the scenarios (cited from dataset.yaml)
    S.fact(
        "S.mofcom.ga_ge_effective",
        MM,
        [mm("gallium_germanium.export_control.effective_date")],
        "licence requirement for Ga and Ge from 1 Aug 2023 (scenario cn-gallium-germanium-2023).",
    )
    S.fact(
        "S.metalbulletin.first_licences",
        MM,
        [mm("gallium_germanium.export_control.first_licences_granted")],
        "first Ga/Ge export licences granted 21 Sep 2023 (51 days after 1 Aug).",
    )
    S.fact(
        "S.suspension.announcement46_clause2",
        POL,
        [facts.get(POL, "cn_export_control.2025-11-09.ga_ge_sb_suspension")],
        "clause 2 of Announcement No. 46 suspended until 2026-11-27; clause 1 (US military "
        "users) not stated as suspended.",
    )
    S.fact(
        "S.usgs_mcs2025.gallium_ban_text",
        MM,
        [mm("gallium.export_control.china_licensing_start"), mm("gallium.export_control.china_ban_to_us")],
        "USGS: Ga licensing from Aug 2023, exports recovered in 2024 as licences were granted; "
        "all exports to the US banned in Dec 2024.",
    )
    S.fact(
        "S.cap.germanium_recycling",
        CAP,
        [facts.get(CAP, "recycling.germanium_share_of_consumption")],
        "context: ~30% of world germanium consumption comes from recycled material (USGS MCS "
        "2020); recycled feed is why EU/RUS processors' Chinese input coefficients are below 1.",
    )

    stats = dict(
        default_days=int(A("A.inv_default")),
        ga_cn_primary_share=ga_prim["CHN"] / sum(ga_prim.values()),
        ga_cn_refined_share=cn_ref_share,
        ge_cn_share=ge_cn_share,
        sb_cn_mine_share=sb_mine["CHN"] / sb_total,
        sb_cn_ru_refining=cn_ru_share,
        gr_cn_share=gr_mine["CHN"] / gr_total,
        ga_stock_days=ga_stock_days,
        us_cn_share={
            "gallium": ga_us_shares["CHN.ga_refined"],
            "germanium": ge_us_shares["CHN.germanium"],
            "antimony": sb_us_cn / sb_cons,
            "graphite": gr_sh["CHN"],
        },
    )
    return M, S, stats


# ----------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------
def dataset_yaml(stats: dict) -> str:
    us = stats["us_cn_share"]
    meta = {
        "name": NAME,
        "version": "2024.1",
        "title": "Gallium, germanium, antimony and natural graphite, 2024 baseline, for China's "
        "2023-24 export controls",
        "description": (
            "A small daily input-output world of four minor minerals that China licensed in "
            "2023-24 and banned for the United States on 3 December 2024 (MOFCOM Announcement "
            "No. 46): primary and refined gallium, germanium, antimony concentrate and refined "
            "antimony, and natural graphite, with US users by USGS end use (semiconductors, "
            "optoelectronics, fibre and infrared optics, solar cells and detectors, flame "
            "retardants, metal and nonmetal products, battery anodes, industrial uses, defense) "
            "as producers whose output can fall. Baseline 2024 (USGS MCS 2025 estimates). Built "
            "by scripts/build_minor_metals_2024.py from data/facts and data/assumptions; see "
            "docs/data-minor-metals-2024.md."
        ),
        "time_unit": "day",
        "base_year": 2024,
        "key_users": [
            {"region": "USA", "end_use": "semiconductors"},
            {"region": "USA", "end_use": "defense"},
            {"region": "USA", "end_use": "optoelectronics"},
            {"region": "USA", "end_use": "fibre_optics"},
            {"region": "USA", "end_use": "flame_retardants"},
            {"region": "USA", "end_use": "batteries"},
        ],
        "default_target_days": stats["default_days"],
        "default_target_days_source": "A.inv_default;S.japan.stockpile_60_days",
        "notes": (
            "Disagreements and choices. (1) Gallium: China makes "
            f"{100 * stats['ga_cn_primary_share']:.1f}% of primary low-purity gallium in the "
            "country rows (USGS says 99%, FT/USGS 98% for 2023, CRMA ~80%; S.ft.gallium_98pct, "
            "S.cna.factbox_ga_ge). China's share of refined gallium is not published; the model "
            f"gets {100 * stats['ga_cn_refined_share']:.1f}% as the residual of the 320 t world "
            "total after Japan's 167 t of use (2021) and the other refiners (D.ga_refining). "
            "(2) Germanium: no world production is published; ~160 t (2017, AMECO) with China "
            "60% (CRMA) is used (A.ge_world_level); US consumption is the 2021 estimate "
            "(A.ge_us_consumption); the 2024 destination shares of China's Ge exports omit the "
            "US, so US buyers use the 2020-23 import sources (D.ge_china_exports). (3) Antimony: "
            f"China {100 * stats['sb_cn_mine_share']:.1f}% of 2024e mine output (MCS 2025 rows) "
            "vs 48% quoted by Reuters on the MCS 2024 basis (S.reuters.antimony_china_48pct); "
            f"China + Russia smelt {100 * stats['sb_cn_ru_refining']:.1f}% vs ~89% "
            "(S.scrapinsight.antimony_refining). (4) Graphite: China "
            f"{100 * stats['gr_cn_share']:.1f}% of mine output (USGS 78%; 65% for 2022 in SCMP); "
            "only natural graphite is modelled (no synthetic). (5) US users' output is counted "
            "in metal content (A.content_units), so USD losses are floors (A.uv_content_floor). "
            "(6) China's share of US supply: gallium "
            f"{100 * us['gallium']:.1f}%, germanium {100 * us['germanium']:.1f}%, antimony "
            f"{100 * us['antimony']:.1f}%, graphite {100 * us['graphite']:.1f}% (direct), plus "
            "indirect exposure through Japanese, EU and Russian refiners that use Chinese feed. "
            "(7) Inventories: US gallium users hold "
            f"{stats['ga_stock_days']:.1f} days (USGS consumer stocks, D.ga_stock_days); all "
            "other stocks are labelled assumptions (A.inv_us_users, A.inv_upstream). (8) Defense "
            "users (Ga ICs, Ge IR optics, Sb ammunition) rest on assumed shares "
            "(A.ga_defense_share, A.ge_end_use_split, A.sb_ammunition_share)."
        ),
    }
    return dump_yaml(meta)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__, DEFAULT_OUT, argv)
    M, S, stats = build(Facts(args.facts), Assumptions(args.assumptions))
    tabs, texts = render(M, S, producer_end_uses=END_USES, demand_end_uses=END_USES)
    write_dataset(args.out, texts, dataset_yaml(stats), S)
    print(summary(args.out, tabs))
    print(
        "  China shares: Ga primary {:.1%}, Ga refined {:.1%}, Sb mine {:.1%}, graphite {:.1%}; "
        "US Ga stocks {:.1f} days".format(
            stats["ga_cn_primary_share"],
            stats["ga_cn_refined_share"],
            stats["sb_cn_mine_share"],
            stats["gr_cn_share"],
            stats["ga_stock_days"],
        )
    )
    return 0


if __name__ == "__main__":
    run(main, "build_minor_metals_2024")
