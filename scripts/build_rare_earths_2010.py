#!/usr/bin/env python3
"""Build the bundled World dataset ``rare-earths-2010`` from the sourced fact tables.

Usage::

    python scripts/build_rare_earths_2010.py [--facts DIR] [--assumptions CSV] [--out DIR]

A small rare-earth world for the 2010 China-Japan episode: China's halt of rare-earth exports
to Japan from 21 September to 20 November 2010 (GTA; shipments confirmed resumed 24 November).
Baseline year 2010: mine output (USGS via IndexMundi; China 97%), China's exports (customs
39,813 t), Japan's imports (MoF 28,564 t, 23,310 t from China), sintered NdFeB output by country
(98,200 t: China 79.4%, Japan 19.3%, Europe 1.3%) and Japanese users as producers (magnet
makers, automotive incl. hybrids, electronics, catalysts/polishing).

Every number comes from a row of the fact tables (looked up by ``key`` and, where a key
repeats, by geography / as_of / value), from a page read through the stored-pages search (kind
``source``, vendored in data/facts/extra_sources.csv), from arithmetic on those (kind ``derived``) or
from a labelled assumption whose note gives the reason.

Method (t or units per year, divided by 365 at the end):

1. Japanese users' needs are bottom-up (vehicles x magnet and catalyst intensity; the rest of
   Japan's magnet output and light rare-earth imports to electronics and catalysts/polishing).
2. Japan's magnet makers buy NdPr and Dy oxide from China; Japan's light rare earths come from
   China (its 23,310 t less NdPr/Dy) and from US, EU and ROW separators (5,254 t).
3. China's exports to the EU, the US and ROW follow its 2010 customs total and the 86% share of
   Japan + EU + US; China's other-oxide output is its mine output less NdPr and Dy, and its own
   final demand is the residual.

The script checks balance, shares, units and sources itself and fails loudly. It is not
needed at runtime; running it twice gives identical files.
"""

from __future__ import annotations

# sibling module: scripts/ is on sys.path when this runs as a script
from worldbuild import (
    DATA,
    EXTRA,
    Assumptions,
    Facts,
    Model,
    Sources,
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
    summary,
    write_dataset,
)

NAME = "rare-earths-2010"
DEFAULT_OUT = DATA / NAME
END_USES = ("magnets", "automotive", "electronics", "catalysts_polishing", "other")


