//! `waku diff` as text: the moves between a base and a variant as terminal tables or Markdown,
//! largest first, ending with the identities that reconcile them to the yen.

use super::terminal::{Lang, Palette};
use super::text::{self, Sign, Table, share};
use crate::money::{Money, Unit};
use crate::review::Action;
use crate::whatif::diff::{Diff, EnvelopeChange};

/// One titled table of the rendering: title, header, rows, and the columns aligned left.
type Section = (String, Vec<String>, Vec<Vec<String>>, Vec<usize>);

/// How many programs the table and Markdown list (JSON lists all of them).
pub const SHOWN_PROGRAMS: usize = 20;

fn signed(m: Money, u: Unit) -> String {
    text::signed(m, u, Sign::PlusOrZero)
}

fn figure_label(f: &str, lang: Lang) -> &str {
    if lang == Lang::Ja {
        return match f {
            "general_revenue" => "一般財源",
            "fund_drawdown" => "基金取崩し",
            "fund_deposit" => "基金積立",
            "available" => "配分可能額",
            "total_envelopes" => "枠配分計",
            "reserve" => "市長調整枠",
            "investment" => "投資的経費",
            "bond_issuance" => "市債発行",
            "bond_balance_end" => "市債残高（年度末）",
            "fund_balance_end" => "基金残高（年度末）",
            "next_generation" => "次世代投資枠",
            "total_allocated" => "事業費計",
            other => other,
        };
    }
    match f {
        "general_revenue" => "general revenue 一般財源",
        "fund_drawdown" => "fund drawdown 基金取崩し",
        "fund_deposit" => "fund deposit 基金積立",
        "available" => "available 配分可能額",
        "total_envelopes" => "total envelopes 枠配分計",
        "reserve" => "mayor's reserve 市長調整枠",
        "investment" => "investment 投資的経費",
        "bond_issuance" => "bond issuance 市債発行",
        "bond_balance_end" => "bond balance, year end 市債残高",
        "fund_balance_end" => "fund balance, year end 基金残高",
        "next_generation" => "next-generation frame 次世代投資枠",
        "total_allocated" => "programs, total cost 事業費計",
        other => other,
    }
}

/// An identity of the reconciliation in Japanese.
fn identity_ja(what: &str) -> &str {
    match what {
        "Σ program general-revenue moves = change in total envelopes" => {
            "事業の一般財源の増減の合計 = 局別枠合計の変化"
        }
        "Σ envelope moves + reserve move = change in available" => {
            "局別枠の増減の合計 + 市長調整枠の増減 = 配分可能額の変化"
        }
        "general revenue + drawdown − deposit moves = change in available" => {
            "一般財源 + 基金取崩し − 基金積立の増減 = 配分可能額の変化"
        }
        "Σ program cost moves = change in total allocated" => "事業費の増減の合計 = 事業費計の変化",
        other => other,
    }
}

