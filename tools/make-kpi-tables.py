#!/usr/bin/env python3
"""Generate the illustrative KPI tables (成果指標表) of the example scenarios.

    python3 tools/make-kpi-tables.py            # writes scenarios/*-kpis.csv

Deterministic (no randomness, stdlib only); reads only the clone's own inventories. Outputs:
  scenarios/kitakyushu-r8-kpis.csv   a goal (アウトカム) for each cluster with KPIs, each program's
                                     outcome (from its inventory KPI) and an output per program
  scenarios/kumamoto-r8-kpis.csv     each program's outcome (from its inventory KPI), the 検証指標
                                     of 市役所改革プラン2027 by their own names [KM-PLAN]

EVERY VALUE IS ILLUSTRATIVE (the `note` column says so), except the names, baselines (R5) and
targets (R9) of Kumamoto's 検証指標, which are the plan's. The latest actual of a program's outcome
is its inventory's `kpi_actual`, so the table and the inventory's single KPI agree; the years
before are drawn on a path chosen so that:
  - an outcome whose latest achievement is below 0.2 (and not below 0) on a request that grew more
    than 5% fell short of the straight line from its baseline to its target in each of the three
    years (2023–2025): the effectiveness viewpoint (視点2) flags it (`efficiency_missed_years = 3`)
    with the verdict its one number already gave (縮小, score 1), now for the years — so the bundled
    allocations keep every yen; one below 0.2 whose request did not grow met the line in 2023 and
    fell behind since (悪化 in `waku evaluate`);
  - an outcome below its baseline (achievement < 0) moved the worse way year after year;
  - any other outcome met the line in 2023 (so no run of three missed years).
A cluster's goal moves with the mean achievement of its programs' outcomes.
"""
import csv
import math
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCEN = os.path.join(ROOT, "scenarios")
HEADER = ["subject", "indicator", "name", "type", "unit", "direction", "parent", "baseline_year",
          "baseline", "target_year", "target", "2023", "2024", "2025", "note"]
note = "illustrative"  # what the `note` column says


