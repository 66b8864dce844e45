//! Autonomous mode as text: the per-bureau table of `--mode autonomous`, and the comparison with
//! central mode (`--mode compare`).

use std::fmt::Write as _;

use super::text::{Sign, Table, amount as n, heading, share, signed};
use crate::autonomy::{Autonomous, Comparison, DepartmentReport};
use crate::money::{Money, Unit};

/// The first column left, the figures right, the last (policy, why) left.
fn table(out: &mut String, header: &[&str], rows: Vec<Vec<String>>) {
    let mut t = Table::new(header.iter().copied()).left_last();
    t.rows(rows, &[]);
    t.write(out, super::terminal::Palette::PLAIN);
}

fn plus(m: Money, u: Unit) -> String {
    signed(m, u, Sign::Plus)
}

/// The per-bureau table of `waku run --mode autonomous`.
pub fn render_table(r: &Autonomous) -> String {
    let a = &r.allocation;
    let u = a.display_unit;
    let title =
        format!("{} {} FY{} — autonomous allocation ({}; {})", a.city, a.scenario, a.fiscal_year, u.suffix(), a.solver);
    let mut out = heading(&title, &[(a.fiscal_year, &a.overrides)], u);
    let _ = writeln!(
        out,
        "  own-review savings {} (ring-fenced at level 1): kept by bureaus {}, passed on to the reserve {}\n",
        n(r.savings_generated, u),
        n(r.savings_kept, u),
        n(r.savings_passed_on, u)
    );
    let mut rows: Vec<Vec<String>> = r
        .departments
        .iter()
        .map(|d| {
            vec![
                format!("{} {}", d.id, d.name),
                n(d.base, u),
                n(d.city_envelope, u),
                n(d.savings_generated, u),
                n(d.savings_kept, u),
                n(d.savings_passed_on, u),
                n(d.envelope, u),
                if d.initiatives_funded == 0 {
                    "-".into()
                } else {
                    format!("{} ({})", d.initiatives_funded, n(d.initiatives_cost, u))
                },
                format!(
                    "{}{}",
                    if d.policy == "default" {
                        "default".to_string()
                    } else {
                        format!("{} ({} moved)", d.policy, d.programs_moved)
                    },
                    d.kept_limited_by.map(|l| format!("; kept cut by {l}")).unwrap_or_default()
                ),
            ]
        })
        .collect();
    let sum = |f: fn(&DepartmentReport) -> Money| r.departments.iter().map(f).sum::<Money>();
    rows.push(vec![
        "total bureaus".into(),
        n(sum(|d| d.base), u),
        n(sum(|d| d.city_envelope), u),
        n(sum(|d| d.savings_generated), u),
        n(sum(|d| d.savings_kept), u),
        n(sum(|d| d.savings_passed_on), u),
        n(sum(|d| d.envelope), u),
        String::new(),
        String::new(),
    ]);
    rows.push(vec![
        "mayor's reserve".into(),
        String::new(),
        n(r.level1.reserve, u),
        String::new(),
        String::new(),
        format!("+{}", n(r.savings_passed_on, u)),
        n(a.reserve, u),
        String::new(),
        format!("{} of available", share(a.reserve_share)),
    ]);
    if !a.fund_deposit.is_zero() {
        rows.push(vec![
            "fund deposit".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            n(a.fund_deposit, u),
            String::new(),
            "passed-on savings above the reserve's maximum share".into(),
        ]);
    }
    rows.push(vec![
        "available".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        n(a.available, u),
        String::new(),
        "= envelopes + reserve".into(),
    ]);
    table(
        &mut out,
        &["bureau", "base", "city", "saved", "kept", "passed on", "envelope", "initiatives", "policy"],
        rows,
    );
    let _ = writeln!(
        out,
        "\n  investment {} (cap {}), bond issuance {} (cap {}), next-generation frame {} (target {})",
        n(a.investment, u),
        n(a.investment_cap, u),
        n(a.bond_issuance, u),
        n(a.bond_issuance_cap, u),
        n(a.next_generation, u),
        n(a.next_generation_target, u)
    );
    // What each bureau's own policy moved.
    for d in r.departments.iter().filter(|d| d.policy != "default" && d.programs_moved > 0) {
        let _ = writeln!(out, "\n  {} {} — its policy moved (level 1 → level 2):", d.id, d.name);
        let moved: Vec<Vec<String>> = a
            .programs
            .iter()
            .zip(&r.level1.programs)
            .filter(|(p, l1)| p.department == d.id && p.allocated != l1.allocated)
            .map(|(p, l1)| {
                vec![
                    format!("{} {}", p.id, p.name),
                    n(l1.allocated, u),
                    n(p.allocated, u),
                    plus(p.allocated - l1.allocated, u),
                    p.held_by.words().to_string(),
                ]
            })
            .collect();
        table(&mut out, &["program", "level 1", "level 2", "change", "held by"], moved);
    }
    out
}

/// The comparison table.
pub fn render_compare(c: &Comparison) -> String {
    let u = c.central.display_unit;
    let a = &c.central;
    let title = format!("{} {} FY{} — central vs autonomous ({})", a.city, a.scenario, a.fiscal_year, u.suffix());
    let mut out = heading(&title, &[(a.fiscal_year, &a.overrides)], u);
    let mut rows: Vec<Vec<String>> = c
        .departments
        .iter()
        .map(|d| {
            vec![
                format!("{} {}", d.id, d.name),
                n(d.central, u),
                n(d.autonomous, u),
                plus(d.difference, u),
                plus(d.city_change, u),
                n(d.savings_kept, u),
                d.why.clone(),
            ]
        })
        .collect();
    rows.push(vec![
        "mayor's reserve".into(),
        n(c.reserve_central, u),
        n(c.reserve_autonomous, u),
        plus(c.reserve_autonomous - c.reserve_central, u),
        String::new(),
        String::new(),
        format!("+{} passed-on savings", n(c.autonomous.savings_passed_on, u)),
    ]);
    table(&mut out, &["bureau", "central", "autonomous", "difference", "city", "kept", "why"], rows);
    out
}
