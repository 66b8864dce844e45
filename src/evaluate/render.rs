//! The evaluation as a terminal table, Markdown, HTML (the KPI tree drawn in inline SVG, no
//! external assets) and an xlsx workbook; JSON is the [`Evaluation`] serialised.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::{ClusterEvaluation, Evaluation, KpiEvaluation, TreeNode};
use crate::Result;
use crate::money::{Money, Unit};
use crate::report::sheet::{Value, tables_workbook};
use crate::report::terminal::Palette;
use crate::report::text::{Table, amount};
use crate::scenario::kpis::KpiStatus;

/// An achievement as a percentage to a tenth of a point, as the rules' reasons write it (`pct`:
/// halves away from zero, no trailing `.0`): `62.5%`, `70%`; `—` without one.
fn achievement(a: Option<Decimal>) -> String {
    a.map_or_else(
        || "—".into(),
        |a| {
            let tenths = (a * Decimal::ONE_HUNDRED)
                .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            format!("{}%", tenths.normalize())
        },
    )
}

/// A trend in points of achievement a year: `+5.2pt/年`, `▲3.1pt/年`; `—` without one.
fn trend(t: Option<Decimal>) -> String {
    match t {
        None => "—".into(),
        Some(t) => {
            let pt = (t * Decimal::ONE_HUNDRED).round_dp(1);
            if pt < Decimal::ZERO { format!("▲{:.1}pt/年", pt.abs()) } else { format!("+{pt:.1}pt/年") }
        }
    }
}

fn value(d: Decimal, unit: &str) -> String {
    format!("{}{unit}", d.normalize())
}

fn years(ys: &[i32]) -> String {
    ys.iter().map(|y| y.to_string()).collect::<Vec<_>>().join("・")
}

fn yen(m: Option<Money>) -> String {
    m.map_or_else(|| "—".into(), |m| amount(m, Unit::Yen))
}

fn change(p: Option<Decimal>) -> String {
    match p {
        None => "—".into(),
        Some(p) if p < Decimal::ZERO => format!("▲{:.1}%", p.abs()),
        Some(p) => format!("+{p:.1}%"),
    }
}

fn title(e: &Evaluation) -> String {
    let plan = e.plan.as_ref().map_or_else(String::new, |p| format!("{p}　"));
    format!("{} {plan}{} — 事後評価（FY{}、成果指標表 {}）", e.city, e.scenario, e.fiscal_year, e.kpi_file)
}

fn cluster_heading(c: &ClusterEvaluation) -> String {
    format!("クラスター {} {}（{}／{}）　指標: {}", c.id, c.name, c.group, c.reform_type, c.status)
}

fn cost_line(c: &ClusterEvaluation, unit: Unit) -> String {
    format!(
        "事業{}件　前年度予算 {}　配分額 {}　うち一般財源 {}（{}）",
        c.programs.len(),
        amount(c.prior_cost, unit),
        amount(c.allocated, unit),
        amount(c.general_revenue, unit),
        unit.suffix()
    )
}

fn outcome_table(kpis: &[KpiEvaluation]) -> Table {
    let mut t = Table::new(["指標", "種別", "基準（年度）", "目標（年度）", "実績（年度）", "達成度", "傾向", "状況"])
        .left([0, 1, 7]);
    for k in kpis {
        t.row(vec![
            format!("{} {}", k.id, k.name),
            k.kind_ja.into(),
            format!("{}（{}）", value(k.baseline, &k.unit), k.baseline_year),
            format!("{}（{}）", value(k.target, &k.unit), k.target_year),
            match (k.actual, k.latest_year) {
                (Some(a), Some(y)) => format!("{}（{y}）", value(a, &k.unit)),
                _ => "—".into(),
            },
            achievement(k.achievement),
            trend(k.trend),
            k.status_ja.into(),
        ]);
    }
    t
}

fn cost_table(c: &ClusterEvaluation) -> Table {
    let mut t = Table::new(["指標", "実績（年度）", "単価 前年度（円）", "計画値 本年度", "単価 本年度（円）", "増減"])
        .left([0]);
    for u in &c.cost_per_outcome {
        t.row(vec![
            format!("{} {}", u.indicator, u.name),
            match (u.actual, u.actual_year) {
                (Some(a), Some(y)) => format!("{}（{y}）", value(a, &u.unit)),
                _ => "—".into(),
            },
            yen(u.per_unit_actual),
            value(u.planned, &u.unit),
            yen(u.per_unit_planned),
            change(u.change_percent),
        ]);
    }
    t
}

