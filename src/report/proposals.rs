//! The proposals for the mayor's reserve in every report: funded and unfunded, why, and what is
//! left of the reserve ([`crate::allocate::proposals`]). Nothing is written without proposals.

use std::fmt::Write as _;

use super::terminal::{Style, Tone};
use super::text::{Table, amount as n};
use crate::allocate::proposals::ProposalResult;
use crate::allocate::{Allocation, Lang};

/// One table row: id and title, bureau, cost, score, amount, why (Japanese or English).
fn row(p: &ProposalResult, a: &Allocation, en: bool) -> Vec<String> {
    let u = a.display_unit;
    let verdict = match (p.funded, en) {
        (true, false) => "採択",
        (false, false) => "不採択",
        (true, true) => "funded",
        (false, true) => "not funded",
    };
    vec![
        format!("{} {}", p.id, p.title),
        p.department_name.clone(),
        n(p.cost, u),
        p.score.normalize().to_string(),
        verdict.to_string(),
        n(p.amount, u),
        if en { p.reason_en.clone() } else { p.reason.clone() },
    ]
}

fn header(en: bool) -> [&'static str; 7] {
    if en {
        ["Proposal", "Bureau", "Cost", "Score", "Verdict", "Funded", "Why"]
    } else {
        ["提案", "局・区", "所要一般財源", "評価点", "採否", "計上額", "理由"]
    }
}

/// 「市長調整枠 32.10億円 のうち提案に 30.00億円、残り 2.10億円（採択 9件、不採択 11件）」.
pub fn summary(a: &Allocation, en: bool) -> Option<String> {
    let r = a.proposal_reserve.as_ref()?;
    let [reserve, used, remaining, requested, next, later] =
        [r.reserve, r.used, r.remaining, r.requested, r.next_generation, r.later_cost]
            .map(|m| m.format(a.display_unit));
    let (funded, unfunded) = (r.funded, r.unfunded);
    Some(if en {
        format!(
            "Of the mayor's reserve of {reserve}, the proposals take {used}; {remaining} remains ({funded} funded, {unfunded} not funded; {requested} asked in all). Funded next-generation proposals: {next}; later years' cost of what is funded: {later}."
        )
    } else {
        format!(
            "市長調整枠 {reserve} のうち提案に {used} を計上し、残りは {remaining} です（採択 {funded}件、不採択 {unfunded}件、要求総額 {requested}）。採択した次世代投資枠の提案は {next}、採択分の後年度負担は {later}。"
        )
    })
}

/// The terminal section (after the run table).
pub fn terminal(out: &mut String, a: &Allocation, style: Style) {
    let Some(line) = summary(a, style.lang == super::terminal::Lang::En) else { return };
    let en = style.lang == super::terminal::Lang::En;
    let _ = writeln!(
        out,
        "\n  {}",
        if en { "proposals for the mayor's reserve (市長調整枠の提案)" } else { "市長調整枠の提案" }
    );
    let mut t = Table::new(header(en)).left([0, 1, 4, 6]);
    for p in &a.proposals {
        t.toned(if p.funded { Tone::Plain } else { Tone::Bad }, row(p, a, en));
    }
    t.write(out, style.palette);
    let _ = writeln!(out, "  {line}");
}

/// The memo's section (Markdown), in `lang`.
pub fn memo(out: &mut String, a: &Allocation, lang: Lang) {
    let en = lang == Lang::En;
    let Some(line) = summary(a, en) else { return };
    out.push_str(if en {
        "\n## Proposals for the mayor's reserve (重点事業・市長特定事業)\n\n"
    } else {
        "\n## 市長調整枠の提案（重点事業・市長特定事業）\n\n"
    });
    let _ = writeln!(out, "{line}\n");
    let mut t = Table::new(header(en)).left([0, 1, 4, 6]);
    for p in &a.proposals {
        t.row(row(p, a, en));
    }
    out.push_str(&t.markdown());
}