# ----------------------------------------------------------------------------------------
# Build
# ----------------------------------------------------------------------------------------
def build(facts: Facts, A: Assumptions) -> tuple[Model, Sources, dict]:  # noqa: C901 - one linear recipe
    def extra(key: str, **kw: str) -> dict[str, str]:
        return facts.get(EXTRA, key, **kw)

    S = Sources("2010 baseline", A)
    M = Model()
    EMB = "embargo_2010.csv"
    RES = "rare_earths_supply.csv"
    MAT = "material_intensity.csv"
    DOWN = "downstream_users.csv"
    CAP = "new_capacity.csv"

    def emb(key: str, **kw: str) -> dict[str, str]:
        return facts.get(EMB, key, **kw)

    # ---------------- generic --------------------------------------------------------------
    A_PERDAY = S.derived(
        "D.annual_to_daily",
        "Annual figures to daily flows",
        "Every annual tonnage or unit count (2010) is divided by 365 days to give a per-day "
        "output, capacity or final demand (time_unit: day). Shares are flow / need.",
    )
    A_CAP = S.assumption("A.capacity_equals_output", "No spare capacity")
    A_REG = S.assumption("A.region_grouping", "Region grouping")
    A_PROD = S.assumption("A.product_definitions", "Product and stage definitions")
    A_NOMETAL = S.assumption("A.no_metal_stage", "No separate metal/alloy stage")
    A_CONTENT = S.assumption("A.content_units", "Japanese electronics and catalysts/polishing counted in material used")
    region_names = [
        ("CHN", "China"),
        ("JPN", "Japan"),
        ("USA", "United States"),
        ("EU", "European Union"),
        ("ROW", "Rest of the world"),
    ]

    # ---------------- mining 2010 ---------------------------------------------------------
    r_cn_mine = extra("rare_earths.mine_production", geography="China")
    S_MINE = S.page("S.indexmundi.re_production_2010", [r_cn_mine])
    r_cn97 = emb("china_share_world_re_production")
    S_CRS97 = S.fact(
        "S.crs.china_97pct",
        EMB,
        [r_cn97],
        "China 97% of world rare-earth output (c. 2010-12), the same share as the IndexMundi/USGS 2010 figure.",
    )
    cn_mine = num(r_cn_mine["value"])
    world_mine = cn_mine / (num(r_cn97["value"]) / 100)
    row_mine = world_mine - cn_mine
    D_MINE = S.derived(
        "D.mine_2010",
        "2010 mine output",
        f"world = 130,000 / 0.97 = {world_mine:,.0f} t REO; ROW.mine = world - China = "
        f"{row_mine:,.0f} t (India 2%, Brazil 0.42%, Malaysia 0.27% and the rest; the US mine at "
        "Mountain Pass produced no ore in 2010). Sources: S.indexmundi.re_production_2010; "
        "S.crs.china_97pct.",
    )

    # ---------------- magnets 2010 -----------------------------------------------------------
    r_mag_w = facts.get(CAP, "sintered_ndfeb_production.world")
    r_mag_cn = facts.get(RES, "ndfeb_production_share", geography="China", as_of="2010")
    r_mag_jp = facts.get(RES, "ndfeb_production_share", geography="Japan", as_of="2010")
    in_note(r_mag_cn, "Europe 1.3%")
    mag_world = num(r_mag_w["value"])
    mag = {
        "CHN": num(r_mag_cn["value"]) / 100 * mag_world,
        "JPN": num(r_mag_jp["value"]) / 100 * mag_world,
        "EU": 0.013 * mag_world,
    }
    S_MAG_W = S.fact(
        "S.chinaorg.ndfeb_world_2010",
        CAP,
        [r_mag_w],
        "world sintered NdFeB output 98,200 t in 2010.",
    )
    S_MAG_SH = S.fact(
        "S.chinaorg.ndfeb_shares_2010",
        RES,
        [r_mag_cn, r_mag_jp],
        "2010 shares China 79.4%, Japan 19.3%, Europe 1.3% (note) of 98,200 t -> CHN "
        f"{mag['CHN']:,.0f} t, JPN {mag['JPN']:,.0f} t, EU {mag['EU']:,.0f} t of NdFeB.",
    )
    r_ree = facts.get(MAT, "ndfeb.rare_earth_content")
    in_note(r_ree, "Dy content ~4%")
    ree_share = num(r_ree["value"]) / 100
    dy_share = 0.04
    S_REE = S.fact(
        "S.hvw.ndfeb_ree_content",
        MAT,
        [r_ree],
        "NdFeB ~30% REE metal by mass, Dy ~4% of magnet mass (note): 0.26 t NdPr metal + 0.04 t "
        "Dy/Tb metal per t magnet, for all makers (A.magnet_recipe_2010).",
    )
    A_MAGREC = S.assumption("A.magnet_recipe_2010", "2023 magnet composition applied to 2010")
    r_dyjp = emb("japan_response.dy_reduction_potential")
    S_DYJP = S.fact(
        "S.meti.dy_demand_2012",
        EMB,
        [r_dyjp],
        "check only: 300 t Dy = half of Japan's annual demand (2012) -> ~600 t/yr.",
    )
    AW, S_AW = atomic_weights(facts, S, ("Nd", "Pr", "Dy", "O"))
    yld = A("A.metal_yield")  # t metal per t metal contained in the oxide
    A_AW = cite(S_AW, S.assumption("A.metal_yield", "No loss converting oxide to metal"))
    A_AW = cite(A_AW, S.assumption("A.ndpr_ratio", "Nd:Pr = 75:25 in NdPr"))
    f_nd = yld * 2 * AW["Nd"] / (2 * AW["Nd"] + 3 * AW["O"])
    f_pr = yld * 6 * AW["Pr"] / (6 * AW["Pr"] + 11 * AW["O"])
    f_dy = yld * 2 * AW["Dy"] / (2 * AW["Dy"] + 3 * AW["O"])
    nd_share = A("A.ndpr_ratio")  # Nd2O3 mass share of NdPr oxide
    f_ndpr = nd_share * f_nd + (1 - nd_share) * f_pr
    ndpr_per_t = (ree_share - dy_share) / f_ndpr
    dy_per_t = dy_share / f_dy
    D_MAGREC = S.derived(
        "D.magnet_oxide_recipe",
        "Oxide per t of NdFeB",
        f"NdPr oxide = 0.26 / {f_ndpr:.4f} = {ndpr_per_t:.4f} t and Dy oxide = 0.04 / "
        f"{f_dy:.4f} = {dy_per_t:.4f} t per t of magnet (S.hvw.ndfeb_ree_content; "
        "S.ciaaw.atomic_weights; A.metal_yield; A.ndpr_ratio; A.no_metal_stage).",
    )

    # ---------------- Japan: imports, users ---------------------------------------------------
    r_jp_tot = emb("japan_imports_total.annual")
    r_jp_cn = emb("japan_imports_from_china.annual", value="23310")
    r_jp_sh = emb("japan_share_imports_from_china", as_of="2010")
    jp_total = num(r_jp_tot["value"])
    jp_from_cn = num(r_jp_cn["value"])
    S_JP_IMP = S.fact(
        "S.reuters.japan_imports_2010",
        EMB,
        [r_jp_tot, r_jp_cn, r_jp_sh],
        "Japan's 2010 rare-earth imports 28,564 t, of which 23,310 t (82%) from China (MoF via "
        "Reuters): Japan's supply of oxides, metals and compounds; non-China 5,254 t.",
    )
    r_jp_ohata = emb("japan_imports_from_china.annual", value="20000")
    S.fact(
        "S.wsj.ohata_20000t",
        EMB,
        [r_jp_ohata],
        "not used for numbers: Trade Minister Ohata's ~20,000 t from China in 2010 disagrees with "
        "the MoF 23,310 t (used).",
    )
    r_jp_dem = emb("japan_demand.annual")
    S.fact(
        "S.sojitz.japan_demand_2011",
        EMB,
        [r_jp_dem],
        "check: Sojitz put Japan's 2011 demand at ~32,000 t (~30% of world 113,600 t); the "
        "model's Japanese supply is 28,564 t (imports; Japan has no mine output).",
    )
    r_jp_cat = extra("japan.auto_catalyst_rare_earth_use")
    S_JPMKT = S.page("S.reuters.japan_re_market_qa_2011", [r_jp_cat])
    jp_cat = sum(num_range(r_jp_cat["value"])) / 2
    r_jp_veh = extra("japan.vehicle_production")
    S_VEH = S.page("S.jama.japan_production_2010", [r_jp_veh])
    jp_veh = num(r_jp_veh["value"])
    r_hev = extra("japan.hybrid_share_of_new_vehicle_sales")
    S_HEV = S.page("S.shanghaidaily.japan_hybrid_share", [r_hev])
    hev_share = num(r_hev["value"]) / 100
    A_HEV = S.assumption("A.hybrid_share_production", "Hybrid share of Japanese vehicle output = 10%")
    r_gkn = facts.get(MAT, "ev.vehicle.permanent_magnet_mass")
    r_pm = facts.get(MAT, "ev.pm_motor_share")
    S_GKN = S.fact(
        "S.gkn.ev_magnet_mass",
        MAT,
        [r_gkn],
        "2-4 kg permanent magnets per electrified vehicle; midpoint 3 kg.",
    )
    S_PM = S.fact(
        "S.adamas.pm_motor_share",
        MAT,
        [r_pm],
        "93% of xEVs use PM traction motors (2018) applied to Japan's 2010 hybrids.",
    )
    hev_kg = num(r_pm["value"]) / 100 * 3.0
    ice_kg = A("A.ice_magnet_content")
    A_ICE = S.assumption("A.ice_magnet_content", "0.3 kg NdFeB per conventional vehicle")
    jp_auto_mag = jp_veh * (hev_share * hev_kg + (1 - hev_share) * ice_kg) / 1000
    D_AUTO = S.derived(
        "D.jp_automotive",
        "Japanese automotive use of magnets and catalysts",
        f"NdFeB = 9,625,940 x (10% x 0.93 x 3 kg + 90% x 0.3 kg) = {jp_auto_mag:,.1f} t/yr = "
        f"{1000 * jp_auto_mag / jp_veh:.4f} kg per vehicle; REO for exhaust catalysts = 4,750 t "
        f"= {1000 * jp_cat / jp_veh:.4f} kg per vehicle (S.jama.japan_production_2010; "
        "S.shanghaidaily.japan_hybrid_share; S.gkn.ev_magnet_mass; S.adamas.pm_motor_share; "
        "S.reuters.japan_re_market_qa_2011; A.ice_magnet_content; A.hybrid_share_production).",
    )
    jp_mag_rest = mag["JPN"] - jp_auto_mag
    jp_elec = 0.5 * jp_mag_rest
    jp_mag_exp = jp_mag_rest - jp_elec
    A_JPMAG = S.assumption("A.jp_magnet_sales", "Half of Japan's non-automotive magnets used in Japan")
    D_JPMAG = S.derived(
        "D.jp_magnets",
        "Japan's magnet output and its buyers",
        f"JPN NdFeB {mag['JPN']:,.0f} t: automotive {jp_auto_mag:,.0f} t (D.jp_automotive), "
        f"electronics {jp_elec:,.0f} t, exports {jp_mag_exp:,.0f} t (A.jp_magnet_sales). "
        f"Magnet makers need {mag['JPN'] * ndpr_per_t:,.0f} t NdPr oxide and "
        f"{mag['JPN'] * dy_per_t:,.0f} t Dy oxide (D.magnet_oxide_recipe), all from China "
        "(A.jp_magnet_feed).",
    )
    A_JPFEED = S.assumption("A.jp_magnet_feed", "Japanese magnet makers' Nd and Dy from China")
    jp_ndpr = mag["JPN"] * ndpr_per_t
    jp_dy = mag["JPN"] * dy_per_t
    jp_ox_cn = jp_from_cn - jp_ndpr - jp_dy
    jp_ox_nc = jp_total - jp_from_cn
    jp_ox_total = jp_ox_cn + jp_ox_nc
    jp_catpol = jp_ox_total - jp_cat
    if jp_ox_cn <= 0 or jp_catpol <= 0:
        fail("Japanese other-oxide balance negative")
    A_JPNC = S.assumption("A.jp_non_china_origin", "Origin of Japan's non-China imports")
    # relative weights of the non-China origins (A.jp_non_china_origin.<region>): share = weight / sum
    nc_w = {r: A(f"A.jp_non_china_origin.{r.lower()}") for r in ("USA", "EU", "ROW")}
    nc_sum = sum(nc_w.values())
    D_JPOX = S.derived(
        "D.jp_other_oxides",
        "Japan's light rare-earth supply and users",
        f"other oxides from China = 23,310 - NdPr {jp_ndpr:,.0f} - Dy {jp_dy:,.0f} = "
        f"{jp_ox_cn:,.0f} t; non-China 28,564 - 23,310 = {jp_ox_nc:,.0f} t; total "
        f"{jp_ox_total:,.0f} t = automotive catalysts 4,750 t + catalysts/polishing/batteries/"
        f"phosphors/glass {jp_catpol:,.0f} t. Both users buy China {jp_ox_cn / jp_ox_total:.4f} "
        f"and US/EU/ROW {jp_ox_nc * nc_w['USA'] / nc_sum / jp_ox_total:.4f} each (S.reuters.japan_imports_2010; "
        "S.reuters.japan_re_market_qa_2011; A.jp_non_china_origin; D.jp_magnets).",
    )

    # ---------------- China's exports ---------------------------------------------------------
    r_cnexp = emb("china_exports.actual")
    r_cn86 = emb("china_exports.jan_nov")
    in_note(r_cn86, "Japan, EU and US took 86% of China RE exports")
    cn_exp = num(r_cnexp["value"])
    S_CNEXP = S.fact(
        "S.wsj.china_exports_2010",
        EMB,
        [r_cnexp],
        "China's 2010 exports of rare-earth ores, metals and compounds 39,813 t (customs; about "
        "a third above the 30,258 t quota), worth $939.72M.",
    )
    S_CN86 = S.fact(
        "S.mofcom.exports_jan_nov_2010",
        EMB,
        [r_cn86],
        "Japan, the EU and the US took 86% of China's rare-earth exports (Jan-Nov 2010) -> EU + "
        "US = 86% x 39,813 - Japan's 23,310 t (D.china_exports).",
    )
    eu_us = 0.86 * cn_exp - jp_from_cn
    cn_to = {"EU": eu_us / 2, "USA": eu_us / 2, "ROW": cn_exp - 0.86 * cn_exp}
    A_EUUS = S.assumption("A.eu_us_split", "EU and US take equal shares of China's non-Japan exports")
    r_jp50 = emb("embargo.japan_share_of_china_re_exports")
    S.fact(
        "S.ap.japan_half_of_exports",
        EMB,
        [r_jp50],
        "check: AP said Japan took 50% of China's rare-earth shipments (TIME: two thirds); the "
        f"model's Japan share is 23,310 / 39,813 = {100 * jp_from_cn / cn_exp:.1f}%.",
    )
    r_quota = emb("china_export_quota.total", as_of="2010")
    S.fact(
        "S.reuters.quota_2010",
        EMB,
        [r_quota],
        "context: 2010 export quota 30,258 t (-40%); actual exports (39,813 t) exceeded it.",
    )
    eu_mag_ox = mag["EU"] * (ndpr_per_t + dy_per_t)
    D_CNEXP = S.derived(
        "D.china_exports",
        "China's 2010 exports by destination",
        f"Japan 23,310 t (MoF); EU + US = 0.86 x 39,813 - 23,310 = {eu_us:,.0f} t, split equally "
        f"(A.eu_us_split); ROW = 14% = {cn_to['ROW']:,.0f} t. The EU's share feeds its magnet "
        f"maker first ({eu_mag_ox:,.0f} t NdPr + Dy oxide), the rest is EU final demand for other "
        "oxides; the US and ROW shares are other oxides (S.wsj.china_exports_2010; "
        "S.mofcom.exports_jan_nov_2010; S.reuters.japan_imports_2010).",
    )

    # ---------------- products and regions ------------------------------------------------
    prod_defs = [
        ("reo_concentrate", "Rare-earth concentrate (t REO)", "t", "mining", cite(A_PROD, S_MINE)),
        ("ndpr_oxide", "NdPr (didymium) oxide", "t", "separation", A_PROD),
        ("dy_oxide", "Dysprosium and terbium oxide", "t", "separation", A_PROD),
        (
            "other_oxides",
            "Other rare-earth oxides, metals and compounds (La, Ce, Y, Eu, ...; t REO)",
            "t",
            "separation",
            A_PROD,
        ),
        ("ndfeb_magnet", "Sintered NdFeB permanent magnets", "t", "magnet", cite(A_PROD, S_MAG_W)),
        ("jp_vehicles", "Motor vehicles made in Japan (incl. hybrids)", "units", "end_product", cite(A_PROD, S_VEH)),
        (
            "jp_electronics",
            "Japanese electronics, appliances and motors (t NdFeB used)",
            "t",
            "end_product",
            cite(A_PROD, A_CONTENT),
        ),
        (
            "jp_catalysts_polishing",
            "Japanese catalysts, polishing powders, NiMH battery alloys, phosphors and glass (t REO used)",
            "t",
            "end_product",
            cite(A_PROD, A_CONTENT),
        ),
    ]
    for pid, name, unit, stage, src in prod_defs:
        M.add_product(pid, name, unit, stage, src)
    for rid, name in region_names:
        M.regions.append(dict(region=rid, name=name, source=A_REG))

    # ---------------- producers, recipes, flows --------------------------------------------
    # Japanese end users
    M.add_producer("JPN.automotive", "jp_vehicles", cite(S_VEH, A_PERDAY, A_CAP), jp_veh, end_use="automotive")
    M.add_recipe("JPN.automotive", "ndfeb_magnet", jp_auto_mag / jp_veh, cite(D_AUTO, S_GKN, S_PM, S_HEV, A_HEV, A_ICE))
    M.add_recipe("JPN.automotive", "other_oxides", jp_cat / jp_veh, cite(D_AUTO, S_JPMKT))
    M.add_producer(
        "JPN.electronics",
        "jp_electronics",
        cite(D_JPMAG, A_JPMAG, A_CONTENT, A_PERDAY, A_CAP),
        jp_elec,
        end_use="electronics",
    )
    M.add_recipe("JPN.electronics", "ndfeb_magnet", 1.0, A_CONTENT)
    M.add_producer(
        "JPN.catalysts_polishing",
        "jp_catalysts_polishing",
        cite(D_JPOX, A_CONTENT, A_PERDAY, A_CAP),
        jp_catpol,
        end_use="catalysts_polishing",
    )
    M.add_recipe("JPN.catalysts_polishing", "other_oxides", 1.0, A_CONTENT)
    for pid, product, end_use, src in (
        ("JPN.automotive", "jp_vehicles", "automotive", cite(S_VEH, A_PERDAY)),
        ("JPN.electronics", "jp_electronics", "electronics", cite(D_JPMAG, A_PERDAY)),
        ("JPN.catalysts_polishing", "jp_catalysts_polishing", "catalysts_polishing", cite(D_JPOX, A_PERDAY)),
    ):
        did = M.add_fd("JPN", product, end_use, M.producers[pid]["output"], src)
        M.supply(did, product, {pid: 1.0}, src)

    # magnet makers
    mag_src = {
        "CHN": cite(S_MAG_SH, S_MAG_W, A_PERDAY, A_CAP),
        "JPN": cite(S_MAG_SH, S_MAG_W, D_JPMAG, A_PERDAY, A_CAP),
        "EU": cite(S_MAG_SH, S_MAG_W, A_PERDAY, A_CAP),
    }
    for reg in ("CHN", "JPN", "EU"):
        pid = f"{reg}.ndfeb_magnet"
        M.add_producer(pid, "ndfeb_magnet", mag_src[reg], mag[reg], end_use="magnets" if reg == "JPN" else "")
        M.add_recipe(pid, "ndpr_oxide", ndpr_per_t, cite(D_MAGREC, S_REE, A_MAGREC, A_AW, A_NOMETAL))
        M.add_recipe(
            pid, "dy_oxide", dy_per_t, cite(D_MAGREC, S_REE, A_MAGREC, A_AW, A_NOMETAL, S_DYJP if reg == "JPN" else "")
        )
    M.supply("JPN.automotive", "ndfeb_magnet", {"JPN.ndfeb_magnet": 1.0}, A_JPMAG)
    M.supply("JPN.electronics", "ndfeb_magnet", {"JPN.ndfeb_magnet": 1.0}, A_JPMAG)
    did = M.add_fd("ROW", "ndfeb_magnet", "other", jp_mag_exp, cite(D_JPMAG, A_JPMAG, A_PERDAY))
    M.supply(did, "ndfeb_magnet", {"JPN.ndfeb_magnet": 1.0}, A_JPMAG)
    A_MAGFD = S.assumption("A.magnet_final_demand", "Chinese and European magnets")
    for reg in ("CHN", "EU"):
        did = M.add_fd(reg, "ndfeb_magnet", "other", mag[reg], cite(S_MAG_SH, A_MAGFD, A_PERDAY))
        M.supply(did, "ndfeb_magnet", {f"{reg}.ndfeb_magnet": 1.0}, A_MAGFD)

    # separators
    A_REO = S.assumption("A.reo_to_oxide", "1 t REO concentrate per t separated oxide")
    A_NCSEP = S.assumption("A.non_china_separators", "Non-China separation in 2010: light rare earths only")
    for k, product in (("ndpr", "ndpr_oxide"), ("dy", "dy_oxide"), ("other", "other_oxides")):
        pid = f"CHN.sep_{k}"
        M.add_producer(pid, product, "", 1.0)  # output fixed below
    M.add_producer("ROW.sep_other", "other_oxides", cite(D_MINE, A_NCSEP, A_REO, A_PERDAY, A_CAP), row_mine)
    for reg in ("USA", "EU"):
        src = cite(D_JPOX, A_JPNC, A_NCSEP, A_PERDAY, A_CAP)
        M.add_producer(f"{reg}.sep_other", "other_oxides", src, jp_ox_nc * nc_w[reg] / nc_sum)
    # NdPr and Dy: all from China
    for reg in ("CHN", "JPN", "EU"):
        pid = f"{reg}.ndfeb_magnet"
        src = A_JPFEED if reg == "JPN" else cite(A_JPFEED, D_CNEXP)
        M.supply(pid, "ndpr_oxide", {"CHN.sep_ndpr": 1.0}, src)
        M.supply(pid, "dy_oxide", {"CHN.sep_dy": 1.0}, src)
    ox_mix = {"CHN.sep_other": jp_ox_cn / jp_ox_total}
    ox_mix.update({f"{r}.sep_other": jp_ox_nc * nc_w[r] / nc_sum / jp_ox_total for r in ("USA", "EU", "ROW")})
    for b in ("JPN.automotive", "JPN.catalysts_polishing"):
        M.supply(b, "other_oxides", ox_mix, cite(D_JPOX, S_JP_IMP, A_JPNC))
    check_close(
        sum(M.flows[(b, p, s)] for (b, p, s) in M.flows if b.startswith("JPN.") and s.startswith("CHN.sep")),
        jp_from_cn,
        "Japan's imports from China",
    )
    # other-oxide final demand
    A_OXFD = S.assumption("A.other_oxide_final_demand", "Final demand for other oxides outside Japan")
    fd_ox = {
        "EU": {"CHN.sep_other": cn_to["EU"] - eu_mag_ox},
        "USA": {"CHN.sep_other": cn_to["USA"]},
        "ROW": {"CHN.sep_other": cn_to["ROW"], "ROW.sep_other": row_mine - jp_ox_nc * nc_w["ROW"] / nc_sum},
    }
    for reg, sup in fd_ox.items():
        if any(v <= 0 for v in sup.values()):
            fail(f"non-positive other-oxide flow to {reg}")
        did = M.add_fd(
            reg, "other_oxides", "other", sum(sup.values()), cite(D_CNEXP, S_CNEXP, S_CN86, A_OXFD, A_PERDAY)
        )
        M.supply_amounts(did, "other_oxides", sup, cite(D_CNEXP, A_OXFD, A_EUUS))
    # China's separation outputs and concentrate
    cn_ndpr = sum(
        M.flows[(b, "ndpr_oxide", "CHN.sep_ndpr")] for b in ("CHN.ndfeb_magnet", "JPN.ndfeb_magnet", "EU.ndfeb_magnet")
    )
    cn_dy = sum(
        M.flows[(b, "dy_oxide", "CHN.sep_dy")] for b in ("CHN.ndfeb_magnet", "JPN.ndfeb_magnet", "EU.ndfeb_magnet")
    )
    cn_other = cn_mine - cn_ndpr - cn_dy
    D_CNSEP = S.derived(
        "D.china_separation",
        "China's separated output",
        f"NdPr oxide = magnet makers' need {cn_ndpr:,.0f} t ({100 * cn_ndpr / cn_mine:.1f}% of "
        f"China's REO); Dy oxide {cn_dy:,.0f} t ({100 * cn_dy / cn_mine:.1f}%, likely "
        "overstated by the 4% Dy content, A.magnet_recipe_2010); other oxides = 130,000 - NdPr - "
        f"Dy = {cn_other:,.0f} t, of which exports to Japan, the EU, the US and ROW and the rest "
        "Chinese final demand (D.china_exports; D.magnet_oxide_recipe; A.reo_to_oxide).",
    )
    outs = {"CHN.sep_ndpr": cn_ndpr, "CHN.sep_dy": cn_dy, "CHN.sep_other": cn_other}
    for pid, out in outs.items():
        M.producers[pid]["output"] = out
        M.producers[pid]["source"] = cite(D_CNSEP, S_MINE, S_CRS97, A_REO, A_PERDAY, A_CAP)
    did = M.add_fd("CHN", "other_oxides", "other", M.unsold("CHN.sep_other"), cite(D_CNSEP, A_OXFD, A_PERDAY))
    M.supply(did, "other_oxides", {"CHN.sep_other": 1.0}, A_OXFD)
    M.add_producer("CHN.mine", "reo_concentrate", cite(S_MINE, S_CRS97, A_PERDAY, A_CAP), cn_mine)
    M.add_producer("ROW.mine", "reo_concentrate", cite(D_MINE, S_MINE, A_PERDAY, A_CAP), row_mine)
    for pid in outs:
        M.add_recipe(pid, "reo_concentrate", 1.0, A_REO)
        M.supply(pid, "reo_concentrate", {"CHN.mine": 1.0}, A_REO)
    M.add_recipe("ROW.sep_other", "reo_concentrate", 1.0, A_REO)
    M.supply("ROW.sep_other", "reo_concentrate", {"ROW.mine": 1.0}, A_REO)

    order = [
        "CHN.mine",
        "ROW.mine",
        "CHN.sep_ndpr",
        "CHN.sep_dy",
        "CHN.sep_other",
        "ROW.sep_other",
        "USA.sep_other",
        "EU.sep_other",
        "CHN.ndfeb_magnet",
        "JPN.ndfeb_magnet",
        "EU.ndfeb_magnet",
        "JPN.automotive",
        "JPN.electronics",
        "JPN.catalysts_polishing",
    ]
    if sorted(order) != sorted(M.producers):
        fail("producer order list incomplete")
    M.producers = {k: M.producers[k] for k in order}
    for pid in M.producers:
        if abs(M.unsold(pid)) > 1e-6 * M.producers[pid]["output"]:
            fail(f"{pid} unbalanced: {M.unsold(pid)}")

    # ---------------- inventories --------------------------------------------------------
    r_cover = emb("embargo.japan_user_stockpile_cover")
    r_cover_d = facts.get(DOWN, "inventory.japan_re_users_2010")
    r_jpmag = facts.get(DOWN, "inventory.japan_magnet_makers")
    S_COVER = S.fact(
        "S.ap.japan_stockpiles_several_months",
        EMB,
        [r_cover],
        "'Companies using the rare metals are believed to have stockpiles that could last several "
        "months' (AP, 24 Sep 2010) -> Japanese users' days of cover (A.jp_inventory).",
    )
    S.fact(
        "S.ap.japan_stockpiles_downstream",
        DOWN,
        [r_cover_d],
        "same statement as listed in downstream_users.csv.",
    )
    S_JPMAGINV = S.fact(
        "S.jmb.japan_magnet_maker_stocks",
        DOWN,
        [r_jpmag],
        "qualitative: Japanese magnet makers keep rare-earth stocks above consumption for security (2009).",
    )
    A_JPINV = S.assumption("A.jp_inventory", "Japanese users hold 90 days")
    r_jp60 = emb("japan_response.stockpile_target_days")
    S_JP60 = S.fact(
        "S.japan.stockpile_60_days",
        EMB,
        [r_jp60],
        "Japan's 60-day rare-metal stockpile target (set 1986, incl. 18 days of private stocks) "
        "as the dataset default and the stock of non-Chinese, non-Japanese processors.",
    )
    A_INV_OTHER = S.assumption("A.inv_other", "Stocks outside Japan")
    S.assumption("A.inv_default", "Default inventory target 60 days")
    for holder, inp in M.recipes:
        if holder.startswith("JPN."):
            src = cite(A_JPINV, S_COVER)
            if holder == "JPN.ndfeb_magnet":
                src = cite(src, S_JPMAGINV)
            M.inventory(holder, inp, A("A.jp_inventory"), src)
        elif holder.startswith("CHN."):
            M.inventory(holder, inp, A("A.inv_other.china"), A_INV_OTHER)
        else:
            M.inventory(holder, inp, A("A.inv_other.eu_row"), cite(A_INV_OTHER, S_JP60))

    # ---------------- unit values ---------------------------------------------------------
    r_nd_apr = emb("price.neodymium_fob", as_of="2010-04")
    r_nd_oct = emb("price.neodymium_fob", as_of="2010-10")
    S_PND = S.fact(
        "S.metalpages.nd_2010",
        EMB,
        [r_nd_apr, r_nd_oct],
        "Nd FOB China $41/kg (Apr 2010) -> $92/kg (Oct 2010); the midpoint $66.5/kg is the 2010 "
        "unit value of NdPr oxide (the source does not say metal or oxide).",
    )
    r_dy = emb("price.dysprosium_metal")
    in_note(r_dy, "Ce oxide $22.50/kg (4.6x start of year); La oxide $23.50/kg")
    S_PDY = S.fact(
        "S.jmb.prices_jul_2010",
        EMB,
        [r_dy],
        "July 2010: Dy metal ~$370/kg; Ce oxide $22.50/kg and La oxide $23.50/kg (note) -> Dy "
        "oxide valued at its metal content, other oxides at $23/kg (Ce/La average).",
    )
    r_ce_apr = emb("price.cerium_oxide_fob", as_of="2010-04-20")
    S_PCE = S.fact(
        "S.metalpages.ce_apr_2010",
        EMB,
        [r_ce_apr],
        "Ce oxide FOB $4.7/kg on 20 Apr 2010, before the quota-driven rise: floor value of "
        "concentrate per t REO (A.uv_concentrate).",
    )
    A_UVC = S.assumption("A.uv_concentrate", "Concentrate valued at the pre-rise cerium oxide price")
    A_UVMAG = S.assumption("A.uv_magnet_content", "Magnets valued at their rare-earth content")
    A_UVVEH = S.assumption("A.uv_vehicle", "Japanese vehicle value $20,000")
    p_ndpr = (num(r_nd_apr["value"]) + num(r_nd_oct["value"])) / 2 * 1000
    p_dy = num(r_dy["value"]) * f_dy * 1000
    p_ox = (22.5 + 23.5) / 2 * 1000
    p_conc = num(r_ce_apr["value"]) * 1000
    p_mag = ndpr_per_t * p_ndpr + dy_per_t * p_dy
    D_UV = S.derived(
        "D.unit_values",
        "Derived unit values",
        f"NdPr oxide (41 + 92) / 2 x 1,000 = {p_ndpr:,.0f} USD/t; Dy oxide = 370 x {f_dy:.4f} x "
        f"1,000 = {p_dy:,.0f} USD/t; other oxides (22.5 + 23.5) / 2 x 1,000 = {p_ox:,.0f} USD/t; "
        f"NdFeB = {ndpr_per_t:.4f} x NdPr + {dy_per_t:.4f} x Dy = {p_mag:,.0f} USD/t "
        "(S.metalpages.nd_2010; S.jmb.prices_jul_2010; D.magnet_oxide_recipe).",
    )
    uv = [
        ("reo_concentrate", p_conc, cite(S_PCE, A_UVC)),
        ("ndpr_oxide", p_ndpr, cite(D_UV, S_PND)),
        ("dy_oxide", p_dy, cite(D_UV, S_PDY)),
        ("other_oxides", p_ox, cite(D_UV, S_PDY)),
        ("ndfeb_magnet", p_mag, cite(D_UV, A_UVMAG)),
        ("jp_vehicles", A("A.uv_vehicle"), A_UVVEH),
        ("jp_electronics", p_mag, cite(D_UV, A_UVMAG)),
        ("jp_catalysts_polishing", p_ox, cite(D_UV, A_UVMAG, S_PDY)),
    ]
    for product, value, src in uv:
        M.unit_value(product, value, src)

    # ---------------- timeline (cited from dataset.yaml and the scenario) ------------------
    gta = [
        r
        for r in facts.rows[EMB]
        if r["key"] in ("embargo.start_date", "embargo.end_date") and "globaltradealert" in r["source_url"]
    ]
    S.fact(
        "S.gta.embargo_2010",
        EMB,
        gta,
        "GTA state act 2092: halt of rare-earth exports to Japan from 21 Sep 2010, removed 20 Nov "
        "2010 (evidence on duration mixed); used by scenario cn-japan-rare-earth-embargo-2010.",
    )
    stats = dict(
        default_days=int(A("A.inv_default")),
        world_mine=world_mine,
        cn_mine_share=cn_mine / world_mine,
        mag=mag,
        jp_from_cn=jp_from_cn,
        jp_total=jp_total,
        jp_auto_mag=jp_auto_mag,
        cn_ndpr=cn_ndpr,
        cn_dy=cn_dy,
        jp_dy=jp_dy,
    )
    return M, S, stats


