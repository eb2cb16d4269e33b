#!/usr/bin/env python3
"""Build the bundled World dataset ``rare-earths-2025`` from the sourced fact tables.

Usage::

    python scripts/build_rare_earths_2025.py [--facts DIR] [--assumptions CSV] [--out DIR]

Every number comes from a row of the fact tables (looked up by ``key`` and, where a key
repeats, by geography / as_of), from a constant named here with the address of the page
it was read on, or from a labelled assumption. Each figure is registered in
``sources.csv`` and every row of every table cites the source ids it rests on.

Method (all flows in tonnes or units per year, divided by 365 at the end):

1. US end users (vehicles, F-35, other defense procurement, wind turbines, electronics and
   industrial goods) have sourced outputs; their magnet needs are output x intensity.
2. Magnet makers have outputs from sourced world magnet output and country shares; after
   their sales to the US users, the rest goes to final-demand cells of the buying regions.
3. Metal, oxide and concentrate needs follow from the recipes; where a sourced output
   (Lynas, MP, USGS) fixes a supplier, the balancing residual goes to a labelled producer
   or final-demand cell (e.g. China's other-oxide separation and its final demand).
4. Mine outputs are USGS MCS 2025 (2024e) and are checked to equal their sales.

The script checks balance, shares, units and sources itself and fails loudly. It is not
needed at runtime; running it twice gives identical files.
"""

from __future__ import annotations

import math
import re

# sibling module: scripts/ is on sys.path when this runs as a script
from worldbuild import (
    DATA,
    EXTRA,
    Assumptions,
    Facts,
    Need,
    Sources,
    Tables,
    atomic_weights,
    check_close,
    cite,
    dump_yaml,
    fail,
    in_note,
    num,
    num_range,
    parse_args,
    render,
    run,
    write_dataset,
)
from worldbuild import Model as SharedModel

NAME = "rare-earths-2025"
DEFAULT_OUT = DATA / NAME
PRODUCER_END_USES = ("automotive", "defense", "wind", "electronics_industrial")
DEMAND_END_USES = (*PRODUCER_END_USES, "other")


# ----------------------------------------------------------------------------------------
# The model
# ----------------------------------------------------------------------------------------
class Model(SharedModel):
    """Producers whose output is their sales unless fixed by a sourced figure.

    Unlike the shared model, a producer's output is the sum of what it sells (or a fixed
    output), final demand may be a residual that rounds to zero, and flows may be recorded
    to a buyer in several calls.
    """

    output_label = "fixed output"

    def add_producer(
        self,
        pid: str,
        region: str,
        product: str,
        source: str,
        end_use: str = "",
        capacity_year: float | None = None,
        cap_source: str = "",
    ) -> None:
        if pid in self.producers or pid in self.fd:
            fail(f"duplicate id {pid}")
        if not pid.startswith(region + "."):
            fail(f"producer id {pid} must start with its region")
        self.producers[pid] = dict(
            producer=pid,
            region=region,
            product=product,
            end_use=end_use,
            source=source,
            capacity_year=capacity_year,
            cap_source=cap_source,
        )

    def demand_amount(self, did: str, amount_year: float) -> float:
        """A residual final demand may round to a tiny negative; it is stored as zero."""
        if amount_year < -1e-9:
            fail(f"negative final demand {did}: {amount_year}")
        return max(amount_year, 0.0)

    def add_recipe(self, producer: str, product: str, amount_per_unit: float, source: str) -> None:
        self.recipes[(producer, product)] = dict(amount=amount_per_unit, source=source)

    def supply(self, buyer: str, product: str, shares: dict[str, float], source: str) -> None:
        """Split a buyer's whole need over suppliers by shares (must sum to 1)."""
        total = sum(shares.values())
        if abs(total - 1.0) > 1e-12:
            fail(f"shares for {buyer}/{product} sum to {total}")
        need = self.need(buyer, product)
        for s, sh in shares.items():
            if sh < 0:
                fail(f"negative share {buyer}/{product}/{s}")
            self.flows[(buyer, product, s)] += sh * need
        self.link_src[(buyer, product)] = source

    def supply_amounts(self, buyer: str, product: str, amounts: dict[str, float], source: str) -> None:
        """Record flows in tonnes; they must add up to the buyer's need."""
        need = self.need(buyer, product)
        total = sum(amounts.values())
        if not math.isclose(total, need, rel_tol=1e-9, abs_tol=1e-9):
            fail(f"flows to {buyer}/{product} add to {total}, need is {need}")
        for s, a in amounts.items():
            if a < -1e-9:
                fail(f"negative flow {buyer}/{product}/{s}: {a}")
            self.flows[(buyer, product, s)] += max(a, 0.0)
        self.link_src[(buyer, product)] = source

    def output_year(self, producer: str) -> float:
        fixed = self.producers[producer].get("fixed_output")
        return fixed if fixed is not None else self.sales_year(producer)

    def fix_output(self, producer: str, output_year: float) -> None:
        self.producers[producer]["fixed_output"] = output_year

    def producer_source(self, producer: str) -> str:
        p = self.producers[producer]
        return cite(p["source"], p["cap_source"]) if p["capacity_year"] is not None else p["source"]


