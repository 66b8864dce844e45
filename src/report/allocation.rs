//! `waku run` as text for the terminal, in the display unit: the totals, the envelopes, each
//! bureau's budget against last year's, the totals by kind of expense (性質別), the binding limits,
//! the review actions and the marginal programs. English headings beside the Japanese names, or
//! Japanese throughout ([`Lang::Ja`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::terminal::{Lang, Style, Tone};
use super::text::{self, Sign, Table, amount as n, lang_writeln};
use crate::allocate::{Allocation, Holding};
use crate::constraint::ConstraintKind;
use crate::money::{Money, Unit};

/// Rows in their tones, under `header`, indented as the run table prints them.
fn table(out: &mut String, header: &[&str], rows: Vec<Vec<String>>, tones: &[Tone], style: Style) {
    let mut t = Table::new(header.iter().copied()).left_last();
    t.rows(rows, tones);
    t.write(out, style.palette);
}

/// Cuts and abolitions, painted red on a terminal.
fn is_cut(action: crate::review::Action) -> bool {
    use crate::review::Action;
    matches!(action, Action::Reduce | Action::Merge | Action::Abolish)
}

fn change(now: Money, before: Money) -> String {
    text::change(now, before, 1, Sign::Plus)
}

/// A bureau as the table names it: `seisaku 政策局`, or its name alone in Japanese.
pub(crate) fn bureau(id: &str, name: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{id} {name}"),
        Lang::Ja => name.to_string(),
    }
}

fn envelope_rows(a: &Allocation, lang: Lang) -> Vec<Vec<String>> {
    let u = a.display_unit;
    let l = |en, ja| lang.pick(en, ja).to_string();
    let mut rows: Vec<Vec<String>> = a
        .envelopes
        .iter()
        .map(|e| {
            let mut row = vec![bureau(&e.department, &e.name, lang)];
            row.extend(text::envelope_figures(e, u, Sign::Plus));
            row
        })
        .collect();
    let total: Money = a.envelopes.iter().map(|e| e.amount).sum();
    let base: Money = a.envelopes.iter().map(|e| e.base).sum();
    let req: Money = a.envelopes.iter().map(|e| e.requested).sum();
    let only = |label: String, m: Money, note: String| {
        vec![label, String::new(), String::new(), String::new(), String::new(), n(m, u), note]
    };
    rows.push(vec![
        l("total envelopes", "局別枠合計"),
        n(base, u),
        n(req, u),
        String::new(),
        String::new(),
        n(total, u),
        change(total, base),
    ]);
    rows.push(only(l("mayor's reserve", "市長調整枠"), a.reserve, text::share(a.reserve_share)));
    rows.push(only(l("available", "配分可能な一般財源"), a.available, String::new()));
    rows
}

/// Bureaus whose floor or ceiling binds are yellow; the last three rows are totals.
fn envelope_tones(a: &Allocation) -> Vec<Tone> {
    let mut tones: Vec<Tone> = a
        .envelopes
        .iter()
        .map(|e| {
            let binds = a.constraints.iter().any(|c| c.binding && c.kind.department() == Some(e.department.as_str()));
            if binds { Tone::Binding } else { Tone::Plain }
        })
        .collect();
    tones.extend([Tone::Total; 3]);
    tones
}

/// Tones of [`summary_rows`]: the available total bold, a figure at its cap yellow.
fn summary_tones(a: &Allocation) -> Vec<Tone> {
    let at = |v: Money, cap: Money| if v == cap { Tone::Binding } else { Tone::Plain };
    vec![
        Tone::Plain,
        Tone::Plain,
        Tone::Plain,
        Tone::Total,
        at(a.investment, a.investment_cap),
        at(a.bond_issuance, a.bond_issuance_cap),
        if a.next_generation < a.next_generation_target { Tone::Bad } else { Tone::Plain },
        Tone::Total,
    ]
}

