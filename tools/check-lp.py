#!/usr/bin/env python3
"""Independent check of waku's optimum: solve an LP file written by `waku run --emit-lp FILE`
with HiGHS and compare it with the optimum waku wrote in the file's header — the objective, and
the value of every variable (every program's cost, the reserve, the fund's drawdown and deposit).

    pip install highspy
    waku run scenarios/kitakyushu-r8.toml --emit-lp /tmp/k.lp
    python3 tools/check-lp.py /tmp/k.lp

waku's objective makes the optimum unique by a stated rule (README, "The objective": priority,
then inventory order among equal priorities, with steps far above solver tolerances), so HiGHS
must find the same point, not only an equally good one.

Exit 0 when the objectives agree within 1e-6 relative and every variable within 1 yen, 1 otherwise.
"""
import re
import sys

import highspy

YEN_TOLERANCE = 1.0


def main(path):
    text = open(path, encoding="utf-8").read()
    m = re.search(r"waku optimum objective: (\S+)", text)
    if not m:
        print(f"{path}: no `waku optimum objective` line (was the model solved?)")
        return 1
    waku = float(m.group(1))
    scale = float(re.search(r"money in units of (\S+) yen", text).group(1))
    values = {name: float(x) for name, x in re.findall(r"^\\ waku value (\S+) (\S+)$", text, re.M)}
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.readModel(path)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    highs = h.getInfo().objective_function_value
    rel = abs(highs - waku) / max(1.0, abs(highs))
    lp = h.getLp()
    print(f"{path}: {lp.num_col_} columns, {lp.num_row_} rows; HiGHS {status} {highs:.12e}; waku {waku:.12e}; "
          f"relative difference {rel:.2e}")
    ok = status == "Optimal" and rel <= 1e-6
    if values:
        solution = h.getSolution().col_value
        worst, worst_name, apart = 0.0, None, 0
        for name, x in zip(lp.col_names_, solution):
            if name not in values:
                print(f"  {name}: no waku value")
                ok = False
                continue
            # An all-or-nothing 0/1 variable is one request: compare it as a choice.
            yen = abs(x - values[name]) * scale
            if yen > YEN_TOLERANCE:
                apart += 1
            if yen > worst:
                worst, worst_name = yen, name
        print(f"  same point: {len(values) - apart} of {len(values)} variables within {YEN_TOLERANCE:g} yen; "
              f"largest difference {worst:,.3f} yen" + (f" ({worst_name})" if worst_name else ""))
        ok = ok and apart == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(max(main(p) for p in sys.argv[1:]) if len(sys.argv) > 1 else 2)
