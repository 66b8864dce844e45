//! The one-screen summary of `waku check`: the scenario's totals against its limits, its bureaus
//! and its kinds of expense (性質別), as requested. English beside the Japanese names, or Japanese
//! throughout ([`Lang::Ja`]).

use super::terminal::Lang;
use super::text::{Table, amount as n, share_as_written};
use crate::money::Money;
use crate::scenario::{Nature, ProgramKind, Scenario, set_lines};

/// The one-screen summary printed by `waku check`.
pub fn summary(s: &Scenario) -> String {
    summary_in(s, Lang::En)
}

/// [`summary`] in `lang`.
pub fn summary_in(s: &Scenario, lang: Lang) -> String {
    let u = s.display_unit;
    let ja = lang == Lang::Ja;
    // A row's label: `一般財源 available`, or the Japanese alone.
    let l = |ja_words: &str, en: &str| if ja { ja_words.to_string() } else { format!("{ja_words} {en}") };
    let mut out = String::new();
    out.push_str(&format!("{} {}（{}年度）\n", s.city, s.name, s.fiscal_year));
    match lang {
        Lang::En => out.push_str(&format!("scenario: {}\nrules: {}\n", s.path.display(), s.rules_dir.display())),
        Lang::Ja => out.push_str(&format!("シナリオ: {}\nルール: {}\n", s.path.display(), s.rules_dir.display())),
    }
    for line in set_lines(&[(s.fiscal_year, &s.overrides)], u) {
        out.push_str(&line);
        out.push('\n');
    }
    let count = |k: ProgramKind| s.programs.iter().filter(|p| p.kind == k).count();
    let (m, d, i, new) = (
        count(ProgramKind::Mandatory),
        count(ProgramKind::Discretionary),
        count(ProgramKind::Investment),
        count(ProgramKind::New),
    );
    let (bureaus, clusters, programs) = (s.departments.len(), s.clusters.len(), s.programs.len());
    out.push_str(&match lang {
        Lang::En => format!(
            "departments: {bureaus}  clusters: {clusters}  programs: {programs} (mandatory {m}, discretionary {d}, investment {i}, new {new})\n\n"
        ),
        Lang::Ja => format!(
            "局・区: {bureaus}  事業クラスター: {clusters}  事業: {programs}（義務的 {m}、裁量的 {d}、投資的 {i}、新規 {new}）\n\n"
        ),
    });

    let requested = s.total_requested();
    let investment: Money = s.programs.iter().filter(|p| p.kind == ProgramKind::Investment).map(|p| p.requested).sum();
    let funding: Vec<_> = s.programs.iter().map(|p| p.funding(p.requested)).collect();
    let bonds: Money = funding.iter().map(|f| f.bonds).sum();
    let needed: Money = funding.iter().map(|f| f.general_revenue).sum();
    let next_gen: Money = s.programs.iter().filter(|p| p.next_generation).map(|p| p.requested).sum();
    let mut t = Table::new(["", &format!("金額（{u}）"), lang.pick("limit / note", "上限・注記")]).left_last();
    if let Some(ga) = s.revenue.general_account {
        let note = match (ga == requested, lang) {
            (true, Lang::En) => "inventory reconciles".to_string(),
            (true, Lang::Ja) => "事業の要求額の合計と一致".to_string(),
            (false, Lang::En) => format!("inventory differs by {}", (requested - ga).format(u)),
            (false, Lang::Ja) => format!("事業の要求額の合計と {} の差", (requested - ga).format(u)),
        };
        t.row(vec![l("一般会計予算総額", "general account"), n(ga, u), note]);
    }
    let cap = |m: Money| format!("{} {}", lang.pick("cap", "上限"), m.format(u));
    t.row(vec![l("要求額合計", "requested"), n(requested, u), String::new()]);
    t.row(vec![format!("  {}", l("うち投資的経費", "investment")), n(investment, u), cap(s.policy.investment_cap)]);
    t.row(vec![l("市債発行額", "bond issuance at request"), n(bonds, u), cap(s.bonds.issuance_cap)]);
    let end = (s.bonds.balance + bonds - s.bonds.redemption).format(u);
    t.row(vec![
        l("市債残高", "bond balance start → end"),
        n(s.bonds.balance, u),
        match lang {
            Lang::En => format!("→ {end} at request (redemption {})", s.bonds.redemption.format(u)),
            Lang::Ja => format!("→ 要求どおりなら {end}（償還 {}）", s.bonds.redemption.format(u)),
        },
    ]);
    t.row(vec![l("一般財源", "available"), n(s.revenue.general_revenue, u), String::new()]);
    let gap = (needed - s.revenue.general_revenue).format(u);
    t.row(vec![
        l("一般財源", "needed at request"),
        n(needed, u),
        match lang {
            Lang::En => format!("収支ギャップ gap {gap}"),
            Lang::Ja => format!("要求に要する額、収支ギャップ {gap}"),
        },
    ]);
    let (floor, drawdown) = (s.fund.floor.format(u), s.fund.max_drawdown.format(u));
    t.row(vec![
        l("財源調整用基金", "fund balance"),
        n(s.fund.balance, u),
        match lang {
            Lang::En => format!("floor {floor}, drawdown ≤ {drawdown}"),
            Lang::Ja => format!("下限 {floor}、取崩し ≤ {drawdown}"),
        },
    ]);
    let target = s.policy.next_generation_target.format(u);
    t.row(vec![
        l("次世代投資枠", "next-generation at request"),
        n(next_gen, u),
        format!("{} {target}", lang.pick("target", "目標")),
    ]);
    let (lo, hi) = (share_as_written(s.policy.reserve_min_share), share_as_written(s.policy.reserve_max_share));
    t.row(vec![
        l("市長調整枠", "reserve share"),
        String::new(),
        match lang {
            Lang::En => format!("{lo} – {hi} of available"),
            Lang::Ja => format!("配分可能額の{lo}〜{hi}"),
        },
    ]);
    out.push_str(&t.ruled());
    out.push('\n');

    let mut d = match lang {
        Lang::En => Table::new([
            "id".to_string(),
            "局・区".into(),
            "programs".into(),
            format!("base（{u}）"),
            format!("前年度当初 prior year（{u}）"),
            format!("requested（{u}）"),
            format!("一般財源 at request（{u}）"),
        ]),
        Lang::Ja => Table::new([
            "局コード".to_string(),
            "局・区".into(),
            "事業数".into(),
            format!("基準額（{u}）"),
            format!("前年度当初（{u}）"),
            format!("要求額（{u}）"),
            format!("要求時の一般財源（{u}）"),
        ]),
    }
    .left([1]);
    for dep in &s.departments {
        let progs: Vec<_> = s.programs.iter().filter(|p| p.department == dep.id).collect();
        let prior: Money = progs.iter().map(|p| p.prior_cost).sum();
        let req: Money = progs.iter().map(|p| p.requested).sum();
        let gr: Money = progs.iter().map(|p| p.general_revenue(p.requested)).sum();
        d.row(vec![
            dep.id.clone(),
            dep.name.clone(),
            progs.len().to_string(),
            n(s.department_base(&dep.id), u),
            n(prior, u),
            n(req, u),
            n(gr, u),
        ]);
    }
    out.push_str(&d.ruled());
    out.push('\n');

    // The kinds of expense as requested; the unclassed last.
    let mut k = Table::new([
        lang.pick("性質別 kind of expense", "性質別").to_string(),
        lang.pick("programs", "事業数").into(),
        format!("{}（{u}）", lang.pick("前年度当初 prior year", "前年度当初")),
        format!("{}（{u}）", lang.pick("requested", "要求額")),
    ]);
    let kinds = Nature::ALL.into_iter().map(Some).chain([None]);
    for kind in kinds {
        let progs: Vec<_> = s.programs.iter().filter(|p| p.nature == kind).collect();
        if progs.is_empty() {
            continue;
        }
        k.row(vec![
            kind.map_or("未分類", Nature::label).to_string(),
            progs.len().to_string(),
            n(progs.iter().map(|p| p.prior_cost).sum(), u),
            n(progs.iter().map(|p| p.requested).sum(), u),
        ]);
    }
    out.push_str(&k.ruled());
    out
}