fn summary_rows(a: &Allocation, lang: Lang) -> Vec<Vec<String>> {
    let u = a.display_unit;
    let l = |en, ja| lang.pick(en, ja).to_string();
    let ja = lang == Lang::Ja;
    vec![
        vec![l("general revenue", "一般財源"), n(a.general_revenue, u), String::new()],
        vec![l("fund drawdown", "基金取崩し"), n(a.fund_drawdown, u), {
            let (start, end, floor) = (n(a.fund_balance_start, u), n(a.fund_balance_end, u), n(a.fund_floor, u));
            if ja {
                format!("残高 {start} → {end}（下限 {floor}）")
            } else {
                format!("balance {start} → {end} (floor {floor})")
            }
        }],
        vec![l("fund deposit", "基金積立"), n(a.fund_deposit, u), String::new()],
        vec![
            l("available", "配分可能な一般財源"),
            n(a.available, u),
            l("= envelopes + reserve", "= 局別枠合計 + 市長調整枠"),
        ],
        vec![
            l("investment", "投資的経費"),
            n(a.investment, u),
            format!("{} {}", l("cap", "上限"), n(a.investment_cap, u)),
        ],
        vec![l("bond issuance", "市債発行額"), n(a.bond_issuance, u), {
            let (cap, start) = (n(a.bond_issuance_cap, u), n(a.bond_balance_start, u));
            let (end, redemption) = (n(a.bond_balance_end, u), n(a.bond_redemption, u));
            if ja {
                format!("上限 {cap}、残高 {start} → {end}（償還 {redemption}）")
            } else {
                format!("cap {cap}; balance {start} → {end} (redemption {redemption})")
            }
        }],
        vec![
            l("next-generation frame", "次世代投資枠"),
            n(a.next_generation, u),
            format!("{} {}", l("target", "目標"), n(a.next_generation_target, u)),
        ],
        vec![
            l("programs", "事業費"),
            n(a.total_allocated, u),
            format!("{} {}", l("requested", "要求"), n(a.total_requested, u)),
        ],
    ]
}

/// Each bureau's budget (事業費) this year against last year's, with a total row.
pub(crate) fn year_on_year(out: &mut String, a: &Allocation, style: Style) {
    let (u, lang) = (a.display_unit, style.lang);
    let mut t = Table::new(lang.pick_all([
        ("budget by bureau (cost)", "局・区別の事業費"),
        ("prior year", "前年度当初"),
        ("requested", "要求額"),
        ("this year", "本年度"),
        ("change", "増減"),
        ("vs prior", "増減率"),
    ]));
    for b in &a.by_bureau {
        t.row(year_row(bureau(&b.department, &b.name, lang), b.prior_cost, b.requested, b.allocated, u));
    }
    let prior: Money = a.by_bureau.iter().map(|b| b.prior_cost).sum();
    t.toned(Tone::Total, year_row(lang.pick("total", "合計").into(), prior, a.total_requested, a.total_allocated, u));
    t.write(out, style.palette);
}

fn year_row(label: String, prior: Money, requested: Money, now: Money, u: Unit) -> Vec<String> {
    vec![label, n(prior, u), n(requested, u), n(now, u), text::signed(now - prior, u, Sign::Plus), change(now, prior)]
}

