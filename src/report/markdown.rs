//! `waku run --format markdown`: a memo a budget officer can forward to the bureau chief or the
//! mayor — a summary in plain words, the envelopes, the reserve and the next-generation frame
//! against their bounds, the limits that bind (with what a unit more of each is worth), the fiscal
//! indicators against their thresholds, and the programs the review cut, with its reasons.
//!
//! Only presentation lives here: every amount is a field of the [`Allocation`], printed in the
//! scenario's display unit.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use super::text::{self, Sign, Table, amount as n, share, signed};
use crate::allocate::{Allocation, Holding};
use crate::constraint::{ConstraintKind, ConstraintReport, price_step};
use crate::fiscal::{Check, CheckStatus, FiscalStatus, RatioIndicator, YearHealth};
use crate::money::{Money, Unit};
use crate::review::{Action, Review};

/// The memo of one year. `health` and `review` add the fiscal indicators and the review's reasons;
/// with `all_programs`, every program is listed at the end.
pub fn memo(a: &Allocation, health: Option<&YearHealth>, review: Option<&Review>, all_programs: bool) -> String {
    let u = a.display_unit;
    let reasons: HashMap<&str, &str> = review
        .map(|r| r.programs.iter().map(|p| (p.id.as_str(), p.assessment.reason.as_str())).collect())
        .unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(out, "# {} {} — 枠配分の結果（FY{}）\n", a.city, a.scenario, a.fiscal_year);
    let _ = writeln!(
        out,
        "金額の単位は{}（表示は四捨五入、合計は円単位で一致）。waku による試算、ソルバー {}。\n",
        u.suffix(),
        a.solver
    );
    let sets = crate::report::set_lines(&[(a.fiscal_year, &a.overrides)], u);
    if !sets.is_empty() {
        out.push_str("前提の変更（コマンドラインの `--set`、シナリオファイルにはない値）:\n\n");
        for line in sets {
            let _ = writeln!(out, "- `{line}`");
        }
        out.push('\n');
    }
    out.push_str("## 要旨\n\n");
    out.push_str(&summary(a, health));
    out.push_str("\n\n## 局別の枠\n\n");
    envelopes(&mut out, a);
    out.push_str("\n## 市長調整枠・次世代投資枠と財政の上限\n\n");
    frames(&mut out, a);
    out.push_str("\n## 拘束している制約\n\n");
    binding(&mut out, a);
    out.push_str("\n## 財政指標\n\n");
    indicators(&mut out, a, health);
    let cut: Vec<_> = a.programs.iter().filter(|p| is_cut(p.action)).collect();
    let _ = writeln!(out, "\n## 縮小・統合・廃止とした事業（{}事業）\n", cut.len());
    if cut.is_empty() {
        out.push_str("ありません。\n");
    } else {
        let rows: Vec<Vec<String>> = cut
            .iter()
            .map(|p| {
                vec![
                    format!("{} {}", p.id, p.name),
                    bureau_name(a, &p.department),
                    p.action.label().to_string(),
                    n(p.requested, u),
                    n(p.allocated, u),
                    delta(p.allocated - p.requested, u),
                    reasons.get(p.id.as_str()).copied().unwrap_or("").to_string(),
                ]
            })
            .collect();
        table(&mut out, &["事業", "局・区", "方向性", "要求額", "配分額", "増減", "見直しの理由"], rows, &[0, 1, 2, 6]);
    }
    out.push_str("\n## 見直しの方向性別の集計\n\n");
    actions(&mut out, a);
    let listed: Vec<_> = a.programs.iter().filter(|p| all_programs || p.held_by == Holding::Marginal).collect();
    if !listed.is_empty() {
        let _ = writeln!(
            out,
            "\n## {}\n",
            if all_programs {
                "全事業"
            } else {
                "限界的な事業（制約の境目で配分額が決まった事業）"
            }
        );
        let rows: Vec<Vec<String>> = listed
            .iter()
            .map(|p| {
                vec![
                    format!("{} {}", p.id, p.name),
                    bureau_name(a, &p.department),
                    p.action.label().to_string(),
                    n(p.requested, u),
                    n(p.allocated, u),
                    n(p.general_revenue, u),
                    p.held_by.label_ja().to_string(),
                ]
            })
            .collect();
        table(
            &mut out,
            &["事業", "局・区", "方向性", "要求額", "配分額", "うち一般財源", "配分を決めたもの"],
            rows,
            &[0, 1, 2, 6],
        );
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

/// A Markdown table; columns in `left` are left-aligned, the rest right-aligned.
fn table(out: &mut String, header: &[&str], rows: Vec<Vec<String>>, left: &[usize]) {
    let mut t = Table::new(header.iter().copied()).left(left.iter().copied());
    t.rows(rows, &[]);
    out.push_str(&t.markdown());
}

fn summary(a: &Allocation, health: Option<&YearHealth>) -> String {
    let u = a.display_unit;
    let envelopes: Money = a.envelopes.iter().map(|e| e.amount).sum();
    let mut s = format!(
        "配分できる一般財源は**{}**です（一般財源 {}、基金取崩し {}",
        a.available.format(u),
        a.general_revenue.format(u),
        a.fund_drawdown.format(u)
    );
    if !a.fund_deposit.is_zero() {
        let _ = write!(s, "、基金への積立 {}", a.fund_deposit.format(u));
    }
    let _ = write!(
        s,
        "）。このうち**{}**を{}局・区の枠に、**{}**（配分可能額の{}）を市長調整枠に配分しました。",
        envelopes.format(u),
        a.envelopes.len(),
        a.reserve.format(u),
        share(a.reserve_share)
    );
    let _ = write!(
        s,
        "事業費は要求{}に対して{}で、査定により{}を減額しました。",
        a.total_requested.format(u),
        a.total_allocated.format(u),
        (a.total_requested - a.total_allocated).format(u)
    );
    let reviewed: Vec<_> =
        a.programs.iter().filter(|p| !matches!(p.action, Action::Expand | Action::Continue)).collect();
    if !reviewed.is_empty() {
        let freed: Money = reviewed.iter().map(|p| p.requested - p.allocated).sum();
        let _ = write!(
            s,
            "このうち、見直しで縮小・統合・廃止・民間委託・改善・完了とした{}事業による減額が{}です。",
            reviewed.len(),
            freed.format(u)
        );
    }
    let binding: Vec<String> = a
        .constraints
        .iter()
        .filter(|c| c.binding && c.kind != ConstraintKind::Balance)
        .map(|c| c.kind.label_ja())
        .collect();
    if binding.is_empty() {
        s.push_str("一般財源の総額のほかに配分を縛っている限度はありません。");
    } else {
        let _ = write!(s, "配分を縛っている限度は、{}です。", binding.join("、"));
    }
    let _ = write!(
        s,
        "次世代投資枠は{}（目標{}）、投資的経費は{}（上限{}）です。",
        a.next_generation.format(u),
        a.next_generation_target.format(u),
        a.investment.format(u),
        a.investment_cap.format(u)
    );
    s.push_str(&health_sentence(health));
    s
}

fn health_sentence(health: Option<&YearHealth>) -> String {
    let Some(h) = health.filter(|h| h.status != FiscalStatus::NotAssessed) else {
        return "財政健全化指標は、シナリオに `[fiscal]` の入力がないため算定していません。".into();
    };
    let ratios = format!(
        "実質公債費比率 {}、将来負担比率 {}",
        text::ratio(h.real_debt_service_ratio),
        text::ratio(h.future_burden_ratio)
    );
    let over: Vec<&Check> = h.checks.iter().filter(|c| c.status != CheckStatus::Ok).collect();
    if over.is_empty() {
        format!("財政健全化指標はいずれも基準内です（{ratios}）。")
    } else {
        let what: Vec<String> = over
            .iter()
            .map(|c| {
                format!(
                    "{} {}%（{} {}%）",
                    c.indicator.label_ja(),
                    c.value.percent(),
                    c.kind.label_ja(),
                    c.threshold.percent()
                )
            })
            .collect();
        format!("財政健全化指標のうち、{}が基準に達しています（{ratios}）。", what.join("、"))
    }
}

fn envelopes(out: &mut String, a: &Allocation) {
    let u = a.display_unit;
    let change = |now: Money, before: Money| text::change(now, before, 1, Sign::Triangle);
    let mut rows: Vec<Vec<String>> = a
        .envelopes
        .iter()
        .map(|e| {
            let binds = |floor: bool| {
                a.constraints.iter().any(|c| {
                    c.binding
                        && match &c.kind {
                            ConstraintKind::EnvelopeFloor { department, .. } => floor && *department == e.department,
                            ConstraintKind::EnvelopeCeiling { department, .. } => !floor && *department == e.department,
                            _ => false,
                        }
                })
            };
            let at = if binds(true) {
                "下限"
            } else if binds(false) {
                "上限"
            } else {
                ""
            };
            vec![
                e.name.clone(),
                n(e.base, u),
                n(e.requested, u),
                n(e.floor, u),
                n(e.ceiling, u),
                n(e.amount, u),
                change(e.amount, e.base),
                at.to_string(),
            ]
        })
        .collect();
    let base: Money = a.envelopes.iter().map(|e| e.base).sum();
    let requested: Money = a.envelopes.iter().map(|e| e.requested).sum();
    let total: Money = a.envelopes.iter().map(|e| e.amount).sum();
    let bold = |s: String| if s.is_empty() { s } else { format!("**{s}**") };
    rows.push(vec![
        bold("局別枠合計".into()),
        bold(n(base, u)),
        bold(n(requested, u)),
        String::new(),
        String::new(),
        bold(n(total, u)),
        bold(change(total, base)),
        String::new(),
    ]);
    let only = |label: &str, m: Money| {
        let mut r = vec![String::new(); 8];
        r[0] = bold(label.into());
        r[5] = bold(n(m, u));
        r
    };
    rows.push(only("市長調整枠", a.reserve));
    rows.push(only("配分可能な一般財源", a.available));
    table(out, &["局・区", "基準額", "要求額", "下限", "上限", "配分枠", "対基準", "限度"], rows, &[0, 7]);
    let _ = writeln!(
        out,
        "\n基準額は前年度の事業費に要した一般財源。局別枠合計 {} + 市長調整枠 {} = 配分可能な一般財源 {}（円単位で一致）。",
        total.format(u),
        a.reserve.format(u),
        a.available.format(u)
    );
}

fn frames(out: &mut String, a: &Allocation) {
    let u = a.display_unit;
    let state = |c: Option<&ConstraintReport>, room: Money| match c {
        Some(c) if c.binding => "限度で拘束".to_string(),
        _ => format!("余裕 {}", room.format(u)),
    };
    let reserve_min = a.constraint(|k| matches!(k, ConstraintKind::ReserveMin { .. }));
    let reserve_max = a.constraint(|k| matches!(k, ConstraintKind::ReserveMax { .. }));
    let limit = |c: Option<&ConstraintReport>| c.map_or("—".into(), |c| n(c.limit, u));
    let reserve_state = match (reserve_min, reserve_max) {
        (Some(c), _) if c.binding => "下限で拘束".to_string(),
        (_, Some(c)) if c.binding => "上限で拘束".to_string(),
        _ => "下限と上限の間".to_string(),
    };
    let rows = vec![
        vec![
            format!("市長調整枠（配分可能額の{}）", share(a.reserve_share)),
            n(a.reserve, u),
            limit(reserve_min),
            limit(reserve_max),
            reserve_state,
        ],
        vec![
            "次世代投資枠（事業費）".into(),
            n(a.next_generation, u),
            n(a.next_generation_target, u),
            "—".into(),
            state(a.constraint(|k| *k == ConstraintKind::NextGeneration), a.next_generation - a.next_generation_target),
        ],
        vec![
            "投資的経費".into(),
            n(a.investment, u),
            "—".into(),
            n(a.investment_cap, u),
            state(a.constraint(|k| *k == ConstraintKind::InvestmentCap), a.investment_cap - a.investment),
        ],
        vec![
            "市債発行額".into(),
            n(a.bond_issuance, u),
            "—".into(),
            n(a.bond_issuance_cap, u),
            state(a.constraint(|k| *k == ConstraintKind::IssuanceCap), a.bond_issuance_cap - a.bond_issuance),
        ],
        vec![
            "基金残高（年度末）".into(),
            n(a.fund_balance_end, u),
            n(a.fund_floor, u),
            "—".into(),
            state(
                a.constraint(|k| matches!(k, ConstraintKind::FundDrawdown | ConstraintKind::FundFloor)),
                a.fund_balance_end - a.fund_floor,
            ),
        ],
    ];
    table(out, &["項目", "金額", "下限・目標", "上限", "状態"], rows, &[0, 4]);
    let _ = writeln!(
        out,
        "\n市債残高は {} → {}（発行 {}、償還 {}）。",
        a.bond_balance_start.format(u),
        a.bond_balance_end.format(u),
        a.bond_issuance.format(u),
        a.bond_redemption.format(u)
    );
    let _ = writeln!(out, "\n{}", a.fund_words());
}

fn binding(out: &mut String, a: &Allocation) {
    let u = a.display_unit;
    let binding: Vec<&ConstraintReport> = a.constraints.iter().filter(|c| c.binding).collect();
    if binding.is_empty() {
        out.push_str("拘束している制約はありません。\n");
        return;
    }
    for c in binding {
        let limit =
            if c.kind == ConstraintKind::Balance { String::new() } else { format!("（{}）", c.limit.format(u)) };
        let _ = writeln!(out, "- **{}**{limit}: {} `{}`", c.kind.label_ja(), c.price_words_ja(u), c.name);
    }
    let _ = writeln!(
        out,
        "\n各行の金額は、その限度を{}緩めて配分を計算し直した結果です（括弧内はシャドープライスを金額に換算した値）。`waku explain` に制約名を渡すと詳しい説明が出ます。",
        price_step(u).format(u)
    );
}

fn indicators(out: &mut String, a: &Allocation, health: Option<&YearHealth>) {
    let u = a.display_unit;
    let Some(h) = health else {
        out.push_str("（この出力には財政指標を含めていません。）\n");
        return;
    };
    let mut rows = vec![
        vec![
            "市債残高（年度末）".into(),
            h.bond_balance.format(u),
            format!("年度当初 {}", a.bond_balance_start.format(u)),
            if h.bond_balance <= a.bond_balance_start { "増えていない".into() } else { "増加".into() },
        ],
        vec![
            "基金残高（年度末）".into(),
            h.fund_balance.format(u),
            format!("下限 {}", a.fund_floor.format(u)),
            if h.fund_balance >= a.fund_floor { "基準内".into() } else { "下限割れ".into() },
        ],
        vec!["収支ギャップ（対策前）".into(), h.fiscal_gap.format(u), "—".into(), "—".into()],
    ];
    let ratios = [
        ("実質公債費比率（3か年平均）", RatioIndicator::RealDebtService, h.real_debt_service_ratio),
        ("将来負担比率", RatioIndicator::FutureBurden, h.future_burden_ratio),
        ("経常収支比率", RatioIndicator::OrdinaryBalance, h.ordinary_balance_ratio),
    ];
    for (label, id, value) in ratios {
        let checks: Vec<&Check> = h.checks.iter().filter(|c| c.indicator == id).collect();
        let thresholds: Vec<String> = checks
            .iter()
            .map(|c| {
                let unverified = if c.unverified() { "（未検証）" } else { "" };
                format!("{} {}%{unverified}", c.kind.label_ja(), c.threshold.percent())
            })
            .collect();
        let verdict = if value.is_none() {
            "未算定（[fiscal] の入力なし）".to_string()
        } else if checks.iter().any(|c| c.status == CheckStatus::Violated) {
            "基準超過".to_string()
        } else if checks.iter().any(|c| c.status == CheckStatus::Warning) {
            "注意（起債に許可が必要）".to_string()
        } else if checks.is_empty() {
            "法定の基準なし".to_string()
        } else {
            "基準内".to_string()
        };
        rows.push(vec![
            label.to_string(),
            text::ratio(value),
            if thresholds.is_empty() { "—".into() } else { thresholds.join(" / ") },
            verdict,
        ]);
    }
    table(out, &["指標", "値", "基準", "判定"], rows, &[0, 2, 3]);
}

fn actions(out: &mut String, a: &Allocation) {
    let u = a.display_unit;
    let mut by: BTreeMap<Action, (usize, Money, Money)> = BTreeMap::new();
    for p in &a.programs {
        let e = by.entry(p.action).or_insert((0, Money::ZERO, Money::ZERO));
        e.0 += 1;
        e.1 += p.requested;
        e.2 += p.allocated;
    }
    let mut rows: Vec<Vec<String>> = by
        .into_iter()
        .map(|(action, (count, req, alloc))| {
            vec![action.label().to_string(), count.to_string(), n(req, u), n(alloc, u), delta(alloc - req, u)]
        })
        .collect();
    rows.push(vec![
        "**合計**".into(),
        format!("**{}**", a.programs.len()),
        format!("**{}**", n(a.total_requested, u)),
        format!("**{}**", n(a.total_allocated, u)),
        format!("**{}**", delta(a.total_allocated - a.total_requested, u)),
    ]);
    table(out, &["方向性", "事業数", "要求額", "配分額", "増減"], rows, &[0]);
}