fn tree_line(n: &TreeNode) -> String {
    let indent = "　".repeat(n.depth);
    let branch = if n.depth == 0 { "" } else { "└ " };
    format!(
        "{indent}{branch}{} {}［{}・{}］ 達成度{} {}",
        n.id,
        n.name,
        n.kind_ja,
        n.subject,
        achievement(n.achievement),
        n.status_ja
    )
}

fn program_table(e: &Evaluation) -> Table {
    let mut t =
        Table::new(["事業", "指標", "実績（年度）", "達成度", "傾向", "状況", "未達の年度", "方向性", "次年度"])
            .left([0, 1, 5, 6, 7, 8]);
    for p in &e.programs {
        for (i, k) in p.kpis.iter().enumerate() {
            let first = i == 0;
            t.row(vec![
                if first { format!("{} {}", p.id, p.name) } else { String::new() },
                format!("{} {}（{}）", k.id, k.name, k.kind_ja),
                match (k.actual, k.latest_year) {
                    (Some(a), Some(y)) => format!("{}（{y}）", value(a, &k.unit)),
                    _ => "—".into(),
                },
                achievement(k.achievement),
                trend(k.trend),
                k.status_ja.into(),
                years(&k.missed_years),
                if first { p.action.label().into() } else { String::new() },
                if first { p.next_year.clone() } else { String::new() },
            ]);
        }
    }
    t
}

/// The terminal table.
pub fn table(e: &Evaluation) -> String {
    let unit = e.display_unit;
    let mut out = format!("{}\n", title(e));
    for c in &e.clusters {
        let _ = writeln!(out, "\n■ {}", cluster_heading(c));
        let _ = writeln!(out, "  {}", cost_line(c, unit));
        out.push_str("  成果指標\n");
        out.push_str(&outcome_table(&c.outcomes).render(2, Palette::PLAIN));
        if !c.cost_per_outcome.is_empty() {
            out.push_str("  成果1単位あたりのコスト（前年度予算÷実績、本年度配分額÷計画値）\n");
            out.push_str(&cost_table(c).render(2, Palette::PLAIN));
        }
        out.push_str("  KPIツリー\n");
        for n in &c.tree {
            let _ = writeln!(out, "    {}", tree_line(n));
        }
    }
    let _ = writeln!(out, "\n■ 事業別の評価（{}事業）", e.programs.len());
    out.push_str(&program_table(e).render(0, Palette::PLAIN));
    out
}

/// Markdown.
pub fn markdown(e: &Evaluation) -> String {
    let unit = e.display_unit;
    let mut out = format!("# {}\n", title(e));
    for c in &e.clusters {
        let _ = writeln!(out, "\n## {}\n\n{}\n", cluster_heading(c), cost_line(c, unit));
        out.push_str("### 成果指標\n\n");
        out.push_str(&outcome_table(&c.outcomes).markdown());
        if !c.cost_per_outcome.is_empty() {
            out.push_str("\n### 成果1単位あたりのコスト\n\n");
            out.push_str(&cost_table(c).markdown());
        }
        out.push_str("\n### KPIツリー\n\n");
        for n in &c.tree {
            let _ = writeln!(
                out,
                "{}- {} {}（{}・{}）達成度{} {}",
                "  ".repeat(n.depth),
                n.id,
                n.name,
                n.kind_ja,
                n.subject,
                achievement(n.achievement),
                n.status_ja
            );
        }
    }
    let _ = writeln!(out, "\n## 事業別の評価\n");
    out.push_str(&program_table(e).markdown());
    out
}

/// Text for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn status_fill(s: KpiStatus) -> &'static str {
    match s {
        KpiStatus::Worse => "#f6caca",
        KpiStatus::Behind => "#fbe7b5",
        KpiStatus::OnTrack => "#d3ecd3",
        KpiStatus::Achieved => "#c9def5",
        KpiStatus::Unmeasured => "#e8e8e8",
    }
}