/// The programs' totals by kind of expense (性質別), with a total row.
pub(crate) fn by_kind(out: &mut String, a: &Allocation, style: Style) {
    let (u, lang) = (a.display_unit, style.lang);
    let mut t = Table::new(lang.pick_all([
        ("kind of expense (性質別)", "性質別"),
        ("programs", "事業数"),
        ("prior year", "前年度当初"),
        ("requested", "要求額"),
        ("this year", "本年度"),
        ("change", "増減"),
        ("general rev.", "うち一般財源"),
    ]));
    let row = |label: String, count: usize, prior: Money, requested: Money, now: Money, general: Money| {
        vec![
            label,
            count.to_string(),
            n(prior, u),
            n(requested, u),
            n(now, u),
            text::signed(now - prior, u, Sign::Plus),
            n(general, u),
        ]
    };
    for k in &a.by_kind {
        t.row(row(k.label().into(), k.programs, k.prior_cost, k.requested, k.allocated, k.general_revenue));
    }
    let prior: Money = a.by_kind.iter().map(|k| k.prior_cost).sum();
    let general: Money = a.by_kind.iter().map(|k| k.general_revenue).sum();
    let total =
        row(lang.pick("total", "合計").into(), a.programs.len(), prior, a.total_requested, a.total_allocated, general);
    t.toned(Tone::Total, total);
    t.write(out, style.palette);
}

/// Programs by review action and what holds them, with a total row; the tones paint cuts red.
fn action_rows(a: &Allocation, lang: Lang) -> (Vec<Vec<String>>, Vec<Tone>) {
    let u = a.display_unit;
    // By action, then by what holds them (in the order of the English words, in either language).
    let mut by: BTreeMap<(crate::review::Action, &str), (Holding, usize, Money, Money)> = BTreeMap::new();
    for p in &a.programs {
        let e = by.entry((p.action, p.held_by.words())).or_insert((p.held_by, 0, Money::ZERO, Money::ZERO));
        e.1 += 1;
        e.2 += p.requested;
        e.3 += p.allocated;
    }
    let tones = by.keys().map(|(action, _)| if is_cut(*action) { Tone::Bad } else { Tone::Plain });
    let tones = tones.chain([Tone::Total]).collect();
    let mut rows: Vec<Vec<String>> = by
        .into_iter()
        .map(|((action, _), (h, count, req, alloc))| {
            let held = lang.pick(h.words(), h.label_ja());
            vec![format!("{} {held}", action.label()), count.to_string(), n(req, u), n(alloc, u)]
        })
        .collect();
    rows.push(vec![
        lang.pick("total", "合計").into(),
        a.programs.len().to_string(),
        n(a.total_requested, u),
        n(a.total_allocated, u),
    ]);
    (rows, tones)
}

fn program_tones(a: &Allocation, all: bool) -> Vec<Tone> {
    a.programs
        .iter()
        .filter(|p| all || p.held_by == Holding::Marginal)
        .map(|p| if is_cut(p.action) { Tone::Bad } else { Tone::Plain })
        .collect()
}

fn program_rows(a: &Allocation, all: bool, lang: Lang) -> Vec<Vec<String>> {
    let u = a.display_unit;
    let names: BTreeMap<&str, &str> = a.envelopes.iter().map(|e| (e.department.as_str(), e.name.as_str())).collect();
    a.programs
        .iter()
        .filter(|p| all || p.held_by == Holding::Marginal)
        .map(|p| {
            vec![
                format!("{} {}", p.id, p.name),
                match lang {
                    Lang::En => p.department.clone(),
                    Lang::Ja => names.get(p.department.as_str()).copied().unwrap_or(&p.department).to_string(),
                },
                p.action.label().to_string(),
                n(p.prior_cost, u),
                n(p.requested, u),
                n(p.allocated, u),
                change(p.allocated, p.prior_cost),
                n(p.general_revenue, u),
                lang.pick(p.held_by.words(), p.held_by.label_ja()).to_string(),
            ]
        })
        .collect()
}

/// The terminal table. With `all_programs`, every program is listed; otherwise only the marginal ones.
pub fn render_table(a: &Allocation, all_programs: bool) -> String {
    render_table_in(a, all_programs, Style::PLAIN)
}