fn sections(d: &Diff, all: bool, lang: Lang) -> Vec<Section> {
    let l = |en: &str, ja: &str| lang.pick(en, ja).to_string();
    let h = |names: &[(&str, &str)]| names.iter().map(|(en, ja)| l(en, ja)).collect::<Vec<String>>();
    let u = d.display_unit;
    let pu = d.program_unit;
    let mut out = Vec::new();
    let mut rows: Vec<Vec<String>> = d
        .figures
        .iter()
        .map(|f| {
            vec![
                figure_label(&f.figure, lang).to_string(),
                f.base.format_number(u),
                f.variant.format_number(u),
                signed(f.change, u),
            ]
        })
        .collect();
    rows.push(vec![
        l("reserve share 調整枠の割合", "調整枠の割合"),
        share(d.reserve_share_base),
        share(d.reserve_share_variant),
        String::new(),
    ]);
    let totals = match lang {
        Lang::En => format!("totals ({})", u.suffix()),
        Lang::Ja => format!("総額（{}）", u.suffix()),
    };
    out.push((totals, h(&[("", ""), ("base", "基準"), ("variant", "比較"), ("change", "増減")]), rows, vec![]));

    let moved: Vec<&EnvelopeChange> = d.envelopes.iter().filter(|e| !e.change.is_zero()).collect();
    let unchanged = d.envelopes.len() - moved.len();
    let mut rows: Vec<Vec<String>> = moved
        .iter()
        .map(|e| {
            let pct = text::change(e.variant, e.base, 2, Sign::Plus);
            vec![
                super::allocation::bureau(&e.department, &e.name, lang),
                e.base.format_number(u),
                e.variant.format_number(u),
                signed(e.change, u),
                pct,
            ]
        })
        .collect();
    let sum: Money = d.envelopes.iter().map(|e| e.change).sum();
    rows.push(vec![
        l("Σ envelope moves", "局別枠の増減の合計"),
        String::new(),
        String::new(),
        signed(sum, u),
        String::new(),
    ]);
    let title = match (unchanged > 0, lang) {
        (true, Lang::En) => format!("envelopes that moved, largest first ({}; {unchanged} unchanged)", u.suffix()),
        (false, Lang::En) => format!("envelopes, largest move first ({})", u.suffix()),
        (true, Lang::Ja) => format!("動いた局別枠（増減の大きい順、{}、変化なし{unchanged}局）", u.suffix()),
        (false, Lang::Ja) => format!("局別枠（増減の大きい順、{}）", u.suffix()),
    };
    let header = h(&[("bureau", "局・区"), ("base", "基準"), ("variant", "比較"), ("change", "増減"), ("%", "%")]);
    out.push((title, header, rows, vec![]));

    // Between stages of the budget cycle the column also says each program's disposition.
    let stages = d.programs.iter().any(|p| p.disposition_base.is_some() || p.disposition_variant.is_some());
    let shown = if all { d.programs.len() } else { SHOWN_PROGRAMS.min(d.programs.len()) };
    let mut rows: Vec<Vec<String>> = d.programs[..shown]
        .iter()
        .map(|p| {
            vec![
                format!("{} {}", p.id, p.name),
                match lang {
                    // A bureau chief reads the bureau's name; the English table keeps the id.
                    Lang::Ja => d
                        .envelopes
                        .iter()
                        .find(|e| e.department == p.department)
                        .map_or_else(|| p.department.clone(), |e| e.name.clone()),
                    Lang::En => p.department.clone(),
                },
                match (&p.disposition_base, &p.disposition_variant) {
                    (Some(x), Some(y)) if x != y => format!("{} {x} → {y}", p.action.map_or("", |a| a.label())),
                    (_, Some(y)) => format!("{} {y}", p.action.map_or("", |a| a.label())),
                    _ => p.action.map_or_else(String::new, |a| a.label().to_string()),
                },
                p.allocated_base.format_number(pu),
                p.allocated_variant.format_number(pu),
                signed(p.allocated_change, pu),
                signed(p.general_revenue_change, pu),
            ]
        })
        .collect();
    if shown < d.programs.len() {
        let rest = &d.programs[shown..];
        rows.push(vec![
            match lang {
                Lang::En => format!("… {} more (`--all` lists them)", rest.len()),
                Lang::Ja => format!("… ほか{}事業（`--all` ですべて）", rest.len()),
            },
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            signed(rest.iter().map(|p| p.allocated_change).sum(), pu),
            signed(rest.iter().map(|p| p.general_revenue_change).sum(), pu),
        ]);
    }
    rows.push(vec![
        match lang {
            Lang::En => format!("Σ {} programs", d.programs.len()),
            Lang::Ja => format!("{}事業の合計", d.programs.len()),
        },
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        signed(d.programs.iter().map(|p| p.allocated_change).sum(), pu),
        signed(d.programs.iter().map(|p| p.general_revenue_change).sum(), pu),
    ]);
    let title = match lang {
        Lang::En => format!("programs that moved, largest general-revenue move first ({})", pu.suffix()),
        Lang::Ja => format!("動いた事業（一般財源の増減の大きい順、{}）", pu.suffix()),
    };
    let header = h(&[
        ("program", "事業"),
        ("bureau", "局・区"),
        if stages { ("action, disposition", "方向性・査定区分") } else { ("action", "方向性") },
        ("cost base", "事業費（基準）"),
        ("cost variant", "事業費（比較）"),
        ("cost change", "事業費の増減"),
        ("general revenue change", "一般財源の増減"),
    ]);
    out.push((title, header, rows, vec![1, 2]));

    if !d.by_disposition.is_empty() {
        let mut rows: Vec<Vec<String>> = d
            .by_disposition
            .iter()
            .map(|g| {
                vec![
                    g.disposition.clone(),
                    g.programs.to_string(),
                    signed(g.cost_change, pu),
                    signed(g.general_revenue_change, pu),
                ]
            })
            .collect();
        rows.push(vec![
            l("Σ moves", "増減の合計"),
            d.by_disposition.iter().map(|g| g.programs).sum::<usize>().to_string(),
            signed(d.by_disposition.iter().map(|g| g.cost_change).sum(), pu),
            signed(d.by_disposition.iter().map(|g| g.general_revenue_change).sum(), pu),
        ]);
        let title = match lang {
            Lang::En => format!("moves by disposition 査定区分別 ({}; the variant's disposition)", pu.suffix()),
            Lang::Ja => format!("査定区分別の増減（{}、比較側の査定区分）", pu.suffix()),
        };
        let header = h(&[
            ("disposition", "査定区分"),
            ("programs moved", "動いた事業数"),
            ("cost change", "事業費の増減"),
            ("general revenue change", "一般財源の増減"),
        ]);
        out.push((title, header, rows, vec![]));
        let rows: Vec<Vec<String>> = d
            .dispositions
            .iter()
            .map(|c| {
                let l = |d: &Option<String>| d.clone().unwrap_or_else(|| "—".to_string());
                vec![format!("{} {}", c.id, c.name), l(&c.base), l(&c.variant), c.reason.clone().unwrap_or_default()]
            })
            .collect();
        let header = h(&[("program", "事業"), ("base", "基準"), ("variant", "比較"), ("reason", "理由")]);
        out.push((l("dispositions that changed", "査定区分が変わった事業"), header, rows, vec![1, 2, 3]));
    }

    let rows: Vec<Vec<String>> = d
        .actions
        .iter()
        .map(|c| {
            let a = |a: Option<Action>| a.map_or_else(|| "—".to_string(), |a| a.label().to_string());
            vec![format!("{} {}", c.id, c.name), a(c.base), a(c.variant)]
        })
        .collect();
    let header = h(&[("program", "事業"), ("base", "基準"), ("variant", "比較")]);
    out.push((l("review actions that changed", "方向性が変わった事業"), header, rows, vec![1, 2]));

    let rows: Vec<Vec<String>> = d
        .constraints
        .iter()
        .map(|c| {
            // Binding: the limit. At the limit as shown but not binding (nothing free to move, or
            // apart only by the rounding): says so. Slack: the value against the limit.
            let state = |b: bool, limit: Option<Money>, value: Option<Money>| match (limit, value) {
                (Some(m), _) if b => format!("{} {}", lang.pick("binding at", "拘束"), m.format_number(u)),
                (Some(m), Some(v)) if v.format_number(u) == m.format_number(u) => match lang {
                    Lang::En => format!("at {}, not binding", m.format_number(u)),
                    Lang::Ja => format!("限度どおり {}（拘束なし）", m.format_number(u)),
                },
                (Some(m), Some(v)) => match lang {
                    Lang::En => format!("slack: {} against {}", v.format_number(u), m.format_number(u)),
                    Lang::Ja => format!("余裕あり {}（限度 {}）", v.format_number(u), m.format_number(u)),
                },
                (Some(m), None) => format!("{} {}", lang.pick("slack at", "余裕あり"), m.format_number(u)),
                (None, _) => "—".to_string(),
            };
            vec![
                c.name.clone(),
                state(c.binding_base, c.limit_base, c.value_base),
                state(c.binding_variant, c.limit_variant, c.value_variant),
            ]
        })
        .collect();
    let header = h(&[("constraint", "制約"), ("base", "基準"), ("variant", "比較")]);
    out.push((l("binding constraints that changed", "拘束の変わった制約"), header, rows, vec![1, 2]));

    let rows: Vec<Vec<String>> = d
        .indicators
        .iter()
        .map(|i| {
            let status = |ok: bool| {
                if ok { lang.pick("ok", "基準内") } else { lang.pick("BEYOND THRESHOLD", "基準超過") }
            };
            vec![
                i.id.clone(),
                i.base.show(u),
                i.variant.show(u),
                i.threshold.map_or_else(|| "—".to_string(), |t| t.show(u)),
                format!("{} → {}", status(i.within_threshold_base), status(i.within_threshold_variant)),
            ]
        })
        .collect();
    let header = h(&[
        ("indicator", "指標"),
        ("base", "基準"),
        ("variant", "比較"),
        ("threshold", "しきい値"),
        ("status", "判定"),
    ]);
    out.push((l("indicators that changed", "変わった指標"), header, rows, vec![4]));

    let rows: Vec<Vec<String>> = d
        .reconciliation
        .identities
        .iter()
        .map(|i| {
            vec![
                lang.pick(&i.what, identity_ja(&i.what)).to_string(),
                i.sum_of_moves.format(Unit::Yen),
                i.change_in_total.format(Unit::Yen),
                if i.holds { l("exact", "一致") } else { l("DOES NOT RECONCILE", "不一致") },
            ]
        })
        .collect();
    let header = h(&[("identity", "検算"), ("Σ of moves", "増減の合計"), ("change in total", "総額の変化"), ("", "")]);
    out.push((l("reconciliation, to the yen", "円単位の検算"), header, rows, vec![3]));
    out
}