/// The KPI tree as inline SVG: one box per indicator, its depth from left to right, a line from
/// each indicator to the one it serves.
pub fn tree_svg(nodes: &[TreeNode]) -> String {
    const W: usize = 260;
    const H: usize = 40;
    const GAP_X: usize = 40;
    const GAP_Y: usize = 10;
    let depth = nodes.iter().map(|n| n.depth).max().unwrap_or(0);
    let width = (depth + 1) * (W + GAP_X) + 10;
    let height = nodes.len() * (H + GAP_Y) + 10;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tree\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"KPIツリー\">\n"
    );
    let place = |i: usize, d: usize| (5 + d * (W + GAP_X), 5 + i * (H + GAP_Y));
    for (i, n) in nodes.iter().enumerate() {
        let Some(parent) = &n.parent else { continue };
        if let Some(j) = nodes.iter().position(|p| &p.id == parent) {
            let (px, py) = place(j, nodes[j].depth);
            let (x, y) = place(i, n.depth);
            let _ = writeln!(
                out,
                "<path d=\"M{} {} H{} V{} H{x}\" fill=\"none\" stroke=\"#667\" stroke-width=\"1.2\"/>",
                px + W,
                py + H / 2,
                px + W + GAP_X / 2,
                y + H / 2
            );
        }
    }
    for (i, n) in nodes.iter().enumerate() {
        let (x, y) = place(i, n.depth);
        let name: String = n.name.chars().take(16).collect();
        let _ = writeln!(
            out,
            "<g><title>{} {}（{}・{}）</title><rect x=\"{x}\" y=\"{y}\" width=\"{W}\" height=\"{H}\" rx=\"4\" fill=\"{}\" stroke=\"#556\"/>\
<text x=\"{}\" y=\"{}\" font-size=\"12\">{} {}</text>\
<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#333\">{}・{} 達成度{} {}</text></g>",
            esc(&n.id),
            esc(&n.name),
            esc(n.kind_ja),
            esc(&n.subject),
            status_fill(n.status),
            x + 6,
            y + 16,
            esc(&n.id),
            esc(&name),
            x + 6,
            y + 32,
            esc(n.kind_ja),
            esc(&n.subject),
            esc(&achievement(n.achievement)),
            esc(n.status_ja)
        );
    }
    out.push_str("</svg>\n");
    out
}