/// [`render_table`] in `style` (colour on a terminal, the language of the headings).
pub fn render_table_in(a: &Allocation, all_programs: bool, style: Style) -> String {
    let (u, lang) = (a.display_unit, style.lang);
    let l = |en, ja| lang.pick(en, ja);
    let title = match lang {
        Lang::En => {
            format!("{} {} FY{} — allocation ({}; solver {})", a.city, a.scenario, a.fiscal_year, u.suffix(), a.solver)
        }
        Lang::Ja => format!(
            "{} {}（FY{}）— 枠配分の結果（単位 {}、ソルバー {}）",
            a.city,
            a.scenario,
            a.fiscal_year,
            u.suffix(),
            a.solver
        ),
    };
    let mut out = text::heading(&title, &[(a.fiscal_year, &a.overrides)], u);
    // The 配分方式 after the title and its `--set` lines, before the blank line.
    out.pop();
    let _ = writeln!(out, "{}\n", super::styles::style_line(a, lang == Lang::Ja));
    table(&mut out, &["", u.suffix(), ""], summary_rows(a, lang), &summary_tones(a), style);
    out.push('\n');
    table(
        &mut out,
        &[
            l("bureau", "局・区"),
            l("base", "基準額"),
            l("requested", "要求額"),
            l("floor", "下限"),
            l("ceiling", "上限"),
            l("envelope", "配分枠"),
            l("vs base", "対基準"),
        ],
        envelope_rows(a, lang),
        &envelope_tones(a),
        style,
    );
    out.push('\n');
    year_on_year(&mut out, a, style);
    out.push('\n');
    by_kind(&mut out, a, style);
    out.push('\n');
    let binding: Vec<Vec<String>> = a
        .constraints
        .iter()
        .filter(|c| c.binding && c.kind != ConstraintKind::Balance)
        .map(|c| match lang {
            Lang::En => vec![c.name.clone(), n(c.limit, u), c.price_words(u)],
            Lang::Ja => vec![c.kind.label_ja(), n(c.limit, u), c.price_words_ja(u)],
        })
        .collect();
    let balance = a.constraints.iter().find(|c| c.kind == ConstraintKind::Balance);
    if let Some(b) = balance {
        lang_writeln!(
            out,
            lang,
            ["  一般財源の限界的な価値: {}", b.price_words_ja(u)],
            ["  marginal value of general revenue: {}", b.price_words(u)]
        );
    }
    if binding.is_empty() {
        let _ = writeln!(out, "  {}", l("no limit binds", "拘束している制約はありません"));
    } else {
        let tones = vec![Tone::Binding; binding.len()];
        let header =
            [l("binding limit", "拘束している制約"), l("limit", "限度"), l("shadow price", "シャドープライス")];
        table(&mut out, &header, binding, &tones, style);
    }
    out.push('\n');
    let (actions, tones) = action_rows(a, lang);
    let header = [
        l("review action", "見直しの方向性"),
        l("programs", "事業数"),
        l("requested", "要求額"),
        l("allocated", "配分額"),
    ];
    table(&mut out, &header, actions, &tones, style);
    let rows = program_rows(a, all_programs, lang);
    if !rows.is_empty() {
        out.push('\n');
        let first = match (all_programs, lang) {
            (true, _) => l("program", "事業"),
            (false, _) => l("marginal program", "限界的な事業"),
        };
        table(
            &mut out,
            &[
                first,
                l("bureau", "局・区"),
                l("action", "方向性"),
                l("prior year", "前年度当初"),
                l("requested", "要求額"),
                l("allocated", "配分額"),
                l("vs prior", "対前年度"),
                l("general rev.", "うち一般財源"),
                l("held by", "配分を決めたもの"),
            ],
            rows,
            &program_tones(a, all_programs),
            style,
        );
    }
    super::proposals::terminal(&mut out, a, style);
    out
}

/// Markdown for a meeting: the memo of [`crate::report::markdown::memo`] without fiscal indicators or
/// the review's reasons (which `waku run --format markdown` adds).
pub fn render_markdown(a: &Allocation, all_programs: bool) -> String {
    crate::report::markdown::memo(a, None, None, all_programs, crate::allocate::Lang::Ja)
}