/// A section's table: the first column left, the figures right, the columns in `left` left.
fn table(header: Vec<String>, rows: Vec<Vec<String>>, left: Vec<usize>) -> Table {
    let mut t = Table::new(header).left(left);
    t.rows(rows, &[]);
    t
}

fn title(d: &Diff) -> String {
    format!(
        "{} FY{}: {} ({}) → {} ({})",
        d.variant.city, d.variant.fiscal_year, d.base.scenario, d.base.path, d.variant.scenario, d.variant.path
    )
}

/// The terminal table: every section, then the reconciliation.
pub fn render_table(d: &Diff, all: bool) -> String {
    render_table_in(d, all, Lang::En)
}

/// [`render_table`] in `lang`.
pub fn render_table_in(d: &Diff, all: bool, lang: Lang) -> String {
    let head = |title: &str, none: Option<&str>| match none {
        Some(none) => format!("{title}: {none}\n"),
        None => format!("{title}\n"),
    };
    let out = format!("{}\n", title(d));
    render_sections(d, all, lang, out, head, |out, t| t.write(out, Palette::PLAIN))
}

/// Markdown for a meeting note or a pull request.
pub fn render_markdown(d: &Diff, all: bool) -> String {
    render_markdown_in(d, all, Lang::En)
}

/// [`render_markdown`] in `lang`.
pub fn render_markdown_in(d: &Diff, all: bool, lang: Lang) -> String {
    let head = |title: &str, none: Option<&str>| match none {
        Some(none) => format!("**{title}**: {none}\n"),
        None => format!("**{title}**\n\n"),
    };
    let out = format!("## {}\n", title(d));
    render_sections(d, all, lang, out, head, |out, t| out.push_str(&t.markdown()))
}

/// Every section after `out`: its title as `head` writes it (with the word for "none" when the
/// section is empty), then its table as `body` writes it.
fn render_sections(
    d: &Diff,
    all: bool,
    lang: Lang,
    mut out: String,
    head: impl Fn(&str, Option<&str>) -> String,
    body: impl Fn(&mut String, Table),
) -> String {
    for (title, header, rows, left) in sections(d, all, lang) {
        out.push('\n');
        if rows.is_empty() {
            out.push_str(&head(&title, Some(lang.pick("none", "なし"))));
            continue;
        }
        out.push_str(&head(&title, None));
        body(&mut out, table(header, rows, left));
    }
    out
}