# ----------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------
def dataset_yaml(stats: dict) -> str:
    mag = stats["mag"]
    meta = {
        "name": NAME,
        "version": "2010.1",
        "title": "Rare earths and NdFeB magnets, 2010 baseline, for China's halt of exports to Japan (Sep-Nov 2010)",
        "description": (
            "A small daily input-output world of the rare-earth chain in 2010: mining (t REO), "
            "separation into NdPr, Dy(+Tb) and other (La, Ce, ...) oxides, sintered NdFeB "
            "magnets, and Japanese users as producers whose output can fall (magnet makers, "
            "automotive incl. hybrid vehicles, electronics, catalysts/polishing). Regions CHN, "
            "JPN, USA, EU, ROW. Built for the de facto halt of China's rare-earth exports to "
            "Japan from 21 September 2010. Built by scripts/build_rare_earths_2010.py from "
            "data/facts and data/assumptions; see docs/data-rare-earths-2010.md."
        ),
        "time_unit": "day",
        "base_year": 2010,
        "key_users": [
            {"region": "JPN", "end_use": "magnets"},
            {"region": "JPN", "end_use": "automotive"},
            {"region": "JPN", "end_use": "electronics"},
            {"region": "JPN", "end_use": "catalysts_polishing"},
        ],
        "default_target_days": stats["default_days"],
        "default_target_days_source": "A.inv_default;S.japan.stockpile_60_days",
        "notes": (
            "Disagreements and choices. (1) Mine output: China 130,000 t = 97% (IndexMundi/USGS, "
            f"S.indexmundi.re_production_2010; CRS 97%, S.crs.china_97pct) -> world "
            f"{stats['world_mine']:,.0f} t; the primary USGS MCS 2011 text was not found. "
            "(2) Japan's imports from China: MoF 23,310 t (used, S.reuters.japan_imports_2010) "
            "vs Trade Minister Ohata's ~20,000 t (S.wsj.ohata_20000t); Japan took "
            f"{100 * stats['jp_from_cn'] / 39813:.1f}% of China's 39,813 t of exports vs AP's "
            "50% and TIME's two thirds (S.ap.japan_half_of_exports). (3) NdFeB 2010: "
            f"China {mag['CHN']:,.0f} t (79.4%), Japan {mag['JPN']:,.0f} t (19.3%), Europe "
            f"{mag['EU']:,.0f} t (1.3%) (S.chinaorg.ndfeb_shares_2010). (4) Magnet composition "
            "30% REE / 4% Dy (2023 figure; A.magnet_recipe_2010) gives Japan "
            f"{stats['jp_dy']:,.0f} t Dy oxide vs ~600 t Dy implied by METI in 2012 "
            f"(S.meti.dy_demand_2012) and China {stats['cn_dy']:,.0f} t Dy oxide, likely "
            "overstated. (5) Japanese users: auto catalysts 4,750 t REO (a fifth of Japan's "
            "market, S.reuters.japan_re_market_qa_2011), magnets per vehicle from GKN/Adamas with "
            "a 10% hybrid share (A.hybrid_share_production); electronics and catalysts/polishing "
            "counted in material used (A.content_units). (6) Inventories: 'several months' (AP) "
            "read as 90 days for every Japanese user (A.jp_inventory); declared uncertain in the "
            "scenario. (7) The halt's end: GTA 20 Nov 2010 (S.gta.embargo_2010) vs shipments "
            "confirmed 24 Nov (Ohata); a trader reported an end on 29 Sep with customs delays."
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
        "  world mine {:,.0f} t REO (China {:.1%}); NdFeB CHN {:,.0f} / JPN {:,.0f} / EU {:,.0f} t; "
        "Japan imports {:,.0f} t ({:,.0f} from China)".format(
            stats["world_mine"],
            stats["cn_mine_share"],
            stats["mag"]["CHN"],
            stats["mag"]["JPN"],
            stats["mag"]["EU"],
            stats["jp_total"],
            stats["jp_from_cn"],
        )
    )
    return 0


if __name__ == "__main__":
    run(main, "build_rare_earths_2010")