# ----------------------------------------------------------------------------------------
# Build
# ----------------------------------------------------------------------------------------
def build(facts: Facts, A: Assumptions) -> tuple[Model, Sources, dict]:
    def extra(key: str, **kw: str) -> dict[str, str]:
        return facts.get(EXTRA, key, **kw)

    S = Sources("2024 baseline", A)
    M = Model()
    RES = "rare_earths_supply.csv"
    MAT = "material_intensity.csv"
    DOWN = "downstream_users.csv"
    CAP = "new_capacity.csv"
    EMB = "embargo_2010.csv"
    POL = "policy_events.csv"

    # ---------------- generic assumptions ---------------------------------------------
    A_PERDAY = S.derived(
        "D.annual_to_daily",
        "Annual figures to daily flows",
        "Every annual tonnage, unit count or USD figure is divided by 365 days to give a "
        "per-day output, capacity or final demand (time_unit: day). Shares are flow / need.",
    )
    A_CAP = S.assumption("A.capacity_equals_output", "No spare capacity unless sourced")
    A_REG = S.assumption("A.region_grouping", "Region grouping")
    A_PROD = S.assumption("A.product_definitions", "Product and stage definitions")

    # ---------------- regions -----------------------------------------------------------
    region_names = [
        ("CHN", "China"),
        ("USA", "United States"),
        ("JPN", "Japan"),
        ("EU", "European Union"),
        ("AUS", "Australia"),
        ("MYS", "Malaysia"),
        ("VNM", "Viet Nam"),
        ("MMR", "Myanmar (Burma)"),
        ("ROW", "Rest of the world"),
    ]

    # ---------------- mining: USGS MCS 2025, 2024e ------------------------------------------
    mine_geo = {
        "CHN": ["China"],
        "USA": ["United States"],
        "AUS": ["Australia"],
        "MMR": ["Burma (Myanmar)"],
        "MYS": ["Malaysia"],
        "VNM": ["Vietnam"],
        "ROW": ["Thailand", "Nigeria", "India", "Russia", "Madagascar", "Brazil", "Other"],
    }
    mine_rows = {}
    for geos in mine_geo.values():
        for g in geos:
            mine_rows[g] = facts.get(RES, "usgs_mcs2025.mine_production", geography=g, as_of="2024 (estimate)")
    world_row = facts.get(RES, "usgs_mcs2025.mine_production", geography="World", as_of="2024 (estimate)")
    mine = {reg: sum(num(mine_rows[g]["value"]) for g in geos) for reg, geos in mine_geo.items()}
    mine_total = sum(mine.values())
    S_MINE = S.fact(
        "S.usgs_mcs2025.mine_production",
        RES,
        list(mine_rows.values()) + [world_row],
        "2024e mine production by country (t REO) as the annual output of each <REGION>.mine "
        "producer, /365 per day. The rounded world total (390,000 t) is 3,950 t below the sum of "
        f"the country rows ({mine_total:,.0f} t); the country rows are used.",
    )
    D_ROWMINE = S.derived(
        "D.row_mine",
        "ROW mine output",
        "ROW.mine = Thailand 13,000 + Nigeria 13,000 + India 2,900 + Russia 2,500 + Madagascar "
        f"2,000 + Brazil 20 + Other 1,100 = {mine['ROW']:,.0f} t REO/yr "
        "(S.usgs_mcs2025.mine_production).",
    )

    # ---------------- separation feeds -------------------------------------------------
    r_us_comp = facts.get(RES, "usgs.us_production.compounds_and_metals_total")
    us_sep_feed = num(r_us_comp["value"])
    S_US_COMP = S.fact(
        "S.usgs_mcs2025.us_compounds",
        RES,
        [r_us_comp],
        "US separated compounds and metals, 7,600 t REO in 2024, as the feed and "
        "total oxide output of the US separators (MP Materials, Mountain Pass).",
    )
    r_lynas_reo = facts.get(CAP, "lynas.total_reo_production")
    mys_sep_feed = num(r_lynas_reo["value"])
    S_LYNAS_REO = S.fact(
        "S.lynas.total_reo_fy2024",
        CAP,
        [r_lynas_reo],
        "Lynas Malaysia FY2024 (Jul 2023-Jun 2024) total REO output 10,908 t as the "
        "2024 feed/output of the Malaysian separators, fed by Australian concentrate "
        "(fiscal year used for calendar 2024).",
    )
    r_lynas_ndpr = facts.get(CAP, "lynas.ndpr_production", as_of="FY2024 (Jul 2023-Jun 2024)")
    mys_ndpr = num(r_lynas_ndpr["value"])
    S_LYNAS_NDPR = S.fact(
        "S.lynas.ndpr_fy2024",
        CAP,
        [r_lynas_ndpr],
        "Lynas NdPr oxide 5,655 t (FY2024) as MYS.sep_ndpr annual output, /365.",
    )
    r_lynas_cap = facts.get(CAP, "lynas.malaysia_ndpr_capacity")
    S_LYNAS_CAP = S.fact(
        "S.lynas.ndpr_capacity",
        CAP,
        [r_lynas_cap],
        "Lynas Malaysia NdPr capacity 10,500 t/yr as MYS.sep_ndpr capacity, /365.",
    )
    r_mp_ndpr = facts.get(CAP, "mp.mountain_pass.ndpr_oxide", as_of="2024")
    us_ndpr = num(r_mp_ndpr["value"])
    S_MP_NDPR = S.fact(
        "S.mp.ndpr_2024",
        CAP,
        [r_mp_ndpr],
        "MP Materials NdPr oxide 1,294 t in 2024 as USA.sep_ndpr annual output, /365.",
    )
    r_solvay = facts.get(CAP, "solvay.la_rochelle.target")
    in_note(r_solvay, "~4,000 t RE products (mainly catalyst grades) before expansion")
    eu_sep_feed = 4000.0
    S_SOLVAY = S.fact(
        "S.solvay.la_rochelle",
        CAP,
        [r_solvay],
        "note: La Rochelle produced ~4,000 t RE products (mainly catalyst grades) before "
        "its 2025 expansion; used as EU.sep_other output 4,000 t/yr (REO basis assumed), "
        "fed from ROW concentrate. The NdPr line started April 2025, after the baseline.",
    )
    row_sep_feed = num(mine_rows["India"]["value"]) + num(mine_rows["Russia"]["value"])
    A_ROWSEP = S.assumption("A.row_domestic_separation", "India and Russia separate their own output")
    r_iea_sep = facts.get(RES, "iea_2025.separation_share")
    r_iea_ref = facts.get(RES, "iea_gcmo2024.refined_output_share", geography="China")
    S_IEA_SEP = S.fact(
        "S.iea_2025.separation_share",
        RES,
        [r_iea_sep],
        "check only: China 91% of separation/refining; the modelled China share of "
        "separation is compared with it (see D.concentrate_routing).",
    )
    r_fdd = facts.get(RES, "refining_share.other_estimates", value="89")
    S.fact(
        "S.fdd.refining_share",
        RES,
        [r_fdd],
        "check only: FDD puts China at 89% of refining (2025); compared in D.concentrate_routing.",
    )
    S_IEA_REF = S.fact(
        "S.iea_gcmo2024.refined_share",
        RES,
        [r_iea_ref],
        "check only: China 92% of refined output in 2023.",
    )
    r_heavy = facts.get(RES, "heavy_ree_separation_share")
    S_HEAVY = S.fact(
        "S.benchmark.heavy_separation_share",
        RES,
        [r_heavy],
        "China 99.9% of heavy REE separation: Dy and Tb oxide are made only in China in "
        "the model (the 0.1% elsewhere is below the model's resolution; Lynas's heavy "
        "circuit made its first Dy in May 2025, after the baseline).",
    )

    # concentrate routing (t REO/yr): who separates each region's ore
    feed = {  # separator region -> {mine region: tonnes}
        "USA": {"USA": us_sep_feed},
        "MYS": {"AUS": mys_sep_feed},
        "EU": {"ROW": eu_sep_feed},
        "ROW": {"ROW": row_sep_feed},
    }
    feed["CHN"] = {
        "CHN": mine["CHN"],
        "USA": mine["USA"] - us_sep_feed,
        "AUS": mine["AUS"] - mys_sep_feed,
        "MMR": mine["MMR"],
        "MYS": mine["MYS"],
        "VNM": mine["VNM"],
        "ROW": mine["ROW"] - eu_sep_feed - row_sep_feed,
    }
    for reg, d in feed.items():
        for src, t in d.items():
            if t < 0:
                fail(f"negative concentrate routing {src}->{reg}: {t}")
    sep_total = {reg: sum(d.values()) for reg, d in feed.items()}
    china_sep_share = sep_total["CHN"] / mine_total
    D_ROUTE = S.derived(
        "D.concentrate_routing",
        "Routing of concentrate to separators",
        f"US separators take the 7,600 t REO that USGS reports as US compounds output; the rest of "
        f"US concentrate ({mine['USA'] - us_sep_feed:,.0f} t) goes to China (MP sold concentrate "
        "to "
        "China before April 2025). Australian concentrate feeds Lynas Malaysia "
        f"({mys_sep_feed:,.0f} t, "
        f"Lynas FY2024), the remaining {mine['AUS'] - mys_sep_feed:,.0f} t goes to China. Myanmar, "
        "Vietnam, Malaysia (mine) and the ROW ores other than India/Russia and the EU feed go to "
        "China "
        "(USGS estimates these outputs from China's import data). China separates "
        f"{sep_total['CHN']:,.0f} t REO = {100 * china_sep_share:.1f}% of modelled separation, "
        "close "
        "to the IEA's 91-92% (S.iea_2025.separation_share, S.iea_gcmo2024.refined_share) and "
        "FDD's 89% "
        "(S.fdd.refining_share). Sources: "
        "S.usgs_mcs2025.mine_production; S.usgs_mcs2025.us_compounds; S.lynas.total_reo_fy2024; "
        "S.solvay.la_rochelle; A.row_domestic_separation.",
    )
    if not 0.88 < china_sep_share < 0.95:
        fail(f"China separation share {china_sep_share} outside IEA-like range")

    # ---------------- world magnet output and composition ---------------------------------
    r_mag_ree = facts.get(RES, "iea_gcmo2024.magnet_ree_demand")
    magnet_ree = num(r_mag_ree["value"])
    S_IEA_MAG = S.fact(
        "S.iea_gcmo2024.magnet_ree_demand",
        RES,
        [r_mag_ree],
        "IEA magnet rare-earth demand 93,000 t (2023) / 30% REE content = world NdFeB "
        "output (D.world_magnets); used for 2024 (growth 2023->24 not applied).",
    )
    r_ree_content = facts.get(MAT, "ndfeb.rare_earth_content")
    ree_share = num(r_ree_content["value"]) / 100.0
    in_note(r_ree_content, "Dy content ~4%")
    heavy_share = 0.04
    S_HVW_CONTENT = S.fact(
        "S.hvw.ndfeb_ree_content",
        MAT,
        [r_ree_content],
        "NdFeB ~30% REE metal by mass, of which Dy ~4% of magnet mass (note). "
        "Recipe of every NdFeB maker: 0.26 t NdPr metal + 0.04 t Dy/Tb metal per t "
        "magnet (rest Fe, B, Co etc. not modelled).",
    )
    A_HEAVY_ALL = S.assumption("A.heavy_content_all_grades", "4% Dy+Tb in every NdFeB magnet")
    world_magnets = magnet_ree / ree_share
    D_WORLD_MAG = S.derived(
        "D.world_magnets",
        "World NdFeB output",
        f"93,000 t magnet REE (S.iea_gcmo2024.magnet_ree_demand) / 0.30 REE content "
        f"(S.hvw.ndfeb_ree_content) = {world_magnets:,.0f} t NdFeB/yr. Other figures: ~170,000 "
        "t/yr "
        "(Noveon, 2023, company claim; new_capacity.csv noveon.target_capacity) and >200,000 t in "
        "2020 "
        "(ndfeb_production_share 2020); the IEA-based figure is used because it ties the magnet "
        "stage "
        "to the IEA's REE tonnage.",
    )
    ndpr_per_magnet = ree_share - heavy_share
    D_MAG_COMP = S.derived(
        "D.magnet_composition",
        "NdFeB recipe",
        f"NdPr metal = 0.30 - 0.04 = {ndpr_per_magnet:.2f} t per t NdFeB; Dy/Tb metal = 0.04 t "
        "per t "
        "(S.hvw.ndfeb_ree_content; A.heavy_content_all_grades).",
    )

    # stoichiometry
    AW, S_AW = atomic_weights(facts, S, ("Nd", "Pr", "Dy", "Tb", "Sm", "O"))
    yld = A("A.metal_yield")  # t metal per t metal contained in the oxide
    A_AW = cite(S_AW, S.assumption("A.metal_yield", "No loss converting oxide to metal"))
    f_nd = yld * 2 * AW["Nd"] / (2 * AW["Nd"] + 3 * AW["O"])
    f_pr = yld * 6 * AW["Pr"] / (6 * AW["Pr"] + 11 * AW["O"])
    f_dy = yld * 2 * AW["Dy"] / (2 * AW["Dy"] + 3 * AW["O"])
    f_tb = yld * 4 * AW["Tb"] / (4 * AW["Tb"] + 7 * AW["O"])
    f_sm = yld * 2 * AW["Sm"] / (2 * AW["Sm"] + 3 * AW["O"])
    A_NDPR = S.assumption("A.ndpr_ratio", "Nd:Pr = 75:25 in NdPr")
    nd_share = A("A.ndpr_ratio")  # Nd2O3 mass share of NdPr oxide
    f_ndpr = nd_share * f_nd + (1 - nd_share) * f_pr
    D_STOICH = S.derived(
        "D.stoichiometry",
        "Oxide -> metal factors",
        f"Metal mass fraction of oxide: Nd2O3 {f_nd:.4f}, Pr6O11 {f_pr:.4f}, NdPr (75:25) "
        f"{f_ndpr:.4f}, Dy2O3 {f_dy:.4f}, Tb4O7 {f_tb:.4f}, Sm2O3 {f_sm:.4f}; oxide per t metal = "
        "1 / factor (S.ciaaw.atomic_weights; A.metal_yield; A.ndpr_ratio).",
    )

    # prices (also used for the Dy:Tb split)
    price_rows = {
        k: facts.get(RES, f"price.usgs_avg.{k}", as_of="2024 (estimate)")
        for k in ("neodymium_oxide", "dysprosium_oxide", "terbium_oxide")
    }
    p_nd = num(price_rows["neodymium_oxide"]["value"]) * 1000.0
    p_dy = num(price_rows["dysprosium_oxide"]["value"]) * 1000.0
    p_tb = num(price_rows["terbium_oxide"]["value"]) * 1000.0
    S_PRICES = S.fact(
        "S.usgs_mcs2025.prices_2024",
        RES,
        list(price_rows.values()),
        "2024 annual average Argus prices (USD/kg x 1,000 = USD/t) as unit values of "
        "ndpr_oxide (Nd oxide as proxy: USGS gives no NdPr price), dy_oxide and tb_oxide; "
        "also used for the Dy:Tb split (A.dy_tb_split).",
    )
    w_tb = p_dy / (p_dy + p_tb)
    w_dy = 1.0 - w_tb
    A_DYTB = S.assumption(
        "A.dy_tb_split",
        "Dy:Tb mass split in magnets",
        "No source gives Tb content of NdFeB. Assume makers spend equally on Dy and Tb per "
        "magnet, "
        f"so Tb mass share of the heavy fraction = p_Dy/(p_Dy+p_Tb) = 260/(260+810) = {w_tb:.3f} "
        "and "
        f"Dy = {w_dy:.3f} (USGS 2024 prices). Tb is used sparingly because it costs ~3x Dy.",
    )

    # ---------------- magnet output by region -------------------------------------------
    r_cn94 = facts.get(RES, "ndfeb_production_share", geography="China", as_of="2024-2025")
    cn_share = num(r_cn94["value"]) / 100.0
    S_IEA94 = S.fact(
        "S.iea_2025.magnet_share",
        RES,
        [r_cn94],
        "China 94% of permanent-magnet manufacturing (IEA) -> CHN.ndfeb_magnet = 94% of world NdFeB output.",
    )
    r_cn2010 = facts.get(RES, "ndfeb_production_share", geography="China", as_of="2010")
    r_jp2010 = facts.get(RES, "ndfeb_production_share", geography="Japan", as_of="2010")
    in_note(r_cn2010, "Europe 1.3%")
    jp2010 = num(r_jp2010["value"])
    eu2010 = 1.3
    S_2010 = S.fact(
        "S.ndfeb_share_2010",
        RES,
        [r_cn2010, r_jp2010],
        "2010 sintered NdFeB shares Japan 19.3%, Europe 1.3% (note of the China row) -> "
        "Japan:EU split of the non-China, non-Vietnam, non-US output (latest country split "
        "found for Japan and Europe).",
    )
    r_shin = facts.get(CAP, "shin_etsu.magnet_capacity")
    vnm_cap = float(re.match(r"\s*([0-9,]+)\s*\(Vietnam\)", r_shin["value"]).group(1).replace(",", ""))
    S_SHIN = S.fact(
        "S.shinetsu.vnm_capacity",
        CAP,
        [r_shin],
        "Shin-Etsu Vietnam magnet capacity 2,200 t/yr (end-2022) as VNM.ndfeb_magnet "
        "output and capacity (low-reliability blog; A.vnm_full_utilisation).",
    )
    A_VNM = S.assumption("A.vnm_full_utilisation", "Vietnam magnet plant runs at capacity")
    r_noveon = facts.get(CAP, "noveon.san_marcos.capacity")
    us_mag_cap = num(r_noveon["value"])
    S_NOVEON = S.fact(
        "S.noveon.capacity",
        CAP,
        [r_noveon],
        "Noveon San Marcos 2,000 t/yr NdFeB capacity as USA.ndfeb_magnet capacity, /365 "
        "(MP Independence 1,000 t/yr ramps only from late 2025: not in the 2024 baseline).",
    )
    us_mag_out = A("A.us_magnet_output") * us_mag_cap
    A_USMAG = S.assumption(
        "A.us_magnet_output",
        "US NdFeB output 2024",
        "No 2024 US magnet output was found. Noveon (2,000 t/yr, recycled feed) was ramping and MP "
        "made only trial magnets (mp.independence.start); assume 10% utilisation of Noveon's "
        f"capacity = {us_mag_out:,.0f} t/yr. Its recipe is the standard NdFeB recipe buying metal "
        "from "
        "China (US commercial NdPr metal started only in January 2025).",
    )
    cn_mag = cn_share * world_magnets
    non_cn = world_magnets - cn_mag
    rest = non_cn - vnm_cap - us_mag_out
    jp_mag = rest * jp2010 / (jp2010 + eu2010)
    eu_mag = rest * eu2010 / (jp2010 + eu2010)
    D_MAG_REG = S.derived(
        "D.magnet_by_region",
        "NdFeB output by region",
        f"CHN = 94% x {world_magnets:,.0f} = {cn_mag:,.0f} t; non-China = {non_cn:,.0f} t, of "
        "which "
        f"VNM {vnm_cap:,.0f} t (A.vnm_full_utilisation) and USA {us_mag_out:,.0f} t "
        "(A.us_magnet_output); "
        f"the rest {rest:,.0f} t split Japan:EU = 19.3:1.3 (2010 shares) -> JPN {jp_mag:,.0f} t, "
        "EU "
        f"{eu_mag:,.0f} t. A 2026 summary says Japan makes about half of non-China output "
        "(japan_magnet_production.2023_2024, no address); not used because it has no source "
        "address. "
        "Sources: D.world_magnets; S.iea_2025.magnet_share; S.ndfeb_share_2010.",
    )

    # ---------------- US end users --------------------------------------------------------
    r_oica = facts.get(DOWN, "us_motor_vehicle_production.oica_total", as_of="2024")
    us_vehicles = num(r_oica["value"])
    S_OICA = S.fact(
        "S.oica.us_production_2024",
        DOWN,
        [r_oica],
        "US motor-vehicle production 2024 (10,562,188, all vehicles) split into "
        "EV/hybrid and ICE by the electrified sales share (D.us_vehicle_split).",
    )
    r_elec = facts.get(DOWN, "us_electrified_share_of_sales")
    elec_share = num(r_elec["value"]) / 100.0
    S_ELEC = S.fact(
        "S.us_electrified_share_2024",
        DOWN,
        [r_elec],
        "20% of 2024 US sales were electrified (1.3M BEV + 1.9M hybrids incl. PHEV).",
    )
    A_PRODSHARE = S.assumption("A.production_share_equals_sales_share", "EV/hybrid share of US production")
    ev_units = elec_share * us_vehicles
    ice_units = us_vehicles - ev_units
    D_VEH = S.derived(
        "D.us_vehicle_split",
        "US EV/hybrid and ICE output",
        f"EV/hybrid = 20% x 10,562,188 = {ev_units:,.0f} vehicles/yr; ICE = "
        f"{ice_units:,.0f} vehicles/yr (S.oica.us_production_2024; "
        "S.us_electrified_share_2024; A.production_share_equals_sales_share).",
    )
    r_gkn = facts.get(MAT, "ev.vehicle.permanent_magnet_mass")
    gkn_lo, gkn_hi = num_range(r_gkn["value"])
    S_GKN = S.fact(
        "S.gkn.ev_magnet_mass",
        MAT,
        [r_gkn],
        "2-4 kg permanent magnets per electrified vehicle; midpoint 3 kg used.",
    )
    r_pm = facts.get(MAT, "ev.pm_motor_share")
    pm_share = num(r_pm["value"]) / 100.0
    S_PM = S.fact(
        "S.adamas.pm_motor_share",
        MAT,
        [r_pm],
        "93% of xEVs use PM traction motors (2018), applied to US 2024 EV/hybrid output.",
    )
    ev_kg = pm_share * (gkn_lo + gkn_hi) / 2.0
    D_EV = S.derived(
        "D.ev_magnet_intensity",
        "NdFeB per EV/hybrid",
        f"0.93 x (2+4)/2 kg = {ev_kg:.3f} kg NdFeB per EV/hybrid = {ev_kg / 1000:.6f} t per "
        "unit (S.gkn.ev_magnet_mass; S.adamas.pm_motor_share). Per-motor figures 1-2 kg "
        "(industry explainer) and ~1.4-2 kg (MP Independence) are consistent with one or "
        "two motors per vehicle.",
    )
    ice_kg = A("A.ice_magnet_content")
    A_ICE = S.assumption("A.ice_magnet_content", "NdFeB per ICE vehicle")

    # F-35
    r_f35_crs = facts.get(MAT, "defense.rare_earth_materials.F-35")
    r_f35_smco = facts.get(MAT, "defense.rare_earths.F-35.SmCo_alloy")
    r_f35_ndfeb = facts.get(MAT, "defense.rare_earths.F-35.NdFeB_alloy")
    r_f35_el = facts.get(MAT, "defense.rare_earths.F-35.reestimate.elemental_REE")
    f35_smco_kg = num(r_f35_smco["value"])
    nd_lo, nd_hi = num_range(r_f35_ndfeb["value"])
    f35_ndfeb_kg = (nd_lo + nd_hi) / 2.0
    S_F35_ADAMAS = S.fact(
        "S.adamas.f35_magnets",
        MAT,
        [r_f35_smco, r_f35_ndfeb, r_f35_el],
        f"F-35 magnet content: SmCo alloy ~23 kg and NdFeB 8-20 kg (midpoint "
        f"{f35_ndfeb_kg:g} kg) per aircraft as the USA.defense_f35 recipe.",
    )
    S.fact(
        "S.crs.f35_920lb",
        MAT,
        [r_f35_crs],
        "Not used for the recipe: 920 lb (~417 kg) of 'rare earth materials' per F-35 "
        "(CRS R41744 quoting a 2012 DoD study). See A.f35_choice.",
    )
    A_F35 = S.assumption("A.f35_choice", "F-35 magnet content: Adamas re-estimate chosen over CRS 920 lb")
    r_f35_units = extra("f35.deliveries")
    f35_units = num(r_f35_units["value"])
    S_F35_DEL = S.page("S.aviationweek.f35_deliveries_2024", [r_f35_units])
    A_F35_ALL = S.assumption("A.f35_all_us", "All F-35 deliveries bought by one US final-demand cell")
    f35_price = num(extra("f35.unit_cost", geography="F-35A")["value"]) * 1e6
    r_f35_prices = [extra("f35.unit_cost", geography=g) for g in ("F-35A", "F-35B", "F-35C")]
    S_F35_PRICE = S.page("S.americanmachinist.f35_unit_cost", r_f35_prices)
    r_dod175 = facts.get(MAT, "defense.ndfeb_magnets_used_annually")
    dod_ndfeb = num(r_dod175["value"])
    S_DOD175 = S.fact(
        "S.dod.ndfeb_175t",
        MAT,
        [r_dod175],
        "DoD used ~175 t/yr of NdFeB magnets (c. 2012): US defense NdFeB use = 175 t/yr, "
        "of which the F-35 part is modelled separately (D.defense_other).",
    )
    r_adamas_def = facts.get(DOWN, "dod_magnet_ree_demand")
    S_ADAMAS_DEF = S.fact(
        "S.adamas.defense_tens_to_hundreds",
        DOWN,
        [r_adamas_def],
        "check on the defense magnet tonnage: 'tens-to-hundreds of tonnes of magnet rare earths per annum'.",
    )
    r_procurement = extra("dod.procurement_request")
    procurement = num(r_procurement["value"]) * 1e9
    S_PROC = S.page("S.forecastintl.fy24_procurement", [r_procurement])
    def_other_usd = procurement - f35_units * f35_price
    def_other_ndfeb = dod_ndfeb - f35_units * f35_ndfeb_kg / 1000.0
    def_other_smco = A("A.defense_smco_tonnage")
    A_DEF_SMCO = S.assumption("A.defense_smco_tonnage", "SmCo use by other US defense systems")
    D_DEF = S.derived(
        "D.defense_other",
        "Other US defense systems",
        f"Output = $170bn FY24 procurement - 110 F-35 x $82.5M = ${def_other_usd / 1e9:,.3f}bn/yr. "
        f"NdFeB = 175 t - 110 x {f35_ndfeb_kg:g} kg = {def_other_ndfeb:,.2f} t/yr; SmCo 100 t/yr "
        "(A.defense_smco_tonnage); recipe = tonnes / USD of output (S.dod.ndfeb_175t; "
        "S.forecastintl.fy24_procurement; S.adamas.f35_magnets).",
    )

    # wind
    r_wind24 = facts.get(DOWN, "us_wind_additions.onshore")
    in_note(r_wind24, "offshore 132 MW")
    wind_mw = num(r_wind24["value"]) * 1000.0 + 132.0
    S_WIND24 = S.fact(
        "S.acp.wind_2024",
        DOWN,
        [r_wind24],
        "US wind additions 2024: 3.9 GW onshore + 132 MW offshore (note) = 4,032 MW/yr.",
    )
    r_wind23 = facts.get(DOWN, "us_wind_additions.land_based")
    in_note(r_wind23, "$10.8 billion invested")
    in_note(r_wind23, "average new onshore turbine 3.4 MW")
    turbine_mw = 3.4
    wind_invest_per_mw = 10.8e9 / num(r_wind23["value"])
    S_LBNL = S.fact(
        "S.lbnl.wind_2023",
        DOWN,
        [r_wind23],
        "average new onshore turbine 3.4 MW (turbines = MW / 3.4) and $10.8bn invested for "
        "6,474 MW in 2023 (unit value per turbine = 10.8e9/6,474 x 3.4).",
    )
    r_wind_int = facts.get(MAT, "wind.PM_turbines.magnet_mass_per_MW.assumed_avg")
    pm_t_per_mw = num(r_wind_int["value"])
    S_WIND_INT = S.fact(
        "S.hvw.wind_magnet_per_mw",
        MAT,
        [r_wind_int],
        "0.5 t NdFeB per MW for permanent-magnet turbines (all PM types).",
    )
    r_dd = facts.get(DOWN, "global_direct_drive_share")
    dd_share = num(r_dd["value"]) / 100.0
    S_DD = S.fact(
        "S.btm.direct_drive_share",
        DOWN,
        [r_dd],
        "28.1% of turbines installed worldwide in 2013 were direct drive; used as the PM "
        "share of US turbines (A.wind_pm_share).",
    )
    A_WINDPM = S.assumption("A.wind_pm_share", "PM share of US wind turbines")
    wind_units = wind_mw / turbine_mw
    wind_t_per_turbine = dd_share * pm_t_per_mw * turbine_mw
    D_WIND = S.derived(
        "D.us_wind",
        "US wind turbines",
        f"{wind_mw:,.0f} MW / 3.4 MW = {wind_units:,.2f} turbines/yr; NdFeB = 0.281 x 0.5 t/MW x "
        "3.4 MW "
        f"= {wind_t_per_turbine:.4f} t per turbine (S.acp.wind_2024; S.lbnl.wind_2023; "
        "S.hvw.wind_magnet_per_mw; S.btm.direct_drive_share; A.wind_pm_share).",
    )

    # electronics / industrial
    r_ce = facts.get(DOWN, "global_ndfeb_demand_share.consumer_electronics")
    ce_share = num(r_ce["value"]) / 100.0
    S_CE = S.fact(
        "S.hvw.consumer_electronics_share",
        DOWN,
        [r_ce],
        "consumer electronics ~30% of NdFeB demand: US electronics/industrial = 30% of US "
        "NdFeB use; non-US magnet final demand split 30% electronics_industrial / 70% other.",
    )
    A_CE_US = S.assumption("A.us_electronics_share", "US electronics/industrial share of magnet use")
    r_g17 = extra("naics335.value_added")
    elec_usd = num(r_g17["value"]) * 1e6
    S_G17 = S.page("S.frb.g17_naics335", [r_g17])

    us_nd_needs = {
        "USA.automotive_ev": ev_units * ev_kg / 1000.0,
        "USA.automotive_ice": ice_units * ice_kg / 1000.0,
        "USA.defense_f35": f35_units * f35_ndfeb_kg / 1000.0,
        "USA.defense_other": def_other_ndfeb,
        "USA.wind": wind_units * wind_t_per_turbine,
    }
    us_elec_nd = ce_share / (1.0 - ce_share) * sum(us_nd_needs.values())
    us_nd_needs["USA.electronics_industrial"] = us_elec_nd
    us_nd_total = sum(us_nd_needs.values())
    D_ELEC = S.derived(
        "D.us_electronics",
        "US electronics/industrial magnet use",
        f"30/70 x (automotive + defense + wind NdFeB) = {us_elec_nd:,.1f} t/yr; total US NdFeB use "
        f"by producers = {us_nd_total:,.1f} t/yr; recipe = t per USD of output "
        "(S.hvw.consumer_electronics_share; A.us_electronics_share; S.frb.g17_naics335).",
    )

    # US magnet sourcing
    r_imp = facts.get(DOWN, "us_ndfeb_sintered_imports.value_q1")
    in_note(r_imp, "China-origin $58.4M")
    cn_imp_share = 58.4 / num(r_imp["value"])
    S_IMP = S.fact(
        "S.us_ndfeb_imports_q1_2024",
        DOWN,
        [r_imp],
        "Q1 2024 US sintered NdFeB imports $69.9M, China-origin $58.4M -> China share of US "
        "magnet imports 58.4/69.9 = 83.5% (value share used as tonnage share).",
    )
    r_us_month = facts.get(DOWN, "china_magnet_exports_to_us.monthly")
    S_CNUS = S.fact(
        "S.cn_magnet_exports_to_us_2024",
        DOWN,
        [r_us_month],
        "check: China's direct magnet exports to the US >400 t/month in 2024 (consistent with the "
        "620 t/month average used, S.platts.cn_magnet_exports_to_us_2024); "
        "the model's larger China->US flow includes magnets in imported motors/components.",
    )
    r_us_avg = extra("china_magnet_exports_to_us.monthly_avg_2024")
    S_CNUS_AVG = S.fact(
        "S.platts.cn_magnet_exports_to_us_2024",
        EXTRA,
        [r_us_avg],
        "China's direct magnet exports to the US averaged 620.2 t/month in 2024 (derived from July 2025's "
        "619 t, 0.2% below the 2024 monthly average): the controlled China->US magnet flow "
        "(A.cn_us_direct_magnets).",
    )
    A_EMB = S.assumption("A.embedded_magnets", "Magnets in imported components count as magnet purchases")
    A_US_UNIFORM = S.assumption("A.us_sourcing_uniform", "Same magnet sourcing for every US user")
    dom_share = us_mag_out / us_nd_total
    imp_share = 1.0 - dom_share
    other_out = {"JPN.ndfeb_magnet": jp_mag, "VNM.ndfeb_magnet": vnm_cap, "EU.ndfeb_magnet": eu_mag}
    other_tot = sum(other_out.values())
    us_nd_shares = {"USA.ndfeb_magnet": dom_share, "CHN.ndfeb_magnet": imp_share * cn_imp_share}
    for k, v in other_out.items():
        us_nd_shares[k] = imp_share * (1 - cn_imp_share) * v / other_tot
    D_USMAG = S.derived(
        "D.us_magnet_sourcing",
        "Shares of US NdFeB purchases",
        "Shares for every US NdFeB user: "
        + ", ".join(f"{k} {v:.4f}" for k, v in us_nd_shares.items())
        + f" (domestic {us_mag_out:,.0f} t of {us_nd_total:,.0f} t; rest 83.5% China; "
        "non-China part split by output). Sources: S.us_ndfeb_imports_q1_2024; A.us_magnet_output; "
        "D.magnet_by_region; "
        "A.us_sourcing_uniform; A.embedded_magnets.",
    )
    # controlled form (magnets shipped as magnets) vs uncontrolled form (inside Chinese motors)
    if abs(A("A.cn_us_direct_magnets") - num(r_us_avg["value"])) > 1e-9:
        fail("A.cn_us_direct_magnets must equal the sourced 2024 monthly average (extra_sources.csv)")
    cn_us_direct = 12.0 * A("A.cn_us_direct_magnets")
    A_CNUS_DIRECT = S.assumption("A.cn_us_direct_magnets", "China's direct magnet exports to the US, 2024")
    cn_us_total = us_nd_total * us_nd_shares["CHN.ndfeb_magnet"]
    cn_us_embedded = cn_us_total - cn_us_direct
    if cn_us_embedded < 0:
        fail("China's direct magnet exports to the US exceed US users' China-sourced need")
    emb_share = cn_us_embedded / us_nd_total
    us_direct_shares = {k: v / (1.0 - emb_share) for k, v in us_nd_shares.items()}
    us_direct_shares["CHN.ndfeb_magnet"] = (us_nd_shares["CHN.ndfeb_magnet"] - emb_share) / (1.0 - emb_share)
    D_COMP = S.derived(
        "D.magnet_components",
        "Magnets shipped as magnets vs inside Chinese components",
        f"US users' China-sourced NdFeB {cn_us_total:,.0f} t/yr (D.us_magnet_sourcing) = direct magnet "
        f"exports {cn_us_direct:,.0f} t/yr (12 x {cn_us_direct / 12:,.1f} t/month, "
        "S.platts.cn_magnet_exports_to_us_2024; "
        f"A.cn_us_direct_magnets) + {cn_us_embedded:,.0f} t/yr inside motors and assemblies made in China "
        f"(CHN.magnet_components, product magnet_components, not on the April 2025 list: A.magnet_components). "
        f"Every US NdFeB user's magnet recipe is split {1 - emb_share:.4f} ndfeb_magnet + {emb_share:.4f} "
        "magnet_components (A.us_sourcing_uniform); ndfeb_magnet shares: "
        + ", ".join(f"{k} {v:.4f}" for k, v in us_direct_shares.items())
        + ". CHN.magnet_components buys 1 t CHN.ndfeb_magnet per t magnet content (a domestic flow: "
        "not a customs magnet export, so China's 58,152 t of magnet exports stay as sourced).",
    )

    # SmCo sourcing
    r_smco_imp = facts.get(DOWN, "us_smco_sintered_imports.value_q1")
    in_note(r_smco_imp, "China-origin $0.49M")
    cn_smco_share = 0.49 / num(r_smco_imp["value"])
    S_SMCO_IMP = S.fact(
        "S.us_smco_imports_q1_2024",
        DOWN,
        [r_smco_imp],
        "Q1 2024 US SmCo imports $2.25M, China-origin $0.49M -> China 21.8% of SmCo imports.",
    )
    A_SMCO = S.assumption("A.smco_sourcing", "US SmCo sourcing")
    us_made = A("A.smco_sourcing.us_made")  # share of US SmCo use made in the US
    jp_rest = A("A.smco_sourcing.japan_of_non_china")  # Japan's share of non-China imports (rest: EU)
    us_smco_shares = {
        "USA.smco_magnet": us_made,
        "CHN.smco_magnet": (1 - us_made) * cn_smco_share,
        "JPN.smco_magnet": (1 - us_made) * jp_rest * (1 - cn_smco_share),
        "EU.smco_magnet": (1 - us_made) * (1 - jp_rest) * (1 - cn_smco_share),
    }
    sm_per_smco = A("A.smco_sm_content")
    A_SMCO_SM = S.assumption("A.smco_sm_content", "Sm content of SmCo")
    A_SM_CN = S.assumption("A.sm_china_only", "Samarium oxide and metal only from China")
    A_METAL_CN = S.assumption("A.metal_china", "Metal making in China except Japan's NdPr metal")
    r_mp_start = facts.get(CAP, "mp.independence.start")
    S_MP_START = S.fact(
        "S.mp.independence_start",
        CAP,
        [r_mp_start],
        "no US commercial NdPr metal or magnet output in 2024 (metal from Jan 2025).",
    )
    r_sojitz = facts.get(EMB, "japan_response.jogmec_sojitz_lynas_financing")
    S_SOJITZ = S.fact(
        "S.sojitz.lynas_japan",
        EMB,
        [r_sojitz],
        "note: Sojitz is sole distributor of Lynas products in Japan -> Lynas NdPr oxide "
        "feeds Japanese metal/magnet makers first (A.japan_ndpr_metal).",
    )
    A_JPMETAL = S.assumption("A.japan_ndpr_metal", "Japan's NdPr metal from Lynas and MP oxide")

    # China magnet exports
    r_cnexp = facts.get(DOWN, "china_magnet_exports.total")
    in_note(r_cnexp, "US$2.86 billion")
    cn_exports = num(r_cnexp["value"])
    S_CNEXP = S.fact(
        "S.adamas.cn_magnet_exports_2024",
        DOWN,
        [r_cnexp],
        "China exported 58,152 t of magnets in 2024 worth US$2.86bn: CHN domestic magnet "
        "use = CHN output - exports; unit value of ndfeb_magnet = 2.86e9/58,152 USD/t.",
    )
    r_janjul = facts.get(DOWN, "china_magnet_exports.jan_jul")
    in_note(r_janjul, "Germany, South Korea and US together 42% of exports")
    S_JANJUL = S.fact(
        "S.metalnomist.cn_magnet_exports_jan_jul",
        DOWN,
        [r_janjul],
        "Germany, South Korea and the US took 42% of China's magnet exports (Jan-Jul 2024); "
        "with the US at its 2024 monthly average (A.cn_us_direct_magnets), Germany ~= half of the rest "
        "(A.germany_korea).",
    )
    A_DEKR = S.assumption("A.germany_korea", "China's magnet exports to the EU")
    de_imports = 0.5 * (0.42 * cn_exports - cn_us_direct)
    A_FDSPLIT = S.assumption("A.magnet_fd_split", "Non-US magnet final demand by end use")

    # other-oxide demand
    r_appc = facts.get(DOWN, "us_ree_compounds_metals_apparent_consumption")
    us_ox_cons = num(r_appc["value"])
    S_APPC = S.fact(
        "S.usgs_mcs2025.us_apparent_consumption",
        DOWN,
        [r_appc],
        "US apparent consumption of compounds and metals 6,600 t REO (2024) as "
        "fd.USA.other_oxides.other (catalysts are the leading US end use).",
    )
    r_nir = facts.get(RES, "usgs.us_net_import_reliance.compounds_and_metals", as_of="2024 (estimate)")
    nir = num(r_nir["value"]) / 100.0
    src_rows = {
        g: facts.get(RES, "usgs.us_import_sources.compounds_and_metals", geography=g)
        for g in ("China (incl. Hong Kong)", "Malaysia", "Japan", "Estonia", "Other")
    }
    S_NIR = S.fact(
        "S.usgs_mcs2025.import_reliance_sources",
        RES,
        [r_nir] + list(src_rows.values()),
        "80% net import reliance (2024) and import sources 2020-23 (China 70, Malaysia 13, "
        "Japan 6, Estonia 5, other 6%) -> supply shares of fd.USA.other_oxides.other: USA 20%, "
        "CHN 56%, MYS 10.4%, EU (Estonia) 4%, ROW (Japan + other) 9.6%.",
    )
    imp = {k: num(r["value"]) / 100.0 for k, r in src_rows.items()}
    us_ox_shares = {
        "USA.sep_other": 1 - nir,
        "CHN.sep_other": nir * imp["China (incl. Hong Kong)"],
        "MYS.sep_other": nir * imp["Malaysia"],
        "EU.sep_other": nir * imp["Estonia"],
        "ROW.sep_other": nir * (imp["Japan"] + imp["Other"]),
    }
    r_cnre = facts.get(CAP, "china_ree_imports_from_myanmar.change")
    in_note(r_cnre, "China RE exports 2024: 55,431 t")
    cn_re_exports = 55431.0
    S_CNRE = S.fact(
        "S.reuters.cn_re_exports_2024",
        CAP,
        [r_cnre],
        "note: China exported 55,431 t of rare-earth products in 2024 -> CHN.sep_other sales "
        "abroad = 55,431 t (gross tonnes read as REO); of these the US share follows "
        "S.usgs_mcs2025.import_reliance_sources, the rest goes to fd.ROW.other_oxides.other.",
    )
    A_OXFD = S.assumption("A.other_oxide_demand", "Final demand for other oxides")
    A_REO = S.assumption("A.reo_to_oxide", "1 t REO concentrate per t separated oxide")
    A_HEAVY_MAG = S.assumption("A.heavy_all_to_magnets", "Dy and Tb oxide go to magnets")
    A_COMP = S.assumption("A.magnet_components", "Magnets inside Chinese motors and assemblies")
    A_USERS = S.assumption("A.magnet_users_non_us", "Magnet users in the EU, Japan and ROW as producers")

    # ---------------- products ----------------------------------------------------------
    r_ann18 = facts.get(POL, "cn_export_control.2025-04-04.announcement18")
    S_ANN18 = S.fact(
        "S.mofcom.announcement18",
        POL,
        [r_ann18],
        "marks the products covered by China's 4 April 2025 licensing (Sm, Dy, Tb oxides, "
        "metals, alloys, SmCo and Dy/Tb-containing NdFeB magnets); Nd and Pr not covered.",
    )
    prod_defs = [
        (
            "reo_concentrate",
            "Rare-earth concentrate (t REO equivalent)",
            "t",
            "mining",
            cite(A_PROD, S_MINE),
        ),
        ("ndpr_oxide", "NdPr (didymium) oxide", "t", "separation", A_PROD),
        ("dy_oxide", "Dysprosium oxide", "t", "separation", cite(A_PROD, S_ANN18)),
        ("tb_oxide", "Terbium oxide", "t", "separation", cite(A_PROD, S_ANN18)),
        ("sm_oxide", "Samarium oxide", "t", "separation", cite(A_PROD, S_ANN18)),
        (
            "other_oxides",
            "Other separated rare-earth oxides (La, Ce, Y, Gd, ...; t REO)",
            "t",
            "separation",
            A_PROD,
        ),
        ("ndpr_metal", "NdPr metal", "t", "metal", A_PROD),
        (
            "dy_tb_metal",
            "Dysprosium and terbium metal / alloy",
            "t",
            "metal",
            cite(A_PROD, S_ANN18),
        ),
        ("sm_metal", "Samarium metal", "t", "metal", cite(A_PROD, S_ANN18)),
        ("ndfeb_magnet", "Sintered NdFeB permanent magnets", "t", "magnet", cite(A_PROD, S_ANN18)),
        ("smco_magnet", "Samarium-cobalt permanent magnets", "t", "magnet", cite(A_PROD, S_ANN18)),
        (
            "magnet_components",
            "Motors, drive units and assemblies made in China with NdFeB magnets (t magnet content)",
            "t",
            "component",
            cite(A_PROD, A_COMP, S_ANN18),
        ),
        (
            "magnet_goods",
            "Goods made with NdFeB magnets in the EU, Japan and ROW (t magnet content)",
            "t",
            "end_product",
            cite(A_PROD, A_USERS),
        ),
        (
            "ev_hybrid_vehicle",
            "Battery-electric, plug-in and hybrid vehicles made in the US",
            "units",
            "end_product",
            A_PROD,
        ),
        (
            "ice_vehicle",
            "Conventional (ICE) motor vehicles made in the US",
            "units",
            "end_product",
            A_PROD,
        ),
        ("f35_aircraft", "F-35 Lightning II aircraft", "units", "end_product", A_PROD),
        (
            "defense_systems_other",
            "Other US defense systems (procurement value, USD)",
            "USD",
            "end_product",
            A_PROD,
        ),
        (
            "wind_turbine",
            "Wind turbines installed in the US (3.4 MW average)",
            "units",
            "end_product",
            A_PROD,
        ),
        (
            "electronics_industrial_goods",
            "US electronics and industrial equipment (value added, USD)",
            "USD",
            "end_product",
            A_PROD,
        ),
    ]
    for pid, name, unit, stage, src in prod_defs:
        M.products.append(dict(product=pid, name=name, unit=unit, stage=stage, source=src))
    for rid, name in region_names:
        src = A_REG if rid in ("EU", "JPN") else cite(A_REG, S_MINE)
        M.regions.append(dict(region=rid, name=name, source=src))

    # ---------------- producers, recipes and flows ------------------------------------------
    # US end users and their final demand
    us_users = [
        (
            "USA.automotive_ev",
            "ev_hybrid_vehicle",
            "automotive",
            ev_units,
            cite(D_VEH, S_OICA, S_ELEC, A_PRODSHARE, A_PERDAY, A_CAP),
            {"ndfeb_magnet": (ev_kg / 1000.0, cite(D_EV, S_GKN, S_PM))},
        ),
        (
            "USA.automotive_ice",
            "ice_vehicle",
            "automotive",
            ice_units,
            cite(D_VEH, S_OICA, S_ELEC, A_PRODSHARE, A_PERDAY, A_CAP),
            {"ndfeb_magnet": (ice_kg / 1000.0, A_ICE)},
        ),
        (
            "USA.defense_f35",
            "f35_aircraft",
            "defense",
            f35_units,
            cite(S_F35_DEL, A_F35_ALL, A_PERDAY, A_CAP),
            {
                "ndfeb_magnet": (f35_ndfeb_kg / 1000.0, cite(S_F35_ADAMAS, A_F35)),
                "smco_magnet": (f35_smco_kg / 1000.0, cite(S_F35_ADAMAS, A_F35)),
            },
        ),
        (
            "USA.defense_other",
            "defense_systems_other",
            "defense",
            def_other_usd,
            cite(D_DEF, S_PROC, S_F35_PRICE, A_PERDAY, A_CAP),
            {
                "ndfeb_magnet": (
                    def_other_ndfeb / def_other_usd,
                    cite(D_DEF, S_DOD175, S_ADAMAS_DEF),
                ),
                "smco_magnet": (
                    def_other_smco / def_other_usd,
                    cite(D_DEF, A_DEF_SMCO, S_ADAMAS_DEF),
                ),
            },
        ),
        (
            "USA.wind",
            "wind_turbine",
            "wind",
            wind_units,
            cite(D_WIND, S_WIND24, S_LBNL, A_PERDAY, A_CAP),
            {"ndfeb_magnet": (wind_t_per_turbine, cite(D_WIND, S_WIND_INT, S_DD, A_WINDPM))},
        ),
        (
            "USA.electronics_industrial",
            "electronics_industrial_goods",
            "electronics_industrial",
            elec_usd,
            cite(S_G17, A_PERDAY, A_CAP),
            {"ndfeb_magnet": (us_elec_nd / elec_usd, cite(D_ELEC, S_CE, A_CE_US))},
        ),
    ]
    fd_src_us = {
        "USA.automotive_ev": cite(D_VEH, A_PERDAY),
        "USA.automotive_ice": cite(D_VEH, A_PERDAY),
        "USA.defense_f35": cite(S_F35_DEL, A_F35_ALL, A_PERDAY),
        "USA.defense_other": cite(D_DEF, A_PERDAY),
        "USA.wind": cite(D_WIND, A_PERDAY),
        "USA.electronics_industrial": cite(S_G17, A_PERDAY),
    }
    for pid, product, end_use, output, src, rec in us_users:
        M.add_producer(pid, "USA", product, src, end_use=end_use)
        M.fix_output(pid, output)
        did = M.add_fd("USA", product, end_use, output, fd_src_us[pid])
        M.supply(did, product, {pid: 1.0}, cite(fd_src_us[pid]))
        for inp, (coef, rsrc) in rec.items():
            if inp == "ndfeb_magnet":
                M.add_recipe(pid, inp, coef * (1.0 - emb_share), cite(rsrc, D_COMP))
                M.add_recipe(pid, "magnet_components", coef * emb_share, cite(rsrc, D_COMP, A_COMP, A_EMB))
            else:
                M.add_recipe(pid, inp, coef, rsrc)
    check_close(
        us_nd_total,
        sum(M.need(p, "ndfeb_magnet") + M.need(p, "magnet_components") for p in us_nd_needs),
        "US NdFeB total",
    )

    # magnet makers
    nd_makers = {
        "CHN.ndfeb_magnet": (
            cn_mag,
            None,
            cite(D_MAG_REG, D_WORLD_MAG, S_IEA_MAG, S_IEA94, A_PERDAY, A_CAP),
        ),
        "JPN.ndfeb_magnet": (jp_mag, None, cite(D_MAG_REG, D_WORLD_MAG, S_2010, A_PERDAY, A_CAP)),
        "VNM.ndfeb_magnet": (vnm_cap, vnm_cap, cite(D_MAG_REG, S_SHIN, A_VNM, A_PERDAY)),
        "EU.ndfeb_magnet": (eu_mag, None, cite(D_MAG_REG, D_WORLD_MAG, S_2010, A_PERDAY, A_CAP)),
        "USA.ndfeb_magnet": (us_mag_out, us_mag_cap, cite(A_USMAG, S_NOVEON, S_MP_START, A_PERDAY)),
    }
    for pid, (out, cap, src) in nd_makers.items():
        reg = pid.split(".")[0]
        M.add_producer(
            pid,
            reg,
            "ndfeb_magnet",
            src,
            capacity_year=cap,
            cap_source=S_SHIN if reg == "VNM" else (S_NOVEON if reg == "USA" else ""),
        )
        M.fix_output(pid, out)
    smco_makers = ["USA.smco_magnet", "CHN.smco_magnet", "JPN.smco_magnet", "EU.smco_magnet"]
    for pid in smco_makers:
        M.add_producer(
            pid,
            pid.split(".")[0],
            "smco_magnet",
            cite(A_SMCO, S_SMCO_IMP, D_DEF, S_F35_ADAMAS, A_PERDAY, A_CAP),
        )

    comp_src = cite(D_COMP, A_COMP, A_EMB, A_CNUS_DIRECT, S_CNUS_AVG, A_PERDAY, A_CAP)
    M.add_producer("CHN.magnet_components", "CHN", "magnet_components", comp_src)
    for user in us_nd_needs:
        M.supply(user, "ndfeb_magnet", us_direct_shares, cite(D_USMAG, D_COMP, S_IMP, S_CNUS_AVG, S_CNUS, A_US_UNIFORM))
        M.supply(user, "magnet_components", {"CHN.magnet_components": 1.0}, cite(D_COMP, A_COMP, A_EMB))
    M.add_recipe("CHN.magnet_components", "ndfeb_magnet", 1.0, cite(D_COMP, A_COMP))
    for user in ("USA.defense_f35", "USA.defense_other"):
        M.supply(user, "smco_magnet", us_smco_shares, cite(A_SMCO, S_SMCO_IMP))

    # non-US magnet final demand (30% electronics_industrial / 70% other)
    sold_us = {pid: M.sales_year(pid) for pid in nd_makers}
    cn_to_us = sold_us["CHN.ndfeb_magnet"]
    check_close(cn_to_us, cn_us_direct, "China's direct magnet exports to the US")
    M.supply("CHN.magnet_components", "ndfeb_magnet", {"CHN.ndfeb_magnet": 1.0}, cite(D_COMP, A_COMP))
    cn_to_row = cn_exports - cn_to_us - de_imports
    cn_domestic = cn_mag - cn_exports - cn_us_embedded
    if cn_to_row < 0 or cn_domestic < 0:
        fail("China magnet export allocation negative")
    if sold_us["USA.ndfeb_magnet"] != us_mag_out and not math.isclose(sold_us["USA.ndfeb_magnet"], us_mag_out):
        fail("US magnet maker must sell all output to US users")
    fd_mag = {  # region -> {supplier: tonnes}
        "CHN": {"CHN.ndfeb_magnet": cn_domestic},
        "JPN": {"JPN.ndfeb_magnet": jp_mag - sold_us["JPN.ndfeb_magnet"]},
        "EU": {
            "EU.ndfeb_magnet": eu_mag - sold_us["EU.ndfeb_magnet"],
            "CHN.ndfeb_magnet": de_imports,
        },
        "ROW": {
            "CHN.ndfeb_magnet": cn_to_row,
            "VNM.ndfeb_magnet": vnm_cap - sold_us["VNM.ndfeb_magnet"],
        },
    }
    D_CNALLOC = S.derived(
        "D.cn_magnet_allocation",
        "Where China's magnets go",
        f"CHN output {cn_mag:,.0f} t: domestic {cn_domestic:,.0f} t (= output - 58,152 t exports); "
        f"- {cn_us_embedded:,.0f} t in components for US users (D.magnet_components); "
        f"US users {cn_to_us:,.0f} t (direct exports, D.magnet_components); EU "
        f"{de_imports:,.0f} t (A.germany_korea); ROW {cn_to_row:,.0f} t (rest of exports). "
        "Non-China "
        "makers: after US sales, JPN output -> JPN.magnet_users, EU -> EU.magnet_users, VNM -> "
        "ROW.magnet_users (Shin-Etsu exports); China's domestic use stays final demand. "
        "Sources: S.adamas.cn_magnet_exports_2024; S.metalnomist.cn_magnet_exports_jan_jul; "
        "S.cn_magnet_exports_to_us_2024; D.magnet_by_region.",
    )
    magnet_users = [f"{reg}.magnet_users" for reg in fd_mag if reg != "CHN"]
    for reg, sup in fd_mag.items():
        total = sum(sup.values())
        mix = {k: v / total for k, v in sup.items()}
        mix_src = cite(D_CNALLOC, A_DEKR if reg in ("EU", "ROW") else D_MAG_REG)
        user = f"{reg}.magnet_users"
        product = "ndfeb_magnet" if reg == "CHN" else "magnet_goods"
        if reg != "CHN":
            src = cite(D_CNALLOC, A_USERS, S_CNEXP, A_PERDAY, A_CAP)
            M.add_producer(user, reg, "magnet_goods", src)
            M.fix_output(user, total)
            M.add_recipe(user, "ndfeb_magnet", 1.0, cite(A_USERS, A_PROD))
            M.supply(user, "ndfeb_magnet", mix, mix_src)
        for end_use, frac in (("electronics_industrial", ce_share), ("other", 1.0 - ce_share)):
            src = cite(D_CNALLOC, A_FDSPLIT, S_CE, S_CNEXP, A_PERDAY)
            if reg in ("EU", "ROW"):
                src = cite(src, S_JANJUL, A_DEKR)
            did = M.add_fd(reg, product, end_use, frac * total, src)
            M.supply(did, product, mix if reg == "CHN" else {user: 1.0}, mix_src if reg == "CHN" else A_USERS)

    # metal makers
    M.add_producer("CHN.ndpr_metal", "CHN", "ndpr_metal", cite(A_METAL_CN, D_MAG_COMP, A_PERDAY, A_CAP))
    M.add_producer(
        "JPN.ndpr_metal",
        "JPN",
        "ndpr_metal",
        cite(A_JPMETAL, S_SOJITZ, D_MAG_COMP, A_PERDAY, A_CAP),
    )
    M.add_producer(
        "CHN.dy_tb_metal",
        "CHN",
        "dy_tb_metal",
        cite(A_METAL_CN, S_HEAVY, D_MAG_COMP, A_PERDAY, A_CAP),
    )
    M.add_producer("CHN.sm_metal", "CHN", "sm_metal", cite(A_SM_CN, A_SMCO_SM, A_PERDAY, A_CAP))
    for pid in nd_makers:
        M.add_recipe(pid, "ndpr_metal", ndpr_per_magnet, cite(D_MAG_COMP, S_HVW_CONTENT))
        M.add_recipe(pid, "dy_tb_metal", heavy_share, cite(D_MAG_COMP, S_HVW_CONTENT, A_HEAVY_ALL))
        nd_sup = "JPN.ndpr_metal" if pid in ("JPN.ndfeb_magnet", "VNM.ndfeb_magnet") else "CHN.ndpr_metal"
        M.supply(
            pid,
            "ndpr_metal",
            {nd_sup: 1.0},
            cite(A_JPMETAL if nd_sup.startswith("JPN") else A_METAL_CN, A_METAL_CN),
        )
        M.supply(pid, "dy_tb_metal", {"CHN.dy_tb_metal": 1.0}, cite(A_METAL_CN, S_HEAVY))
    for pid in smco_makers:
        M.add_recipe(pid, "sm_metal", sm_per_smco, A_SMCO_SM)
        M.supply(pid, "sm_metal", {"CHN.sm_metal": 1.0}, A_SM_CN)

    # oxide needs of metal makers
    M.add_recipe("CHN.ndpr_metal", "ndpr_oxide", 1.0 / f_ndpr, cite(D_STOICH, A_AW, A_NDPR))
    M.add_recipe("JPN.ndpr_metal", "ndpr_oxide", 1.0 / f_ndpr, cite(D_STOICH, A_AW, A_NDPR))
    M.add_recipe("CHN.dy_tb_metal", "dy_oxide", w_dy / f_dy, cite(D_STOICH, A_AW, A_DYTB))
    M.add_recipe("CHN.dy_tb_metal", "tb_oxide", w_tb / f_tb, cite(D_STOICH, A_AW, A_DYTB))
    M.add_recipe("CHN.sm_metal", "sm_oxide", 1.0 / f_sm, cite(D_STOICH, A_AW))

    # separators
    seps = {
        "CHN": ["ndpr", "dy", "tb", "sm", "other"],
        "MYS": ["ndpr", "other"],
        "USA": ["ndpr", "other"],
        "EU": ["other"],
        "ROW": ["other"],
    }
    sep_product = {
        "ndpr": "ndpr_oxide",
        "dy": "dy_oxide",
        "tb": "tb_oxide",
        "sm": "sm_oxide",
        "other": "other_oxides",
    }
    sep_src = {
        "CHN": cite(D_ROUTE, S_IEA_SEP, S_IEA_REF),
        "MYS": cite(S_LYNAS_REO, D_ROUTE),
        "USA": cite(S_US_COMP, D_ROUTE),
        "EU": cite(S_SOLVAY, D_ROUTE),
        "ROW": cite(A_ROWSEP, D_ROUTE),
    }
    for reg, kinds in seps.items():
        for k in kinds:
            pid = f"{reg}.sep_{k}"
            extra = {
                ("MYS", "ndpr"): cite(S_LYNAS_NDPR, S_LYNAS_CAP),
                ("USA", "ndpr"): S_MP_NDPR,
                ("CHN", "dy"): S_HEAVY,
                ("CHN", "tb"): S_HEAVY,
                ("CHN", "sm"): A_SM_CN,
            }.get((reg, k), "")
            residual = A_OXFD if k == "other" else ""
            cap = num(r_lynas_cap["value"]) if (reg, k) == ("MYS", "ndpr") else None
            M.add_producer(
                pid,
                reg,
                sep_product[k],
                cite(sep_src[reg], extra, residual, A_PERDAY, S_LYNAS_CAP if cap else A_CAP),
                capacity_year=cap,
                cap_source=S_LYNAS_CAP if cap else "",
            )
    M.fix_output("MYS.sep_ndpr", mys_ndpr)
    M.fix_output("USA.sep_ndpr", us_ndpr)

    # NdPr oxide flows
    jp_oxide_need = M.need("JPN.ndpr_metal", "ndpr_oxide")
    mys_to_jp = jp_oxide_need - us_ndpr
    mys_to_cn = mys_ndpr - mys_to_jp
    if mys_to_jp < 0 or mys_to_cn < 0:
        fail("NdPr oxide routing negative")
    M.supply_amounts(
        "JPN.ndpr_metal",
        "ndpr_oxide",
        {"USA.sep_ndpr": us_ndpr, "MYS.sep_ndpr": mys_to_jp},
        cite(A_JPMETAL, S_SOJITZ),
    )
    cn_oxide_need = M.need("CHN.ndpr_metal", "ndpr_oxide")
    cn_sep_ndpr = cn_oxide_need - mys_to_cn
    D_NDPR = S.derived(
        "D.ndpr_oxide_routing",
        "NdPr oxide routing",
        f"JPN.ndpr_metal needs {jp_oxide_need:,.1f} t oxide: all of MP's {us_ndpr:,.0f} t + "
        f"{mys_to_jp:,.1f} t from Lynas; Lynas's other {mys_to_cn:,.1f} t go to CHN.ndpr_metal, "
        "whose "
        f"remaining need {cn_sep_ndpr:,.1f} t is CHN.sep_ndpr output (balancing residual). "
        "Sources: "
        "S.lynas.ndpr_fy2024; S.mp.ndpr_2024; A.japan_ndpr_metal; D.stoichiometry.",
    )
    M.supply_amounts(
        "CHN.ndpr_metal",
        "ndpr_oxide",
        {"MYS.sep_ndpr": mys_to_cn, "CHN.sep_ndpr": cn_sep_ndpr},
        cite(D_NDPR, A_JPMETAL),
    )
    M.producers["CHN.sep_ndpr"]["source"] = cite(M.producers["CHN.sep_ndpr"]["source"], D_NDPR)
    M.supply("CHN.dy_tb_metal", "dy_oxide", {"CHN.sep_dy": 1.0}, cite(S_HEAVY, A_HEAVY_MAG))
    M.supply("CHN.dy_tb_metal", "tb_oxide", {"CHN.sep_tb": 1.0}, cite(S_HEAVY, A_HEAVY_MAG))
    M.supply("CHN.sm_metal", "sm_oxide", {"CHN.sep_sm": 1.0}, A_SM_CN)

    # other oxides: output = feed - other separators of the region
    other_out = {}
    for reg, kinds in seps.items():
        non_other = sum(M.output_year(f"{reg}.sep_{k}") for k in kinds if k != "other")
        other_out[reg] = sep_total[reg] - non_other
        if other_out[reg] < 0:
            fail(f"negative other-oxide output in {reg}")
    D_OX = S.derived(
        "D.other_oxides",
        "Other-oxide output and demand",
        "other_oxides output = separation feed - NdPr/Dy/Tb/Sm output of the region: "
        + ", ".join(f"{r} {v:,.0f} t" for r, v in other_out.items())
        + f". fd.USA.other_oxides.other = {us_ox_cons:,.0f} t/yr supplied USA 20%, CHN 56%, "
        "MYS 10.4%, EU 4%, ROW 9.6%; China's exports (55,431 t) less its US sales go to fd.ROW; "
        "what US, MYS and "
        "ROW separators do not sell to the US goes to fd.ROW; EU separation stays in the EU; "
        "China's "
        "residual is fd.CHN.other_oxides.other. Sources: D.concentrate_routing; "
        "S.usgs_mcs2025.us_apparent_consumption; S.usgs_mcs2025.import_reliance_sources; "
        "S.reuters.cn_re_exports_2024; A.other_oxide_demand.",
    )
    us_ox = {k: v * us_ox_cons for k, v in us_ox_shares.items()}
    cn_ox_row = cn_re_exports - us_ox["CHN.sep_other"]
    fd_ox = {
        "USA": us_ox,
        "EU": {"EU.sep_other": other_out["EU"] - us_ox["EU.sep_other"]},
        "ROW": {
            "CHN.sep_other": cn_ox_row,
            "USA.sep_other": other_out["USA"] - us_ox["USA.sep_other"],
            "MYS.sep_other": other_out["MYS"] - us_ox["MYS.sep_other"],
            "ROW.sep_other": other_out["ROW"] - us_ox["ROW.sep_other"],
        },
        "CHN": {"CHN.sep_other": other_out["CHN"] - us_ox["CHN.sep_other"] - cn_ox_row},
    }
    for reg, sup in fd_ox.items():
        if any(v < 0 for v in sup.values()):
            fail(f"negative other-oxide flow for {reg}: {sup}")
        total = sum(sup.values())
        src = cite(D_OX, A_OXFD, A_PERDAY)
        if reg == "USA":
            src = cite(S_APPC, S_NIR, src)
        if reg in ("ROW", "CHN"):
            src = cite(src, S_CNRE)
        did = M.add_fd(reg, "other_oxides", "other", total, src)
        M.supply(
            did,
            "other_oxides",
            {k: v / total for k, v in sup.items()},
            cite(D_OX, S_NIR if reg == "USA" else A_OXFD),
        )
    for reg in seps:
        M.fix_output(f"{reg}.sep_other", other_out[reg])

    # concentrate: every separator uses 1 t REO per t oxide, suppliers = region feed mix
    for reg, kinds in seps.items():
        mix = {f"{src}.mine": t / sep_total[reg] for src, t in feed[reg].items() if t > 0}
        for k in kinds:
            pid = f"{reg}.sep_{k}"
            M.add_recipe(pid, "reo_concentrate", 1.0, A_REO)
            M.supply(pid, "reo_concentrate", mix, cite(D_ROUTE, A_REO))
    for reg in mine:
        pid = f"{reg}.mine"
        src = cite(S_MINE, D_ROWMINE if reg == "ROW" else "", A_PERDAY, A_CAP)
        M.add_producer(pid, reg, "reo_concentrate", src)
        M.fix_output(pid, mine[reg])

    # keep producer order readable: upstream first
    order = (
        [f"{r}.mine" for r in mine]
        + [f"{r}.sep_{k}" for r, ks in seps.items() for k in ks]
        + ["CHN.ndpr_metal", "JPN.ndpr_metal", "CHN.dy_tb_metal", "CHN.sm_metal"]
        + list(nd_makers)
        + smco_makers
        + ["CHN.magnet_components"]
        + [u[0] for u in us_users]
        + magnet_users
    )
    if sorted(order) != sorted(M.producers):
        fail("producer order list incomplete")
    M.producers = {k: M.producers[k] for k in order}

    # ---------------- inventories ------------------------------------------------------------
    r_nds = facts.get(DOWN, "nds.ndfeb_magnet_cache_goal")
    S_NDS = S.fact(
        "S.nds.ndfeb_cache_goal",
        DOWN,
        [r_nds],
        "Pentagon sought a rotating six-month NdFeB cache (Javelin, F-35): defense NdFeB "
        "inventory target 180 days (A.inv_defense).",
    )
    r_jp60 = facts.get(EMB, "japan_response.stockpile_target_days")
    S_JP60 = S.fact(
        "S.japan.stockpile_60_days",
        EMB,
        [r_jp60],
        "Japan's 60-day rare-metal stockpile target (incl. 18 days private stocks) as a "
        "proxy for non-China magnet makers' metal stocks and the dataset default.",
    )
    r_jpmag = facts.get(DOWN, "inventory.japan_magnet_makers")
    S_JPMAG = S.fact(
        "S.jmb.japan_magnet_maker_stocks",
        DOWN,
        [r_jpmag],
        "qualitative: Japanese magnet makers keep RE stocks above consumption (security).",
    )
    r_auto_nf = facts.get(DOWN, "inventory.automaker_magnets_weeks")
    if r_auto_nf["value"].startswith("not found") is False:
        fail("expected automaker inventory to be 'not found'")
    A_INV_AUTO = S.assumption("A.inv_automotive", "US automakers hold 45 days of magnets")
    A_INV_OTHERUSE = S.assumption("A.inv_wind_electronics", "US wind and electronics/industrial users hold 60 days")
    A_INV_DEF = S.assumption("A.inv_defense", "US defense users hold 180 days of NdFeB, 90 days of SmCo")
    A_INV_MAG = S.assumption("A.inv_magnet_makers", "Magnet makers' metal stocks")
    A_INV_UP = S.assumption("A.inv_upstream", "Upstream process stocks")
    S.assumption("A.inv_default", "Default inventory target 60 days")

    inv = M.inventory

    for pid in ("USA.automotive_ev", "USA.automotive_ice"):
        inv(pid, "ndfeb_magnet", A("A.inv_automotive"), A_INV_AUTO)
        inv(pid, "magnet_components", A("A.inv_automotive"), cite(A_INV_AUTO, A_COMP))
    for pid in ("USA.defense_f35", "USA.defense_other"):
        inv(pid, "ndfeb_magnet", A("A.inv_defense.ndfeb"), cite(A_INV_DEF, S_NDS))
        inv(pid, "magnet_components", A("A.inv_defense.ndfeb"), cite(A_INV_DEF, S_NDS, A_COMP))
        inv(pid, "smco_magnet", A("A.inv_defense.smco"), A_INV_DEF)
    for pid in ("USA.wind", "USA.electronics_industrial"):
        inv(pid, "ndfeb_magnet", A("A.inv_wind_electronics"), A_INV_OTHERUSE)
        inv(pid, "magnet_components", A("A.inv_wind_electronics"), cite(A_INV_OTHERUSE, A_COMP))
    A_INV_USERS = S.assumption("A.inv_magnet_users_non_us", "EU, Japanese and ROW magnet users' stocks")
    for pid in magnet_users:
        inv(pid, "ndfeb_magnet", A("A.inv_magnet_users_non_us"), cite(A_INV_USERS, A_USERS))
    inv("CHN.magnet_components", "ndfeb_magnet", A("A.inv_magnet_makers.china"), cite(A_INV_MAG, A_COMP))
    mag_cn, mag_other = A("A.inv_magnet_makers.china"), A("A.inv_magnet_makers.non_china")
    for pid in nd_makers:
        cn = pid.startswith("CHN")
        src = A_INV_MAG if cn else cite(A_INV_MAG, S_JP60, S_JPMAG)
        inv(pid, "ndpr_metal", mag_cn if cn else mag_other, src)
        inv(pid, "dy_tb_metal", mag_cn if cn else mag_other, src)
    for pid in smco_makers:
        cn = pid.startswith("CHN")
        inv(pid, "sm_metal", mag_cn if cn else mag_other, A_INV_MAG if cn else cite(A_INV_MAG, S_JP60))
    up = A("A.inv_upstream.process")
    inv("CHN.ndpr_metal", "ndpr_oxide", up, A_INV_UP)
    inv("JPN.ndpr_metal", "ndpr_oxide", A("A.inv_upstream.japan_metal"), cite(A_INV_UP, S_JP60))
    inv("CHN.dy_tb_metal", "dy_oxide", up, A_INV_UP)
    inv("CHN.dy_tb_metal", "tb_oxide", up, A_INV_UP)
    inv("CHN.sm_metal", "sm_oxide", up, A_INV_UP)
    for reg, kinds in seps.items():
        for k in kinds:
            inv(f"{reg}.sep_{k}", "reo_concentrate", up, A_INV_UP)

    # ---------------- unit values ---------------------------------------------------------
    r_usconc = facts.get(RES, "usgs.us_production.mineral_concentrates")
    in_note(r_usconc, "Valued at $260 million")
    S_CONCV = S.fact(
        "S.usgs_mcs2025.us_concentrate_value",
        RES,
        [r_usconc],
        "45,000 t REO of US concentrate valued at $260 million -> 5,778 USD/t REO (unit value of reo_concentrate).",
    )
    conc_v = 260e6 / num(r_usconc["value"])
    A_UV_LIGHT = S.assumption("A.uv_light_oxides", "Unit value of other oxides and Sm oxide")
    A_UV_METAL = S.assumption("A.uv_metal_content", "Metals valued at their oxide content")
    A_UV_SMCO = S.assumption("A.uv_smco", "SmCo valued like NdFeB")
    A_UV_CONTENT = S.assumption("A.uv_magnet_content", "Components and goods valued at their magnet content")
    r_atp = facts.get(DOWN, "us_avg_transaction_price.new_vehicle", as_of="2024-11")
    r_atp_ev = facts.get(DOWN, "us_avg_transaction_price.new_ev")
    S_ATP = S.fact(
        "S.kbb.atp_nov2024",
        DOWN,
        [r_atp],
        "KBB average transaction price Nov 2024 $48,724 as the unit value of ice_vehicle.",
    )
    S_ATP_EV = S.fact(
        "S.kbb.atp_ev_jan2024",
        DOWN,
        [r_atp_ev],
        "KBB average new-EV price Jan 2024 $55,353 as the unit value of ev_hybrid_vehicle "
        "(hybrids are cheaper; the source also cites $53,611).",
    )
    D_UV = S.derived(
        "D.unit_values",
        "Derived unit values",
        f"ndpr_metal = 56,000/{f_ndpr:.4f}; dy_tb_metal = {w_dy:.3f}/{f_dy:.4f} x 260,000 + "
        f"{w_tb:.3f}/{f_tb:.4f} x 810,000; sm_metal = 5,778/{f_sm:.4f}; ndfeb_magnet = 2.86e9 / "
        "58,152 "
        "t; wind_turbine = 10.8e9 / 6,474 MW x 3.4 MW (installed-project investment per turbine). "
        "Sources: S.usgs_mcs2025.prices_2024; S.usgs_mcs2025.us_concentrate_value; "
        "S.adamas.cn_magnet_exports_2024; S.lbnl.wind_2023; D.stoichiometry.",
    )
    A_USD = S.assumption("A.usd_output", "USD-measured outputs")
    ndfeb_v = 2.86e9 / cn_exports
    uv = [
        ("reo_concentrate", conc_v, S_CONCV),
        ("ndpr_oxide", p_nd, S_PRICES),
        ("dy_oxide", p_dy, S_PRICES),
        ("tb_oxide", p_tb, S_PRICES),
        ("sm_oxide", conc_v, cite(A_UV_LIGHT, S_CONCV)),
        ("other_oxides", conc_v, cite(A_UV_LIGHT, S_CONCV)),
        ("ndpr_metal", p_nd / f_ndpr, cite(D_UV, A_UV_METAL, S_PRICES)),
        (
            "dy_tb_metal",
            w_dy / f_dy * p_dy + w_tb / f_tb * p_tb,
            cite(D_UV, A_UV_METAL, A_DYTB, S_PRICES),
        ),
        ("sm_metal", conc_v / f_sm, cite(D_UV, A_UV_METAL, A_UV_LIGHT)),
        ("ndfeb_magnet", ndfeb_v, cite(D_UV, S_CNEXP)),
        ("smco_magnet", ndfeb_v, cite(A_UV_SMCO, S_CNEXP)),
        ("magnet_components", ndfeb_v, cite(A_UV_CONTENT, D_UV, S_CNEXP)),
        ("magnet_goods", ndfeb_v, cite(A_UV_CONTENT, D_UV, S_CNEXP)),
        ("ev_hybrid_vehicle", num(r_atp_ev["value"]), S_ATP_EV),
        ("ice_vehicle", num(r_atp["value"]), S_ATP),
        ("f35_aircraft", f35_price, S_F35_PRICE),
        ("defense_systems_other", 1.0, A_USD),
        ("wind_turbine", wind_invest_per_mw * turbine_mw, cite(D_UV, S_LBNL)),
        ("electronics_industrial_goods", 1.0, A_USD),
    ]
    for product, value, src in uv:
        M.unit_value(product, value, src)

    # sources that document disagreements (kept for the reader; cited from dataset.yaml)
    r_noveon_t = facts.get(CAP, "noveon.target_capacity")
    S.fact(
        "S.noveon.world_magnets_170kt",
        CAP,
        [r_noveon_t],
        "not used for numbers: note says global magnet production ~170,000 t/yr (2023, company); "
        "disagrees with the IEA-derived 310,000 t (D.world_magnets).",
    )
    r_ndpr_adamas = facts.get(RES, "price.global_volume_weighted.dysprosium_oxide")
    S.fact(
        "S.adamas.dy_volume_weighted_2025",
        RES,
        [r_ndpr_adamas],
        "not used for numbers: volume-weighted Dy oxide $224/kg in 2025 vs Argus European quotes "
        "of "
        "$700-1,000/kg in May 2025; the USGS 2024 average ($260/kg) is used.",
    )
    r_mp_real = facts.get(CAP, "mp.realized_ndpr_price")
    S.fact(
        "S.mp.realized_ndpr_price",
        CAP,
        [r_mp_real],
        "not used for numbers: MP realised $51/kg NdPr in 2024 vs USGS Nd oxide $56/kg (used).",
    )

    stats = dict(
        default_days=int(A("A.inv_default")),
        mine_total=mine_total,
        china_sep_share=china_sep_share,
        world_magnets=world_magnets,
        cn_mag=cn_mag,
        jp_mag=jp_mag,
        eu_mag=eu_mag,
        us_nd_total=us_nd_total,
        us_nd_shares=us_nd_shares,
        us_nd_needs=us_nd_needs,
        cn_sep_ndpr=cn_sep_ndpr,
        other_out=other_out,
    )
    return M, S, stats


