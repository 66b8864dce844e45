#!/usr/bin/env python3
"""Derive the FY2024 and FY2025 inventories of the Kitakyushu plan from the FY2026 one.

    python3 tools/make-plan-inventories.py     # writes scenarios/kitakyushu-r6-programs.csv, -r7-

ILLUSTRATIVE: the same 600 programs (a program spans the plan's years), every amount scaled by
the year's general-account ratio to FY2026, next-generation programs scaled so their requests
total the frame the city secured that year, and the residual put on the largest mandatory
program so the REAL general-account totals hold exactly (sources in docs/sources.md):
  FY2024 Σ requested = 6,278.83億円 [K-BUDGET], Σ next-generation requested = 111億円 [K-PROGRESS]
  FY2025 Σ requested = 6,435億円 [K-BUDGET],    Σ next-generation requested = 141億円 [K-PROGRESS]
All money is in whole 千円 (1億円 = 100,000千円). Deterministic, stdlib only.
"""
import csv
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "scenarios", "kitakyushu-r8-programs.csv")
OKU = 100_000
YEARS = {"r6": (627_883_000, 111 * OKU), "r7": (643_500_000, 141 * OKU)}
MONEY = ["prior_cost", "requested", "fees", "natural_savings"]


def sen(cell):
    cell = cell.replace(",", "").replace("千円", "").strip()
    return int(cell) if cell else None


def fmt(k):
    return f"{k:,}千円"


def main():
    with open(SRC, encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        rows = list(reader)
    total26 = sum(sen(r["requested"]) for r in rows)
    for tag, (total, frame) in YEARS.items():
        ratio = total / total26
        ng_total = sum(sen(r["requested"]) for r in rows if r["next_generation"] == "true")
        out = []
        for r in rows:
            r = dict(r)
            f = frame / ng_total if r["next_generation"] == "true" else ratio
            for col in MONEY:
                v = sen(r[col])
                if v is not None:
                    r[col] = fmt(round(v * f))
            out.append(r)
        # Next-generation requests to the frame exactly, then the general account exactly.
        ng = [r for r in out if r["next_generation"] == "true"]
        big_ng = max(ng, key=lambda r: sen(r["requested"]))
        big_ng["requested"] = fmt(sen(big_ng["requested"]) + frame - sum(sen(r["requested"]) for r in ng))
        mand = [r for r in out if r["kind"] == "mandatory"]
        big = max(mand, key=lambda r: sen(r["requested"]))
        big["requested"] = fmt(sen(big["requested"]) + total - sum(sen(r["requested"]) for r in out))
        path = os.path.join(ROOT, "scenarios", f"kitakyushu-{tag}-programs.csv")
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
            w.writeheader()
            w.writerows(out)
        inv = sum(sen(r["requested"]) for r in out if r["kind"] == "investment")
        print(f"{path}: total {sum(sen(r['requested']) for r in out) / OKU}億円, "
              f"next-generation {sum(sen(r['requested']) for r in ng) / OKU}億円, investment {inv / OKU}億円")


if __name__ == "__main__":
    main()