def read(name):
    with open(os.path.join(SCEN, name), encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def unit_of(name):
    """The unit in the indicator's brackets: `志願倍率（倍）` → `倍`."""
    if name.endswith("）") and "（" in name:
        return name[name.rindex("（") + 1:-1]
    return ""


def decimals(*texts):
    return max((len(t.split(".")[1]) if "." in t else 0) for t in texts)


def fmt(v, dp):
    return f"{v:.{dp}f}"


def growth(p):
    """The request's growth over last year's budget, as the rules read it (`program.growth`)."""
    money = lambda t: float(t.replace(",", "").replace("千円", "") or 0)
    prior = money(p["prior_cost"])
    return money(p["requested"]) / prior - 1 if prior else 0.0


def path(a_latest, grew):
    """Achievements of 2023, 2024, 2025 ending at the inventory's latest (see the module doc)."""
    if a_latest < 0:
        return [0.15, 0.05, a_latest]
    if a_latest < 0.2 and grew:
        return [a_latest * 0.4, a_latest * 0.7, a_latest]
    if a_latest < 0.2:
        return [0.22, (0.22 + a_latest) / 2, a_latest]
    a23 = 0.22 + (a_latest - 0.2) * 0.3
    return [a23, (a23 + a_latest) / 2, a_latest]


def program_rows(p, parent, baseline_year, target_year, name=None, baseline=None, target=None, years=(2023, 2024, 2025)):
    b = float(baseline if baseline is not None else p["kpi_baseline"])
    t = float(target if target is not None else p["kpi_target"])
    actual = float(p["kpi_actual"])
    dp = decimals(p["kpi_baseline"], p["kpi_target"], p["kpi_actual"])
    a_latest = (actual - b) / (t - b) if t != b else 1.0
    achievements = path(a_latest, growth(p) > 0.05)[-len(years):]
    values = {}
    for y, a in zip(years, achievements):
        values[y] = actual if y == years[-1] else b + (t - b) * a
    kpi_name = name or p["kpi_indicator"]
    rows = [[p["id"], f"{p['id']}-1", kpi_name, "アウトカム", unit_of(kpi_name), p["kpi_direction"] or "higher", parent,
             baseline_year, fmt(b, dp), target_year, fmt(t, dp)]
            + [fmt(values[y], dp) if y in values else "" for y in (2023, 2024, 2025)] + [note]]
    return rows, achievements


def output_row(p, index):
    """An output (アウトプット) under the program's outcome: steady, on the line."""
    base = 100 + (index * 37) % 400
    target = round(base * 1.25)
    values = [base + (target - base) * (y - 2022) / 5 for y in (2023, 2024, 2025)]
    return [p["id"], f"{p['id']}-0", f"{p['name']}の実施件数（件）", "アウトプット", "件", "higher", f"{p['id']}-1",
            2022, base, 2027, target] + [str(math.ceil(v)) for v in values] + [note]


def write(name, rows):
    with open(os.path.join(SCEN, name), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)
    print(f"wrote scenarios/{name}: {len(rows)} indicators")


def kitakyushu():
    programs = read("kitakyushu-r8-programs.csv")
    clusters = read("kitakyushu-clusters.csv")
    by_cluster = {}
    rows = []
    for i, p in enumerate(programs):
        if not p["kpi_indicator"] or not p["cluster"]:
            continue
        own, achievements = program_rows(p, f"C{p['cluster']}-1", 2022, 2027)
        rows += own
        rows.append(output_row(p, i))
        by_cluster.setdefault(p["cluster"], []).append(achievements)
    goals = []
    for c in clusters:
        members = by_cluster.get(c["id"])
        if not members:
            continue
        base = 40.0 + (int(c["id"]) * 7) % 20
        target = base + 10.0
        mean = [sum(m[k] for m in members) / len(members) for k in range(3)]
        values = [base + (target - base) * a for a in mean]
        goals.append([c["id"], f"C{c['id']}-1", f"「{c['name']}」の成果に満足している市民の割合（％）", "アウトカム", "％",
                      "higher", "", 2022, fmt(base, 1), 2027, fmt(target, 1)] + [fmt(v, 1) for v in values] + [note])
    write("kitakyushu-r8-kpis.csv", goals + rows)
    write("kitakyushu-r8-cycle/kpis.csv", goals + rows)  # the budget cycle's copy (tests/cycle.rs)


# 市役所改革プラン2027 [KM-PLAN]: 検証指標 → (program, name, baseline R5, target R9). The baselines
# and targets are the plan's; the programs they are attached to are the inventory's (illustrative).
KUMAMOTO_PLAN = {
    "M0008": ("市政に関する必要な情報を入手できていると感じる市民の割合（％）", "36.3", "50"),
    "M0017": ("職員の市役所で働くことへの満足度スコア（点）", "3.56", "3.70"),
    "M0027": ("男性職員育児休業取得割合・1週間以上（％）", "49", "90"),
    "M0028": ("女性管理職割合（％）", "13.1", "15"),
    "M0029": ("市役所改革により改革意識が変わったと感じる職員の割合（％）", "79", "90"),
    "M0051": ("地域活動（自治会等の活動、ボランティア・NPO活動など）に参加した市民の割合（％）", "36.5", "42.3"),
    "M0289": ("転入手続きにかかる窓口滞在時間・中央区（分）", "128", "79"),
    "M0290": ("区役所の窓口サービスに満足している市民の割合（％）", "57.2", "60"),
}


def kumamoto():
    rows = []
    for p in read("kumamoto-r8-programs.csv"):
        if not p["kpi_indicator"]:
            continue
        name, baseline, target = KUMAMOTO_PLAN.get(p["id"], (None, None, None))
        own, _ = program_rows(p, "", "R5", "R9", name, baseline, target, years=(2024, 2025))
        if name:
            own[0][-1] = "名称・基準値（R5）・検証値（R9）は市役所改革プラン2027、実績は illustrative"
        rows += own
    write("kumamoto-r8-kpis.csv", rows)


if __name__ == "__main__":
    kitakyushu()
    kumamoto()