# ----------------------------------------------------------------------------------------
# Checks and output
# ----------------------------------------------------------------------------------------
def magnet_inventory_check(t: Tables, need: Need, problems: list[str]) -> None:
    """Magnet users in USA/JPN/EU hold magnet inventory; magnet makers hold input inventory."""
    prods = {p["producer"]: p for p in t["producers"]}
    for pid, p in prods.items():
        for b, inp in need:
            if b == pid and inp.endswith("_magnet") and p["region"] in ("USA", "JPN", "EU"):
                if not any(r["holder"] == pid and r["product"] == inp for r in t["inventories"]):
                    problems.append(f"missing magnet inventory for {pid}")
            if b == pid and p["product"].endswith("_magnet"):
                if not any(r["holder"] == pid and r["product"] == inp for r in t["inventories"]):
                    problems.append(f"missing input inventory for magnet maker {pid}/{inp}")


def dataset_yaml(S: Sources, stats: dict) -> str:
    meta = {
        "name": "rare-earths-2025",
        "version": "2025.1",
        "title": ("Rare earths and permanent magnets, 2024 baseline, for China's April 2025 licensing"),
        "description": (
            "A small daily input-output world of the rare-earth magnet chain: mining (t REO), "
            "separation into NdPr, Dy, Tb, Sm and other oxides, NdPr, Dy/Tb and Sm metal, NdFeB "
            "and "
            "SmCo magnets, and US magnet users (EV/hybrid and ICE vehicles, F-35 and other defense "
            "systems, wind turbines, electronics and industrial goods) as producers whose output "
            "can "
            "fall. Baseline year 2024 (USGS MCS 2025 estimates), before China's 4 April 2025 "
            "licensing of Sm, Gd, Tb, Dy, Lu, Sc and Y. Built by scripts/build_rare_earths_2025.py "
            "from data/facts and data/assumptions; see docs/data-rare-earths-2025.md."
        ),
        "time_unit": "day",
        "base_year": 2024,
        "key_users": [
            {"region": "USA", "end_use": "automotive"},
            {"region": "USA", "end_use": "defense"},
            {"region": "USA", "end_use": "wind"},
            {"region": "USA", "end_use": "electronics_industrial"},
        ],
        "default_target_days": stats["default_days"],
        "default_target_days_source": "A.inv_default;S.japan.stockpile_60_days",
        "notes": (
            "Disagreements and choices. (1) F-35: CRS/DoD (2013) give ~920 lb of 'rare earth "
            "materials' per aircraft (S.crs.f35_920lb); Adamas (2026) re-estimates 11-20 kg "
            "elemental "
            "REE, ~23 kg SmCo and 8-20 kg NdFeB (S.adamas.f35_magnets). The Adamas magnet masses "
            "are "
            "used (23 kg SmCo, 14 kg NdFeB) because they are magnet-alloy masses that map onto the "
            "model's products; the 920 lb has no bill of materials (A.f35_choice). "
            f"(2) World NdFeB output: {stats['world_magnets']:,.0f} t from IEA magnet REE demand "
            "93 kt / "
            "30% REE, against ~170 kt (Noveon, 2023) and >200 kt (2020); IEA-based figure used "
            "(D.world_magnets). (3) Japan's magnet share: the 2010 Japan:Europe ratio (19.3:1.3) "
            "is used; "
            "a 2026 summary saying Japan makes half of non-China output has no address. "
            f"(4) China's separation share comes out at {100 * stats['china_sep_share']:.1f}% vs "
            "IEA 91% "
            "(2024-25) / 92% (2023) and FDD 89% (S.fdd.refining_share; D.concentrate_routing). "
            "(5) Mine output: USGS country "
            "rows (2024e) sum to 393,950 t vs the rounded world 390,000 t; US 45,000 t (USGS) vs "
            "MP "
            "45,455 t; USGS used. Lynas FY2024 (Jul-Jun) stands for calendar 2024. (6) Prices: "
            "USGS/Argus "
            "2024 averages (Nd oxide $56/kg, Dy $260/kg, Tb $810/kg) rather than MP's realised "
            "$51/kg, "
            "Adamas's volume-weighted Dy $224/kg (2025) or Argus European spikes of April-May "
            "2025. "
            "(7) US magnet imports: direct Chinese exports to the US averaged 620 t/month, but US "
            "users' bottom-up need is larger because magnets arrive inside imported motors; the China "
            "share of direct imports (83.5% by value) is applied to all US magnet use (A.embedded_magnets) "
            "and the part above 7,442 t/yr arrives inside motors and assemblies made in China "
            "(CHN.magnet_components, not on the April 2025 list: D.magnet_components). "
            "(8) The 4% Dy content is applied to all NdFeB (A.heavy_content_all_grades), so world "
            "Dy/Tb "
            "tonnage is likely overstated. (9) Inventories: no pre-April-2025 source gives days "
            "of cover "
            "at US magnet users; automakers 45 days, wind/electronics 60, defense NdFeB 180 (NDS "
            "six-month goal, assumed met), SmCo 90 - all labelled assumptions."
        ),
    }
    return dump_yaml(meta)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__, DEFAULT_OUT, argv)
    M, S, stats = build(Facts(args.facts), Assumptions(args.assumptions))
    tabs, texts = render(
        M,
        S,
        producer_end_uses=PRODUCER_END_USES,
        demand_end_uses=DEMAND_END_USES,
        strict=False,
        extra=magnet_inventory_check,
    )
    write_dataset(args.out, texts, dataset_yaml(S, stats), S)
    n_links = len(tabs["supply_links"])
    print(
        f"wrote {args.out}: {len(tabs['producers'])} producers, {len(tabs['products'])} products, "
        f"{n_links} supply links, {len(tabs['final_demand'])} final-demand cells, "
        f"{len(tabs['sources'])} sources"
    )
    print(
        f"  mine total {stats['mine_total']:,.0f} t REO/yr; China separation share "
        f"{100 * stats['china_sep_share']:.1f}%; world NdFeB {stats['world_magnets']:,.0f} t/yr; "
        f"US NdFeB use {stats['us_nd_total']:,.0f} t/yr"
    )
    return 0


if __name__ == "__main__":
    run(main, "build_rare_earths_2025")
