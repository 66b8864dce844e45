//! Autonomous mode as text: the per-bureau table of `--mode autonomous`, and the comparison with
//! central mode (`--mode compare`). English headings beside the Japanese names, or Japanese
//! throughout ([`Lang::Ja`]).

use std::fmt::Write as _;

use super::allocation::{bureau, by_kind, year_on_year};
use super::terminal::{Lang, Style, Tone};
use super::text::{self, Sign, Table, amount as n, heading, lang_writeln, share, signed};
use crate::autonomy::{Autonomous, Comparison, DepartmentReport};
use crate::money::{Money, Unit};

/// The first column left, the figures right, the last (policy, why) left.
fn table(out: &mut String, header: &[&str], rows: Vec<Vec<String>>, style: Style) {
    let mut t = Table::new(header.iter().copied()).left_last();
    t.rows(rows, &[]);
    t.write(out, style.palette);
}

fn plus(m: Money, u: Unit) -> String {
    signed(m, u, Sign::Plus)
}

/// The policy a bureau budgets by, and what cut what it keeps.
fn policy(d: &DepartmentReport, lang: Lang) -> String {
    let own = match (d.policy == "default", lang) {
        (true, _) => lang.pick("default", "市の標準").to_string(),
        (false, Lang::En) => format!("{} ({} moved)", d.policy, d.programs_moved),
        (false, Lang::Ja) => format!("{}（{}事業を変更）", d.policy, d.programs_moved),
    };
    let kept = d.kept_limited_by.map(|l| match lang {
        Lang::En => format!("; kept cut by {l}"),
        Lang::Ja => format!("、留保は{}で制限", limit_ja(l)),
    });
    own + kept.as_deref().unwrap_or("")
}

/// What cut a bureau's kept savings, in Japanese.
fn limit_ja(limit: &str) -> &str {
    match limit {
        "retention cap" => "留保額の上限",
        "what its programs can absorb" => "事業が使える額",
        "envelope ceiling" => "枠の上限",
        other => other,
    }
}

/// The columns of a bureau's two levels (the table and the memo).
fn bureau_header(lang: Lang) -> [&'static str; 9] {
    lang.pick_all([
        ("bureau", "局・区"),
        ("base", "基準額"),
        ("city", "市の配分"),
        ("saved", "節減額"),
        ("kept", "留保額"),
        ("passed on", "調整枠へ"),
        ("envelope", "配分枠"),
        ("initiatives", "新規事業"),
        ("policy", "方針"),
    ])
}

/// A bureau's two levels under [`bureau_header`].
fn bureau_row(d: &DepartmentReport, u: Unit, lang: Lang) -> Vec<String> {
    let mut row = vec![bureau(&d.id, &d.name, lang)];
    row.extend(text::amounts(
        [d.base, d.city_envelope, d.savings_generated, d.savings_kept, d.savings_passed_on, d.envelope],
        u,
    ));
    row.extend([
        match (d.initiatives_funded, lang) {
            (0, _) => "-".into(),
            (k, Lang::En) => format!("{k} ({})", n(d.initiatives_cost, u)),
            (k, Lang::Ja) => format!("{k}事業（{}）", n(d.initiatives_cost, u)),
        },
        policy(d, lang),
    ]);
    row
}

/// The per-bureau table of `waku run --mode autonomous`.
pub fn render_table(r: &Autonomous) -> String {
    render_table_in(r, Style::PLAIN)
}

