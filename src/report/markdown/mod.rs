//! `waku run --format markdown`: a memo a budget officer can forward to the bureau chief or the
//! mayor — a summary in plain words, the envelopes, the reserve and the next-generation frame
//! against their bounds, the limits that bind (with what a unit more of each is worth), the fiscal
//! indicators against their thresholds, and the programs the review cut, with its reasons.
//!
//! Only presentation lives here: every amount is a field of the [`Allocation`], printed in the
//! scenario's display unit. Japanese by default; [`Lang::En`] (`--lang en`) writes waku's own words
//! in English and keeps what the city wrote (names, the rules' reasons) as written.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::text::{self, Sign, Table, amount as n, signed};
use crate::allocate::{Allocation, Holding, Lang};
use crate::fiscal::YearHealth;
use crate::money::{Money, Unit};
use crate::report::text::lang_writeln;
use crate::review::{Action, Review};

mod budget;
mod limits;
mod summary;

/// `ja` or `en`, as `lang` says.
fn w<'a>(lang: Lang, ja: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

/// A review action in the memo's language: `縮小`, or `縮小 (reduce)` in English.
fn action_label(action: Action, lang: Lang) -> String {
    match lang {
        Lang::Ja => action.label().to_string(),
        Lang::En => format!("{} ({})", action.label(), action.id()),
    }
}

/// The memo of one year. `health` and `review` add the fiscal indicators and the review's reasons;
/// with `all_programs`, every program is listed at the end.
pub fn memo(
    a: &Allocation,
    health: Option<&YearHealth>,
    review: Option<&Review>,
    all_programs: bool,
    lang: Lang,
) -> String {
    let u = a.display_unit;
    let l = |ja, en| w(lang, ja, en);
    let reasons: HashMap<&str, &str> = review
        .map(|r| r.programs.iter().map(|p| (p.id.as_str(), p.assessment.reason.as_str())).collect())
        .unwrap_or_default();
    let mut out = String::new();
    let (city, scenario, year, unit, solver) = (&a.city, &a.scenario, a.fiscal_year, u.suffix(), &a.solver);
    lang_writeln!(
        out,
        lang,
        ["# {city} {scenario} — 枠配分の結果（FY{year}）\n"],
        ["# {city} {scenario} — envelope allocation (FY{year})\n"]
    );
    lang_writeln!(
        out,
        lang,
        [
            "金額の単位は{unit}（表示は四捨五入、合計は円単位で一致）。waku による試算、ソルバー {solver}。\n{}。\n",
            crate::report::styles::style_line(a, true)
        ],
        [
            "Amounts in {unit} (rounded for display; totals agree to the yen). Computed by waku, solver {solver}.\n{}.\n",
            crate::report::styles::style_line(a, false)
        ]
    );
    let sets = crate::report::set_lines(&[(a.fiscal_year, &a.overrides)], u);
    if !sets.is_empty() {
        out.push_str(l(
            "前提の変更（コマンドラインの `--set`、シナリオファイルにはない値）:\n\n",
            "Changed assumptions (`--set` on the command line, not in the scenario file):\n\n",
        ));
        for line in sets {
            let _ = writeln!(out, "- `{line}`");
        }
        out.push('\n');
    }
    out.push_str(l("## 要旨\n\n", "## Summary\n\n"));
    out.push_str(&summary::summary(a, health, lang));
    out.push_str(l("\n\n## 局別の枠\n\n", "\n\n## Bureau envelopes (局別の枠)\n\n"));
    budget::envelopes(&mut out, a, lang);
    out.push_str(l("\n## 局別の事業費（前年度比）\n\n", "\n## Program cost by bureau, against the prior year\n\n"));
    budget::by_bureau(&mut out, a, lang);
    out.push_str(l("\n## 性質別の事業費\n\n", "\n## Program cost by kind of expense (性質別)\n\n"));
    budget::by_kind(&mut out, a, lang);
    out.push_str(l(
        "\n## 市長調整枠・次世代投資枠と財政の上限\n\n",
        "\n## The mayor's reserve, the next-generation frame and the fiscal limits\n\n",
    ));
    limits::frames(&mut out, a, lang);
    crate::report::proposals::memo(&mut out, a, lang);
    out.push_str(l("\n## 拘束している制約\n\n", "\n## Binding limits\n\n"));
    limits::binding(&mut out, a, lang);
    out.push_str(l("\n## 財政指標\n\n", "\n## Fiscal indicators\n\n"));
    limits::indicators(&mut out, a, health, lang);
    let cut: Vec<_> = a.programs.iter().filter(|p| is_cut(p.action)).collect();
    lang_writeln!(
        out,
        lang,
        ["\n## 縮小・統合・廃止とした事業（{}事業）\n", cut.len()],
        ["\n## Programs reduced, merged or abolished ({})\n", cut.len()]
    );
    if cut.is_empty() {
        out.push_str(l("ありません。\n", "None.\n"));
    } else {
        let rows: Vec<Vec<String>> = cut
            .iter()
            .map(|p| {
                let mut row = program_cells(a, p, lang);
                row.push(delta(p.allocated - p.requested, u));
                row.push(reasons.get(p.id.as_str()).copied().unwrap_or("").to_string());
                row
            })
            .collect();
        let header = match lang {
            Lang::Ja => ["事業", "局・区", "方向性", "要求額", "配分額", "増減", "見直しの理由"],
            Lang::En => ["Program", "Bureau", "Action", "Requested", "Allocated", "Change", "The review's reason"],
        };
        table(&mut out, &header, rows, &[0, 1, 2, 6]);
    }
    out.push_str(l("\n## 見直しの方向性別の集計\n\n", "\n## Totals by review action\n\n"));
    budget::actions(&mut out, a, lang);
    let listed: Vec<_> = a.programs.iter().filter(|p| all_programs || p.held_by == Holding::Marginal).collect();
    if !listed.is_empty() {
        let _ = writeln!(
            out,
            "\n## {}\n",
            match (all_programs, lang) {
                (true, Lang::Ja) => "全事業",
                (true, Lang::En) => "All programs",
                (false, Lang::Ja) => "限界的な事業（制約の境目で配分額が決まった事業）",
                (false, Lang::En) => "Marginal programs (their amount set where the limits meet)",
            }
        );
        let rows: Vec<Vec<String>> = listed
            .iter()
            .map(|p| {
                let mut row = program_cells(a, p, lang);
                row.push(n(p.general_revenue, u));
                row.push(w(lang, p.held_by.label_ja(), p.held_by.words()).to_string());
                row
            })
            .collect();
        let header = match lang {
            Lang::Ja => ["事業", "局・区", "方向性", "要求額", "配分額", "うち一般財源", "配分を決めたもの"],
            Lang::En => {
                ["Program", "Bureau", "Action", "Requested", "Allocated", "General revenue", "What set the amount"]
            }
        };
        table(&mut out, &header, rows, &[0, 1, 2, 6]);
    }
    out
}

