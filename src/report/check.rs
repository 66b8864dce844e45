//! The one-screen summary of `waku check`: the scenario's totals against its limits, and its
//! bureaus, as requested.

use super::text::{Table, amount as n, share_as_written};
use crate::money::Money;
use crate::scenario::{ProgramKind, Scenario, set_lines};

/// The one-screen summary printed by `waku check`.
pub fn summary(s: &Scenario) -> String {
    let u = s.display_unit;
    let mut out = String::new();
    out.push_str(&format!("{} {}（{}年度）\n", s.city, s.name, s.fiscal_year));
    out.push_str(&format!("scenario: {}\nrules: {}\n", s.path.display(), s.rules_dir.display()));
    for line in set_lines(&[(s.fiscal_year, &s.overrides)], u) {
        out.push_str(&line);
        out.push('\n');
    }
    let count = |k: ProgramKind| s.programs.iter().filter(|p| p.kind == k).count();
    out.push_str(&format!(
        "departments: {}  clusters: {}  programs: {} (mandatory {}, discretionary {}, investment {}, new {})\n\n",
        s.departments.len(),
        s.clusters.len(),
        s.programs.len(),
        count(ProgramKind::Mandatory),
        count(ProgramKind::Discretionary),
        count(ProgramKind::Investment),
        count(ProgramKind::New),
    ));

    let requested = s.total_requested();
    let investment: Money = s.programs.iter().filter(|p| p.kind == ProgramKind::Investment).map(|p| p.requested).sum();
    let funding: Vec<_> = s.programs.iter().map(|p| p.funding(p.requested)).collect();
    let bonds: Money = funding.iter().map(|f| f.bonds).sum();
    let needed: Money = funding.iter().map(|f| f.general_revenue).sum();
    let next_gen: Money = s.programs.iter().filter(|p| p.next_generation).map(|p| p.requested).sum();
    let mut t = Table::new(["", &format!("金額（{u}）"), "limit / note"]).left_last();
    if let Some(ga) = s.revenue.general_account {
        let note = if ga == requested {
            "inventory reconciles".to_string()
        } else {
            format!("inventory differs by {}", (requested - ga).format(u))
        };
        t.row(vec!["一般会計予算総額 general account".into(), n(ga, u), note]);
    }
    t.row(vec!["要求額合計 requested".into(), n(requested, u), String::new()]);
    t.row(vec![
        "  うち投資的経費 investment".into(),
        n(investment, u),
        format!("cap {}", s.policy.investment_cap.format(u)),
    ]);
    t.row(vec![
        "市債発行額 bond issuance at request".into(),
        n(bonds, u),
        format!("cap {}", s.bonds.issuance_cap.format(u)),
    ]);
    t.row(vec![
        "市債残高 bond balance start → end".into(),
        n(s.bonds.balance, u),
        format!(
            "→ {} at request (redemption {})",
            (s.bonds.balance + bonds - s.bonds.redemption).format(u),
            s.bonds.redemption.format(u)
        ),
    ]);
    t.row(vec!["一般財源 available".into(), n(s.revenue.general_revenue, u), String::new()]);
    t.row(vec![
        "一般財源 needed at request".into(),
        n(needed, u),
        format!("収支ギャップ gap {}", (needed - s.revenue.general_revenue).format(u)),
    ]);
    t.row(vec![
        "財源調整用基金 fund balance".into(),
        n(s.fund.balance, u),
        format!("floor {}, drawdown ≤ {}", s.fund.floor.format(u), s.fund.max_drawdown.format(u)),
    ]);
    t.row(vec![
        "次世代投資枠 next-generation at request".into(),
        n(next_gen, u),
        format!("target {}", s.policy.next_generation_target.format(u)),
    ]);
    t.row(vec![
        "市長調整枠 reserve share".into(),
        String::new(),
        format!(
            "{} – {} of available",
            share_as_written(s.policy.reserve_min_share),
            share_as_written(s.policy.reserve_max_share)
        ),
    ]);
    out.push_str(&t.ruled());
    out.push('\n');

    let mut d = Table::new([
        "id",
        "局・区",
        "programs",
        &format!("base（{u}）"),
        &format!("requested（{u}）"),
        &format!("一般財源 at request（{u}）"),
    ])
    .left([1]);
    for dep in &s.departments {
        let progs: Vec<_> = s.programs.iter().filter(|p| p.department == dep.id).collect();
        let req: Money = progs.iter().map(|p| p.requested).sum();
        let gr: Money = progs.iter().map(|p| p.general_revenue(p.requested)).sum();
        d.row(vec![
            dep.id.clone(),
            dep.name.clone(),
            progs.len().to_string(),
            n(s.department_base(&dep.id), u),
            n(req, u),
            n(gr, u),
        ]);
    }
    out.push_str(&d.ruled());
    out
}