/// [`render_table`] in `style`.
pub fn render_table_in(r: &Autonomous, style: Style) -> String {
    let a = &r.allocation;
    let (u, lang) = (a.display_unit, style.lang);
    let l = |en, ja| lang.pick(en, ja).to_string();
    let title = match lang {
        Lang::En => format!(
            "{} {} FY{} — autonomous allocation ({}; {})",
            a.city,
            a.scenario,
            a.fiscal_year,
            u.suffix(),
            a.solver
        ),
        Lang::Ja => format!(
            "{} {}（FY{}）— 自律的な予算編成（単位 {}、第1段階 ソルバー {}、第2段階 各局の方針）",
            a.city,
            a.scenario,
            a.fiscal_year,
            u.suffix(),
            r.level1.solver
        ),
    };
    let mut out = heading(&title, &[(a.fiscal_year, &a.overrides)], u);
    let (saved, kept, passed) = (n(r.savings_generated, u), n(r.savings_kept, u), n(r.savings_passed_on, u));
    lang_writeln!(
        out,
        lang,
        ["  各局の見直しによる節減額 {saved}（第1段階の配分とは別枠）: 局の留保 {kept}、市長調整枠へ {passed}\n"],
        [
            "  own-review savings {saved} (ring-fenced at level 1): kept by bureaus {kept}, passed on to the reserve {passed}\n"
        ]
    );
    let mut rows: Vec<Vec<String>> = r.departments.iter().map(|d| bureau_row(d, u, lang)).collect();
    let sum = |f: fn(&DepartmentReport) -> Money| r.departments.iter().map(f).sum::<Money>();
    let only = |label: String, amount: Money, note: String| {
        let mut row = vec![String::new(); 9];
        row[0] = label;
        row[6] = n(amount, u);
        row[8] = note;
        row
    };
    rows.push(vec![
        l("total bureaus", "局の合計"),
        n(sum(|d| d.base), u),
        n(sum(|d| d.city_envelope), u),
        n(sum(|d| d.savings_generated), u),
        n(sum(|d| d.savings_kept), u),
        n(sum(|d| d.savings_passed_on), u),
        n(sum(|d| d.envelope), u),
        String::new(),
        String::new(),
    ]);
    let mut reserve = only(
        l("mayor's reserve", "市長調整枠"),
        a.reserve,
        match lang {
            Lang::En => format!("{} of available", share(a.reserve_share)),
            Lang::Ja => format!("配分可能額の{}", share(a.reserve_share)),
        },
    );
    reserve[2] = n(r.level1.reserve, u);
    reserve[5] = format!("+{}", n(r.savings_passed_on, u));
    rows.push(reserve);
    if !a.fund_deposit.is_zero() {
        rows.push(only(
            l("fund deposit", "基金積立"),
            a.fund_deposit,
            l("passed-on savings above the reserve's maximum share", "市長調整枠の上限を超える節減額"),
        ));
    }
    rows.push(only(
        l("available", "配分可能な一般財源"),
        a.available,
        l("= envelopes + reserve", "= 局別枠合計 + 市長調整枠"),
    ));
    table(&mut out, &bureau_header(lang), rows, style);
    let (inv, inv_cap) = (n(a.investment, u), n(a.investment_cap, u));
    let (bonds, bonds_cap) = (n(a.bond_issuance, u), n(a.bond_issuance_cap, u));
    let (next, next_target) = (n(a.next_generation, u), n(a.next_generation_target, u));
    lang_writeln!(
        out,
        lang,
        [
            "\n  投資的経費 {inv}（上限 {inv_cap}）、市債発行額 {bonds}（上限 {bonds_cap}）、次世代投資枠 {next}（目標 {next_target}）"
        ],
        [
            "\n  investment {inv} (cap {inv_cap}), bond issuance {bonds} (cap {bonds_cap}), next-generation frame {next} (target {next_target})"
        ]
    );
    out.push('\n');
    year_on_year(&mut out, a, style);
    out.push('\n');
    by_kind(&mut out, a, style);
    // What each bureau's own policy moved.
    for d in r.departments.iter().filter(|d| d.policy != "default" && d.programs_moved > 0) {
        lang_writeln!(
            out,
            lang,
            ["\n  {} — 局の方針で変えた事業（第1段階 → 第2段階）:", d.name],
            ["\n  {} {} — its policy moved (level 1 → level 2):", d.id, d.name]
        );
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
                    lang.pick(p.held_by.words(), p.held_by.label_ja()).to_string(),
                ]
            })
            .collect();
        let header = lang.pick_all([
            ("program", "事業"),
            ("level 1", "第1段階"),
            ("level 2", "第2段階"),
            ("change", "増減"),
            ("held by", "配分を決めたもの"),
        ]);
        table(&mut out, &header, moved, style);
    }
    out
}

/// Why a bureau's envelope differs between the modes, in Japanese.
pub(crate) fn why_ja(d: &DepartmentReport, city_change: Money, u: Unit) -> String {
    let mut why = Vec::new();
    if !d.savings_generated.is_zero() {
        why.push(format!(
            "節減 {}、留保 {}{}",
            d.savings_generated.format(u),
            d.savings_kept.format(u),
            d.kept_limited_by.map(|l| format!("（{}で制限）", limit_ja(l))).unwrap_or_default()
        ));
    }
    if !city_change.is_zero() {
        why.push(format!("節減額を別枠にした市の配分 {}", city_change.format_change(u, Sign::Plus)));
    }
    if d.policy != "default" && d.programs_moved > 0 {
        why.push(format!("局の方針で{}事業を変更", d.programs_moved));
    }
    if why.is_empty() { "変化なし".into() } else { why.join("、") }
}