fn html_table(t: &Table) -> String {
    // The Markdown form, row by row, as an HTML table (the text layer's one table, twice drawn).
    let md = t.markdown();
    let mut out = String::from("<table>\n");
    for (i, line) in md.lines().enumerate() {
        if i == 1 {
            continue;
        }
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
        let tag = if i == 0 { "th" } else { "td" };
        out.push_str("<tr>");
        for c in cells {
            let _ = write!(out, "<{tag}>{}</{tag}>", esc(&c.replace("\\|", "|")));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

/// A self-contained HTML page: tables and each cluster's KPI tree in inline SVG (no scripts, no
/// external fonts, styles or images).
pub fn html(e: &Evaluation) -> String {
    let unit = e.display_unit;
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n\
body{{font-family:sans-serif;margin:1.5em;color:#222}}table{{border-collapse:collapse;margin:.5em 0}}\
td,th{{border:1px solid #bbb;padding:2px 6px;font-size:13px}}th{{background:#eef}}svg.tree{{display:block;margin:.5em 0}}\n\
</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(&title(e)),
        esc(&title(e))
    );
    for c in &e.clusters {
        let _ = writeln!(out, "<section>\n<h2>{}</h2>\n<p>{}</p>", esc(&cluster_heading(c)), esc(&cost_line(c, unit)));
        out.push_str("<h3>成果指標</h3>\n");
        out.push_str(&html_table(&outcome_table(&c.outcomes)));
        if !c.cost_per_outcome.is_empty() {
            out.push_str("<h3>成果1単位あたりのコスト</h3>\n");
            out.push_str(&html_table(&cost_table(c)));
        }
        out.push_str("<h3>KPIツリー</h3>\n");
        out.push_str(&tree_svg(&c.tree));
        out.push_str("</section>\n");
    }
    out.push_str("<h2>事業別の評価</h2>\n");
    out.push_str(&html_table(&program_table(e)));
    out.push_str("</body>\n</html>\n");
    out
}

fn dec(d: Option<Decimal>, format: &'static str) -> Value {
    d.map_or(Value::Empty, |d| Value::Number(d, format))
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// The workbook: クラスター, 単位コスト, 指標 and 事業 sheets.
pub fn xlsx(e: &Evaluation) -> Result<Vec<u8>> {
    let heads = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let clusters = e
        .clusters
        .iter()
        .map(|c| {
            vec![
                text(&c.id),
                text(&c.name),
                text(&c.group),
                Value::Number(Decimal::from(c.programs.len()), "0"),
                Value::Yen(c.prior_cost),
                Value::Yen(c.allocated),
                Value::Yen(c.general_revenue),
                text(&c.status),
            ]
        })
        .collect();
    let costs = e
        .clusters
        .iter()
        .flat_map(|c| {
            c.cost_per_outcome.iter().map(move |u| {
                vec![
                    text(&c.id),
                    text(&u.indicator),
                    text(&u.name),
                    text(&u.unit),
                    dec(u.actual_year.map(Decimal::from), "0"),
                    dec(u.actual, "0.00"),
                    Value::Yen(u.actual_cost),
                    u.per_unit_actual.map_or(Value::Empty, Value::Yen),
                    Value::Number(u.planned, "0.00"),
                    Value::Yen(u.planned_cost),
                    u.per_unit_planned.map_or(Value::Empty, Value::Yen),
                    dec(u.change_percent, "0.0"),
                ]
            })
        })
        .collect();
    let mut indicators = Vec::new();
    let subjects = e
        .clusters
        .iter()
        .flat_map(|c| c.outcomes.iter().filter(move |k| k.subject == c.id))
        .chain(e.programs.iter().flat_map(|p| p.kpis.iter()));
    for k in subjects {
        indicators.push(vec![
            text(&k.subject),
            text(&k.id),
            text(&k.name),
            text(k.kind_ja),
            text(&k.unit),
            text(k.direction),
            text(k.parent.clone().unwrap_or_default()),
            Value::Number(Decimal::from(k.baseline_year), "0"),
            Value::Number(k.baseline, "0.00"),
            Value::Number(Decimal::from(k.target_year), "0"),
            Value::Number(k.target, "0.00"),
            dec(k.latest_year.map(Decimal::from), "0"),
            dec(k.actual, "0.00"),
            dec(k.achievement, "0.0%"),
            dec(k.trend, "0.0%"),
            text(k.status_ja),
            text(years(&k.missed_years)),
        ]);
    }
    let programs = e
        .programs
        .iter()
        .map(|p| {
            vec![
                text(&p.id),
                text(&p.name),
                text(&p.department),
                text(p.cluster.clone().unwrap_or_default()),
                text(p.action.label()),
                text(p.effectiveness.clone().unwrap_or_default()),
                text(&p.next_year),
                Value::Yen(p.prior_cost),
                Value::Yen(p.allocated),
                Value::Yen(p.general_revenue),
            ]
        })
        .collect();
    tables_workbook(
        &title(e),
        e.display_unit,
        vec![
            (
                "クラスター".into(),
                heads(&[
                    "クラスター",
                    "名称",
                    "グループ",
                    "事業数",
                    "前年度予算額（円）",
                    "配分額（円）",
                    "うち一般財源（円）",
                    "指標の状況",
                ]),
                clusters,
            ),
            (
                "単位コスト".into(),
                heads(&[
                    "クラスター",
                    "指標ID",
                    "指標名",
                    "単位",
                    "実績年度",
                    "実績",
                    "前年度予算額（円）",
                    "単価 前年度（円）",
                    "計画値 本年度",
                    "配分額（円）",
                    "単価 本年度（円）",
                    "増減（%）",
                ]),
                costs,
            ),
            (
                "指標".into(),
                heads(&[
                    "対象",
                    "指標ID",
                    "指標名",
                    "種別",
                    "単位",
                    "方向",
                    "上位指標",
                    "基準年度",
                    "基準値",
                    "目標年度",
                    "目標値",
                    "実績年度",
                    "実績",
                    "達成度",
                    "傾向（年あたり）",
                    "状況",
                    "未達の年度",
                ]),
                indicators,
            ),
            (
                "事業".into(),
                heads(&[
                    "事業番号",
                    "事業名",
                    "所管局",
                    "クラスター",
                    "方向性",
                    "視点2（成果）",
                    "次年度",
                    "前年度予算額（円）",
                    "配分額（円）",
                    "うち一般財源（円）",
                ]),
                programs,
            ),
        ],
    )
}