/// A change as Japanese budget tables print it: `▲1.46` for a decrease.
fn delta(m: Money, u: Unit) -> String {
    signed(m, u, Sign::Triangle)
}

fn is_cut(action: Action) -> bool {
    matches!(action, Action::Reduce | Action::Merge | Action::Abolish)
}

fn bureau_name(a: &Allocation, id: &str) -> String {
    a.envelopes.iter().find(|e| e.department == id).map_or_else(|| id.to_string(), |e| e.name.clone())
}

/// A program's first cells in the memo's program lists: the program, its bureau, the review's
/// action, what was requested and what was allocated.
fn program_cells(a: &Allocation, p: &crate::allocate::ProgramAllocation, lang: Lang) -> Vec<String> {
    let u = a.display_unit;
    vec![
        format!("{} {}", p.id, p.name),
        bureau_name(a, &p.department),
        action_label(p.action, lang),
        n(p.requested, u),
        n(p.allocated, u),
    ]
}

/// A Markdown table; columns in `left` are left-aligned, the rest right-aligned.
fn table(out: &mut String, header: &[&str], rows: Vec<Vec<String>>, left: &[usize]) {
    let mut t = Table::new(header.iter().copied()).left(left.iter().copied());
    t.rows(rows, &[]);
    out.push_str(&t.markdown());
}

/// `md` one heading level lower (`#` → `##`), to sit under a plan's title.
pub fn demote(md: &str) -> String {
    let mut out = String::with_capacity(md.len() + 64);
    for line in md.lines() {
        if line.starts_with('#') {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The memo of a multi-year plan: the years side by side, then each year's memo (`reviews` in
/// the order of the years, for the review's reasons).
pub fn plan_memo(o: &crate::fiscal::PlanOutcome, reviews: &[Review], all_programs: bool, lang: Lang) -> String {
    let u = o.display_unit;
    let mut out = match lang {
        Lang::Ja => {
            format!("# {} {} — 複数年度の計画\n\n金額の単位は{}。\n\n## 年度ごとの総額\n\n", o.city, o.plan, u.suffix())
        }
        Lang::En => {
            format!("# {} {} — multi-year plan\n\nAmounts in {}.\n\n## Totals by year\n\n", o.city, o.plan, u.suffix())
        }
    };
    let rows = o
        .allocations
        .iter()
        .map(|a| {
            let envelopes: Money = a.envelopes.iter().map(|e| e.amount).sum();
            let prior: Money = a.by_bureau.iter().map(|b| b.prior_cost).sum();
            vec![
                format!("FY{}", a.fiscal_year),
                n(a.general_revenue, u),
                n(envelopes, u),
                n(a.reserve, u),
                n(prior, u),
                n(a.total_allocated, u),
                text::change(a.total_allocated, prior, 1, Sign::Triangle),
                n(a.investment, u),
                n(a.bond_issuance, u),
                n(a.next_generation, u),
            ]
        })
        .collect();
    let header = match lang {
        Lang::Ja => [
            "年度",
            "一般財源",
            "局別枠合計",
            "市長調整枠",
            "前年度当初",
            "事業費",
            "前年度比",
            "投資的経費",
            "市債発行額",
            "次世代投資枠",
        ],
        Lang::En => [
            "Year",
            "General revenue",
            "Envelopes",
            "Mayor's reserve",
            "Prior-year budget",
            "Program cost",
            "vs prior year",
            "Investment",
            "Bond issuance",
            "Next-generation",
        ],
    };
    table(&mut out, &header, rows, &[0]);
    for (t, a) in o.allocations.iter().enumerate() {
        out.push('\n');
        out.push_str(&demote(&memo(a, o.fiscal_health.years.get(t), reviews.get(t), all_programs, lang)));
    }
    out
}