/// The comparison table.
pub fn render_compare(c: &Comparison) -> String {
    render_compare_in(c, Style::PLAIN)
}

/// [`render_compare`] in `style`: the envelopes of both modes, then each bureau's budget and the
/// kinds of expense against last year's.
pub fn render_compare_in(c: &Comparison, style: Style) -> String {
    let (u, lang) = (c.central.display_unit, style.lang);
    let a = &c.central;
    let (city, scenario, year, unit) = (&a.city, &a.scenario, a.fiscal_year, u.suffix());
    let title = match lang {
        Lang::En => format!("{city} {scenario} FY{year} — central vs autonomous ({unit})"),
        Lang::Ja => format!("{city} {scenario}（FY{year}）— 中央の配分と自律的な予算編成の比較（単位 {unit}）"),
    };
    let mut out = heading(&title, &[(a.fiscal_year, &a.overrides)], u);
    let rows = compare_rows(c, lang, Sign::Plus, true);
    let header = lang.pick_all([
        ("bureau", "局・区"),
        ("central", "中央の配分"),
        ("autonomous", "自律"),
        ("difference", "差"),
        ("city", "市の配分の差"),
        ("kept", "留保額"),
        ("why", "理由"),
    ]);
    table(&mut out, &header, rows, style);
    out.push('\n');
    let first = lang.pick("budget by bureau (cost)", "局・区別の事業費");
    compare_years(c, lang, first, Sign::Plus).write(&mut out, style.palette);
    out.push('\n');
    compare_kinds(c, lang, Sign::Plus).write(&mut out, style.palette);
    out
}

/// Each bureau's envelope in both modes and why they differ, then the mayor's reserve; with
/// `city`, the column of the city's own change between the modes (the terminal's table).
fn compare_rows(c: &Comparison, lang: Lang, sign: Sign, city: bool) -> Vec<Vec<String>> {
    let u = c.central.display_unit;
    let mut rows: Vec<Vec<String>> = c
        .departments
        .iter()
        .zip(&c.autonomous.departments)
        .map(|(d, report)| {
            let mut row =
                vec![bureau(&d.id, &d.name, lang), n(d.central, u), n(d.autonomous, u), signed(d.difference, u, sign)];
            row.extend(city.then(|| signed(d.city_change, u, sign)));
            row.push(n(d.savings_kept, u));
            row.push(match lang {
                Lang::En => d.why.clone(),
                Lang::Ja => why_ja(report, d.city_change, u),
            });
            row
        })
        .collect();
    let mut reserve = vec![
        lang.pick("mayor's reserve", "市長調整枠").into(),
        n(c.reserve_central, u),
        n(c.reserve_autonomous, u),
        signed(c.reserve_autonomous - c.reserve_central, u, sign),
    ];
    reserve.extend(city.then(String::new));
    reserve.push(String::new());
    reserve.push(match lang {
        Lang::En => format!("+{} passed-on savings", n(c.autonomous.savings_passed_on, u)),
        Lang::Ja => format!("節減額のうち {} を調整枠へ", n(c.autonomous.savings_passed_on, u)),
    });
    rows.push(reserve);
    rows
}

/// Each bureau's budget (事業費) in both modes against last year's: `first` heads the bureaus'
/// column, changes are signed with `sign` (the terminal's `+`, the memo's ▲).
fn compare_years(c: &Comparison, lang: Lang, first: &str, sign: Sign) -> Table {
    let u = c.central.display_unit;
    let mut t = Table::new([first].into_iter().chain(lang.pick_all([
        ("prior year", "前年度当初"),
        ("central", "中央の配分"),
        ("vs prior", "前年度比"),
        ("autonomous", "自律"),
        ("vs prior", "前年度比"),
    ])));
    let row = |label: String, prior: Money, central: Money, autonomous: Money| {
        vec![
            label,
            n(prior, u),
            n(central, u),
            text::change(central, prior, 1, sign),
            n(autonomous, u),
            text::change(autonomous, prior, 1, sign),
        ]
    };
    for (b, x) in c.central.by_bureau.iter().zip(&c.autonomous.allocation.by_bureau) {
        t.row(row(bureau(&b.department, &b.name, lang), b.prior_cost, b.allocated, x.allocated));
    }
    let prior: Money = c.central.by_bureau.iter().map(|b| b.prior_cost).sum();
    let total = row(
        lang.pick("total", "合計").into(),
        prior,
        c.central.total_allocated,
        c.autonomous.allocation.total_allocated,
    );
    t.toned(Tone::Total, total);
    t
}

