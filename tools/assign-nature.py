#!/usr/bin/env python3
"""Give every program of the bundled inventories its 性質別 (kind of expense), in a `nature` column.

    python3 tools/assign-nature.py            # rewrites scenarios/*-programs.csv in place

ILLUSTRATIVE: the inventories are illustrative, and so is this column. Each program gets the
category a budget book would most likely print it under, judged from its name and its 経費区分
(`kind`), by the rules below, first match wins:

  investment                                  → 投資的経費 (普通建設事業費, 災害復旧事業費)
  給与費, 報酬, 退職手当                        → 人件費
  市債元金・利子償還金, 一時借入金利子, 公債諸費  → 公債費
  …繰出金                                      → 繰出金
  貸与, 貸付                                    → 投資・出資金・貸付金
  積立                                          → 積立金
  交付金, 負担金, 補助, 利子補給, 奨励金, 助成    → 補助費等 (a mandatory 医療費助成 is 扶助費)
  mandatory: 手当, 給付, 措置費, 医療費, 生活保護, 就学援助, 補装具, サービス費 → 扶助費
  敬老祝金, 乗車券, 給食費負担軽減                → 扶助費
  維持管理, 維持補修, 補修, 保全                  → 維持補修費
  anything else                                → 物件費 (委託, 運営, システム, 啓発 …)

Only the `nature` column changes: it is appended (or, when present, replaced) on every line, so
every other byte of the file stays as it was. Run it again after regenerating an inventory
(tools/make-example-inventories.py, tools/make-plan-inventories.py). Deterministic, stdlib only.
"""
import csv
import glob
import io
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def nature(name, kind):
    n = re.sub(r"（.*?）", "", name)
    if kind == "investment":
        return "投資的経費"
    if re.search(r"給与費|報酬|退職手当", n):
        return "人件費"
    if re.search(r"市債元金償還金|市債利子償還金|一時借入金利子|公債諸費", n):
        return "公債費"
    if n.endswith("繰出金"):
        return "繰出金"
    if re.search(r"貸与|貸付", n):
        return "投資・出資金・貸付金"
    if "積立" in n:
        return "積立金"
    if kind == "mandatory" and re.search(r"手当|給付|措置費|医療費|生活保護|就学援助|補装具|サービス費|支援給付", n):
        return "扶助費"
    if re.search(r"交付金|負担金|補助|利子補給|奨励金|助成", n):
        return "補助費等"
    if re.search(r"敬老祝金|乗車券|給食費負担軽減", n):
        return "扶助費"
    if re.search(r"維持管理|維持補修|補修|保全", n):
        return "維持補修費"
    return "物件費"


def assign(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        text = f.read()
    bom = "\ufeff"
    lines = text.split("\n")
    ending = "\r" if lines[0].endswith("\r") else ""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    replace = header[-1] == "nature"
    name, kind = header.index("name"), header.index("kind")
    out = []
    row_i = 0
    for line in lines:
        if not line.strip():
            out.append(line)
            continue
        body = line[: len(line) - len(ending)] if ending else line
        if replace:
            body = body.rsplit(",", 1)[0]
        if row_i == 0:
            body += ",nature"
        else:
            r = rows[row_i]
            body += "," + nature(r[name], r[kind])
        row_i += 1
        out.append(body + ending)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(bom + "\n".join(out))


def main():
    for path in sorted(glob.glob(os.path.join(ROOT, "scenarios", "*-programs.csv"))):
        assign(path)
        print(f"wrote {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