/// The totals by kind of expense (性質別) in both modes, differences signed with `sign`.
fn compare_kinds(c: &Comparison, lang: Lang, sign: Sign) -> Table {
    let u = c.central.display_unit;
    let mut t = Table::new(lang.pick_all([
        ("kind of expense (性質別)", "性質別"),
        ("prior year", "前年度当初"),
        ("central", "中央の配分"),
        ("autonomous", "自律"),
        ("difference", "差"),
    ]));
    let autonomous = &c.autonomous.allocation.by_kind;
    for k in &c.central.by_kind {
        let x = autonomous.iter().find(|x| x.nature == k.nature).map_or(Money::ZERO, |x| x.allocated);
        t.row(vec![k.label().into(), n(k.prior_cost, u), n(k.allocated, u), n(x, u), signed(x - k.allocated, u, sign)]);
    }
    let prior: Money = c.central.by_kind.iter().map(|k| k.prior_cost).sum();
    let (central, autonomous) = (c.central.total_allocated, c.autonomous.allocation.total_allocated);
    t.toned(
        Tone::Total,
        vec![
            lang.pick("total", "合計").into(),
            n(prior, u),
            n(central, u),
            n(autonomous, u),
            signed(autonomous - central, u, sign),
        ],
    );
    t
}

/// A Markdown table, the first and last columns left-aligned.
fn markdown_table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let last = header.len().saturating_sub(1);
    let mut t = Table::new(header.iter().copied()).left([0, last]);
    t.rows(rows, &[]);
    t.markdown()
}

/// The memo of `--mode autonomous` for one year (`--format markdown`): the year's memo of the
/// two-level allocation (`memo`, written by the caller), then each bureau's two levels.
pub fn bureaus_markdown(r: &Autonomous) -> String {
    let a = &r.allocation;
    let u = a.display_unit;
    let mut out = format!(
        "\n## 各局の自律的な予算編成（2段階）\n\n第1段階で市が各局の枠を配分し（各局の見直しによる節減額 {} は別枠）、第2段階で各局が自らの方針で枠の中の事業に配分しました。節減額のうち {} を局が留保し、{} を市長調整枠へ回しました（単位 {}）。\n\n",
        r.savings_generated.format(u),
        r.savings_kept.format(u),
        r.savings_passed_on.format(u),
        u.suffix()
    );
    let rows = r.departments.iter().map(|d| bureau_row(d, u, Lang::Ja)).collect();
    out.push_str(&markdown_table(&bureau_header(Lang::Ja), rows));
    out
}

/// The memo of `--mode compare` for one year (`--format markdown`): each bureau's envelope in
/// both modes and why they differ, then 事業費 by bureau and by kind of expense in both modes.
pub fn compare_markdown(c: &Comparison) -> String {
    let a = &c.central;
    let u = a.display_unit;
    let (city, scenario, year, unit) = (&a.city, &a.scenario, a.fiscal_year, u.suffix());
    let mut out = format!(
        "# {city} {scenario} — 中央の配分と自律的な予算編成の比較（FY{year}）\n\n金額の単位は{unit}。\n\n## 局別の枠\n\n"
    );
    let rows = compare_rows(c, Lang::Ja, Sign::Triangle, false);
    out.push_str(&markdown_table(&["局・区", "中央の配分", "自律", "差", "留保額", "理由"], rows));
    out.push_str("\n## 局・区別の事業費（前年度比）\n\n");
    out.push_str(&compare_years(c, Lang::Ja, "局・区", Sign::Triangle).markdown());
    out.push_str("\n## 性質別の事業費\n\n");
    out.push_str(&compare_kinds(c, Lang::Ja, Sign::Triangle).markdown());
    out
}
