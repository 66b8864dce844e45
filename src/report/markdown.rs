//! `waku run --format markdown`: a memo a budget officer can forward to the bureau chief or the
//! mayor — a summary in plain words, the envelopes, the reserve and the next-generation frame
//! against their bounds, the limits that bind (with what a unit more of each is worth), the fiscal
//! indicators against their thresholds, and the programs the review cut, with its reasons.
//!
//! Only presentation lives here: every amount is a field of the [`Allocation`], printed in the
//! scenario's display unit. Japanese by default; [`Lang::En`] (`--lang en`) writes waku's own words
//! in English and keeps what the city wrote (names, the rules' reasons) as written.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use super::text::{self, Sign, Table, amount as n, share, signed};
use crate::allocate::{Allocation, Holding, Lang};
use crate::constraint::{ConstraintKind, ConstraintReport, price_step};
use crate::fiscal::{Check, CheckStatus, FiscalStatus, RatioIndicator, YearHealth};
use crate::money::{Money, Unit};
use crate::review::{Action, Review};

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
    match lang {
        Lang::Ja => {
            let _ = writeln!(out, "# {} {} — 枠配分の結果（FY{}）\n", a.city, a.scenario, a.fiscal_year);
            let _ = writeln!(
                out,
                "金額の単位は{}（表示は四捨五入、合計は円単位で一致）。waku による試算、ソルバー {}。\n{}。\n",
                u.suffix(),
                a.solver,
                super::styles::style_line(a, true)
            );
        }
        Lang::En => {
            let _ = writeln!(out, "# {} {} — envelope allocation (FY{})\n", a.city, a.scenario, a.fiscal_year);
            let _ = writeln!(
                out,
                "Amounts in {} (rounded for display; totals agree to the yen). Computed by waku, solver {}.\n{}.\n",
                u.suffix(),
                a.solver,
                super::styles::style_line(a, false)
            );
        }
    }
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
    out.push_str(&summary(a, health, lang));
    out.push_str(l("\n\n## 局別の枠\n\n", "\n\n## Bureau envelopes (局別の枠)\n\n"));
    envelopes(&mut out, a, lang);
    out.push_str(l("\n## 局別の事業費（前年度比）\n\n", "\n## Program cost by bureau, against the prior year\n\n"));
    by_bureau(&mut out, a, lang);
    out.push_str(l("\n## 性質別の事業費\n\n", "\n## Program cost by kind of expense (性質別)\n\n"));
    by_kind(&mut out, a, lang);
    out.push_str(l(
        "\n## 市長調整枠・次世代投資枠と財政の上限\n\n",
        "\n## The mayor's reserve, the next-generation frame and the fiscal limits\n\n",
    ));
    frames(&mut out, a, lang);
    crate::report::proposals::memo(&mut out, a, lang);
    out.push_str(l("\n## 拘束している制約\n\n", "\n## Binding limits\n\n"));
    binding(&mut out, a, lang);
    out.push_str(l("\n## 財政指標\n\n", "\n## Fiscal indicators\n\n"));
    indicators(&mut out, a, health, lang);
    let cut: Vec<_> = a.programs.iter().filter(|p| is_cut(p.action)).collect();
    match lang {
        Lang::Ja => {
            let _ = writeln!(out, "\n## 縮小・統合・廃止とした事業（{}事業）\n", cut.len());
        }
        Lang::En => {
            let _ = writeln!(out, "\n## Programs reduced, merged or abolished ({})\n", cut.len());
        }
    }
    if cut.is_empty() {
        out.push_str(l("ありません。\n", "None.\n"));
    } else {
        let rows: Vec<Vec<String>> = cut
            .iter()
            .map(|p| {
                vec![
                    format!("{} {}", p.id, p.name),
                    bureau_name(a, &p.department),
                    action_label(p.action, lang),
                    n(p.requested, u),
                    n(p.allocated, u),
                    delta(p.allocated - p.requested, u),
                    reasons.get(p.id.as_str()).copied().unwrap_or("").to_string(),
                ]
            })
            .collect();
        let header = match lang {
            Lang::Ja => ["事業", "局・区", "方向性", "要求額", "配分額", "増減", "見直しの理由"],
            Lang::En => ["Program", "Bureau", "Action", "Requested", "Allocated", "Change", "The review's reason"],
        };
        table(&mut out, &header, rows, &[0, 1, 2, 6]);
    }
    out.push_str(l("\n## 見直しの方向性別の集計\n\n", "\n## Totals by review action\n\n"));
    actions(&mut out, a, lang);
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
                vec![
                    format!("{} {}", p.id, p.name),
                    bureau_name(a, &p.department),
                    action_label(p.action, lang),
                    n(p.requested, u),
                    n(p.allocated, u),
                    n(p.general_revenue, u),
                    w(lang, p.held_by.label_ja(), p.held_by.words()).to_string(),
                ]
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

/// Each bureau's 事業費 against its 前年度当初 (増減 and %), with the total.
fn by_bureau(out: &mut String, a: &Allocation, lang: Lang) {
    let u = a.display_unit;
    let row = |label: String, prior: Money, requested: Money, now: Money| {
        vec![
            label,
            n(prior, u),
            n(requested, u),
            n(now, u),
            delta(now - prior, u),
            text::change(now, prior, 1, Sign::Triangle),
        ]
    };
    let mut rows: Vec<Vec<String>> =
        a.by_bureau.iter().map(|b| row(b.name.clone(), b.prior_cost, b.requested, b.allocated)).collect();
    let prior: Money = a.by_bureau.iter().map(|b| b.prior_cost).sum();
    rows.push(row(w(lang, "**合計**", "**Total**").into(), prior, a.total_requested, a.total_allocated));
    let header = match lang {
        Lang::Ja => ["局・区", "前年度当初", "要求額", "本年度", "増減", "増減率"],
        Lang::En => ["Bureau", "Prior-year budget", "Requested", "This year", "Change", "Change %"],
    };
    table(out, &header, rows, &[0]);
}

/// The programs' totals by kind of expense (性質別), with the total.
fn by_kind(out: &mut String, a: &Allocation, lang: Lang) {
    let u = a.display_unit;
    let row = |label: String, count: usize, prior: Money, now: Money, general: Money| {
        vec![
            label,
            count.to_string(),
            n(prior, u),
            n(now, u),
            delta(now - prior, u),
            text::change(now, prior, 1, Sign::Triangle),
            n(general, u),
        ]
    };
    let mut rows: Vec<Vec<String>> = a
        .by_kind
        .iter()
        .map(|k| {
            let label = match (lang, k.nature) {
                (Lang::En, Some(nature)) => format!("{} ({})", k.label(), nature.id()),
                (Lang::En, None) => format!("{} (unclassified)", k.label()),
                (Lang::Ja, _) => k.label().into(),
            };
            row(label, k.programs, k.prior_cost, k.allocated, k.general_revenue)
        })
        .collect();
    let sum = |f: fn(&crate::allocate::KindTotal) -> Money| a.by_kind.iter().map(f).sum::<Money>();
    rows.push(row(
        w(lang, "**合計**", "**Total**").into(),
        a.programs.len(),
        sum(|k| k.prior_cost),
        a.total_allocated,
        sum(|k| k.general_revenue),
    ));
    let header = match lang {
        Lang::Ja => ["性質別", "事業数", "前年度当初", "本年度", "増減", "増減率", "うち一般財源"],
        Lang::En => ["Kind", "Programs", "Prior-year budget", "This year", "Change", "Change %", "General revenue"],
    };
    table(out, &header, rows, &[0]);
    let obligatory: Money =
        a.by_kind.iter().filter(|k| k.nature.is_some_and(|n| n.is_obligatory())).map(|k| k.allocated).sum();
    if !obligatory.is_zero() && !a.total_allocated.is_zero() {
        let share = obligatory.as_decimal() / a.total_allocated.as_decimal() * rust_decimal::Decimal::ONE_HUNDRED;
        let (amount, share) = (obligatory.format(u), share.round_dp(1));
        let _ = match lang {
            Lang::Ja => writeln!(out, "\n義務的経費（人件費・扶助費・公債費）は {amount}（事業費の{share}%）。"),
            Lang::En => writeln!(
                out,
                "\nObligatory expenses (義務的経費: personnel, assistance, debt service) are {amount} ({share}% of program cost)."
            ),
        };
    }
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

fn summary(a: &Allocation, health: Option<&YearHealth>, lang: Lang) -> String {
    let u = a.display_unit;
    let envelopes: Money = a.envelopes.iter().map(|e| e.amount).sum();
    let (available, general, drawn) = (a.available.format(u), a.general_revenue.format(u), a.fund_drawdown.format(u));
    let mut s = match lang {
        Lang::Ja => format!("配分できる一般財源は**{available}**です（一般財源 {general}、基金取崩し {drawn}"),
        Lang::En => format!(
            "The general revenue to allocate is **{available}** (general revenue {general}, drawn from the fund {drawn}"
        ),
    };
    if !a.fund_deposit.is_zero() {
        let _ = write!(
            s,
            "{}{}",
            w(lang, "、基金への積立 ", ", less a deposit into the fund of "),
            a.fund_deposit.format(u)
        );
    }
    let (envelope_total, reserve, reserve_share) = (envelopes.format(u), a.reserve.format(u), share(a.reserve_share));
    let (requested, allocated) = (a.total_requested.format(u), a.total_allocated.format(u));
    let cut = (a.total_requested - a.total_allocated).format(u);
    let bureaus = a.envelopes.len();
    let _ = match lang {
        Lang::Ja => write!(
            s,
            "）。このうち**{envelope_total}**を{bureaus}局・区の枠に、**{reserve}**（配分可能額の{reserve_share}）を市長調整枠に配分しました。事業費は要求{requested}に対して{allocated}で、査定により{cut}を減額しました。"
        ),
        Lang::En => write!(
            s,
            "). Of this, **{envelope_total}** goes to the envelopes of {bureaus} bureaus and **{reserve}** ({reserve_share} of the available) to the mayor's coordination reserve (市長調整枠). Program cost is {allocated} against requests of {requested}: the assessment cut {cut}."
        ),
    };
    let reviewed: Vec<_> =
        a.programs.iter().filter(|p| !matches!(p.action, Action::Expand | Action::Continue)).collect();
    if !reviewed.is_empty() {
        let freed = reviewed.iter().map(|p| p.requested - p.allocated).sum::<Money>().format(u);
        let count = reviewed.len();
        let _ = match lang {
            Lang::Ja => write!(
                s,
                "このうち、見直しで縮小・統合・廃止・民間委託・改善・完了とした{count}事業による減額が{freed}です。"
            ),
            Lang::En => write!(
                s,
                " Of that, {freed} comes from the {count} programs the review reduced, merged, abolished, outsourced, improved or completed."
            ),
        };
    }
    let binding: Vec<String> = a
        .constraints
        .iter()
        .filter(|c| c.binding && c.kind != ConstraintKind::Balance)
        .map(|c| match lang {
            Lang::Ja => c.kind.label_ja(),
            Lang::En => c.kind.label(),
        })
        .collect();
    let _ = match (binding.is_empty(), lang) {
        (true, Lang::Ja) => write!(s, "一般財源の総額のほかに配分を縛っている限度はありません。"),
        (true, Lang::En) => write!(s, " No limit other than the total of general revenue binds the allocation."),
        (false, Lang::Ja) => write!(s, "配分を縛っている限度は、{}です。", binding.join("、")),
        (false, Lang::En) => write!(s, " The limits that bind the allocation: {}.", binding.join("; ")),
    };
    let (next, target) = (a.next_generation.format(u), a.next_generation_target.format(u));
    let (investment, cap) = (a.investment.format(u), a.investment_cap.format(u));
    let _ = match lang {
        Lang::Ja => write!(s, "次世代投資枠は{next}（目標{target}）、投資的経費は{investment}（上限{cap}）です。"),
        Lang::En => write!(
            s,
            " The next-generation frame (次世代投資枠) is {next} (target {target}); investment is {investment} (cap {cap}). "
        ),
    };
    s.push_str(&health_sentence(health, lang));
    s
}

fn health_sentence(health: Option<&YearHealth>, lang: Lang) -> String {
    let Some(h) = health.filter(|h| h.status != FiscalStatus::NotAssessed) else {
        return w(
            lang,
            "財政健全化指標は、シナリオに `[fiscal]` の入力がないため算定していません。",
            "The fiscal soundness ratios are not computed: the scenario has no `[fiscal]` inputs.",
        )
        .into();
    };
    let (debt, burden) = (text::ratio(h.real_debt_service_ratio), text::ratio(h.future_burden_ratio));
    let ratios = match lang {
        Lang::Ja => format!("実質公債費比率 {debt}、将来負担比率 {burden}"),
        Lang::En => format!("real debt-service ratio {debt}, future burden ratio {burden}"),
    };
    let over: Vec<&Check> = h.checks.iter().filter(|c| c.status != CheckStatus::Ok).collect();
    if over.is_empty() {
        return match lang {
            Lang::Ja => format!("財政健全化指標はいずれも基準内です（{ratios}）。"),
            Lang::En => format!("Every fiscal soundness ratio is within its thresholds ({ratios})."),
        };
    }
    let what: Vec<String> = over
        .iter()
        .map(|c| match lang {
            Lang::Ja => format!(
                "{} {}%（{} {}%）",
                c.indicator.label_ja(),
                c.value.percent(),
                c.kind.label_ja(),
                c.threshold.percent()
            ),
            Lang::En => format!(
                "{} {}% ({} threshold {}%)",
                c.indicator.label(),
                c.value.percent(),
                c.kind.label(),
                c.threshold.percent()
            ),
        })
        .collect();
    match lang {
        Lang::Ja => format!("財政健全化指標のうち、{}が基準に達しています（{ratios}）。", what.join("、")),
        Lang::En => format!("Fiscal soundness ratios at a threshold: {} ({ratios}).", what.join("; ")),
    }
}

fn envelopes(out: &mut String, a: &Allocation, lang: Lang) {
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
                w(lang, "下限", "floor")
            } else if binds(false) {
                w(lang, "上限", "ceiling")
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
        bold(w(lang, "局別枠合計", "Envelopes in total").into()),
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
    rows.push(only(w(lang, "市長調整枠", "Mayor's reserve"), a.reserve));
    rows.push(only(w(lang, "配分可能な一般財源", "General revenue available"), a.available));
    let header = match lang {
        Lang::Ja => ["局・区", "基準額", "要求額", "下限", "上限", "配分枠", "対基準", "限度"],
        Lang::En => ["Bureau", "Base", "Requested", "Floor", "Ceiling", "Envelope", "vs base", "At"],
    };
    table(out, &header, rows, &[0, 7]);
    let (total, reserve, available) = (total.format(u), a.reserve.format(u), a.available.format(u));
    let _ = match lang {
        Lang::Ja => writeln!(
            out,
            "\n基準額は前年度の事業費に要した一般財源。局別枠合計 {total} + 市長調整枠 {reserve} = 配分可能な一般財源 {available}（円単位で一致）。"
        ),
        Lang::En => writeln!(
            out,
            "\nThe base is the general revenue the bureau's programs used in the prior year. Envelopes {total} + the mayor's reserve {reserve} = general revenue available {available} (to the yen)."
        ),
    };
}

fn frames(out: &mut String, a: &Allocation, lang: Lang) {
    let u = a.display_unit;
    let state = |c: Option<&ConstraintReport>, room: Money| match c {
        Some(c) if c.binding => w(lang, "限度で拘束", "at its limit").to_string(),
        _ => format!("{} {}", w(lang, "余裕", "room"), room.format(u)),
    };
    let reserve_min = a.constraint(|k| matches!(k, ConstraintKind::ReserveMin { .. }));
    let reserve_max = a.constraint(|k| matches!(k, ConstraintKind::ReserveMax { .. }));
    let limit = |c: Option<&ConstraintReport>| c.map_or("—".into(), |c| n(c.limit, u));
    let reserve_state = match (reserve_min, reserve_max) {
        (Some(c), _) if c.binding => w(lang, "下限で拘束", "at its minimum").to_string(),
        (_, Some(c)) if c.binding => w(lang, "上限で拘束", "at its maximum").to_string(),
        _ => w(lang, "下限と上限の間", "between its minimum and maximum").to_string(),
    };
    let rows = vec![
        vec![
            match lang {
                Lang::Ja => format!("市長調整枠（配分可能額の{}）", share(a.reserve_share)),
                Lang::En => format!("Mayor's reserve ({} of the available)", share(a.reserve_share)),
            },
            n(a.reserve, u),
            limit(reserve_min),
            limit(reserve_max),
            reserve_state,
        ],
        vec![
            w(lang, "次世代投資枠（事業費）", "Next-generation frame (program cost)").into(),
            n(a.next_generation, u),
            n(a.next_generation_target, u),
            "—".into(),
            state(a.constraint(|k| *k == ConstraintKind::NextGeneration), a.next_generation - a.next_generation_target),
        ],
        vec![
            w(lang, "投資的経費", "Investment").into(),
            n(a.investment, u),
            "—".into(),
            n(a.investment_cap, u),
            state(a.constraint(|k| *k == ConstraintKind::InvestmentCap), a.investment_cap - a.investment),
        ],
        vec![
            w(lang, "市債発行額", "Bond issuance").into(),
            n(a.bond_issuance, u),
            "—".into(),
            n(a.bond_issuance_cap, u),
            state(a.constraint(|k| *k == ConstraintKind::IssuanceCap), a.bond_issuance_cap - a.bond_issuance),
        ],
        vec![
            w(lang, "基金残高（年度末）", "Fund balance (year end)").into(),
            n(a.fund_balance_end, u),
            n(a.fund_floor, u),
            "—".into(),
            state(
                a.constraint(|k| matches!(k, ConstraintKind::FundDrawdown | ConstraintKind::FundFloor)),
                a.fund_balance_end - a.fund_floor,
            ),
        ],
    ];
    let header = match lang {
        Lang::Ja => ["項目", "金額", "下限・目標", "上限", "状態"],
        Lang::En => ["Item", "Amount", "Minimum / target", "Maximum", "State"],
    };
    table(out, &header, rows, &[0, 4]);
    let (start, end) = (a.bond_balance_start.format(u), a.bond_balance_end.format(u));
    let (issued, redeemed) = (a.bond_issuance.format(u), a.bond_redemption.format(u));
    let _ = match lang {
        Lang::Ja => writeln!(out, "\n市債残高は {start} → {end}（発行 {issued}、償還 {redeemed}）。"),
        Lang::En => writeln!(out, "\nBond balance {start} → {end} (issued {issued}, redeemed {redeemed})."),
    };
    match lang {
        Lang::Ja => {
            let _ = writeln!(out, "\n{}", a.fund_words());
        }
        Lang::En => {
            let _ = writeln!(out, "\nThe fund (財源調整用基金), as the Japanese memo says it:\n\n> {}", a.fund_words());
        }
    }
}

fn binding(out: &mut String, a: &Allocation, lang: Lang) {
    let u = a.display_unit;
    let binding: Vec<&ConstraintReport> = a.constraints.iter().filter(|c| c.binding).collect();
    if binding.is_empty() {
        out.push_str(w(lang, "拘束している制約はありません。\n", "No limit binds.\n"));
        return;
    }
    for c in binding {
        let limit = match (c.kind == ConstraintKind::Balance, lang) {
            (true, _) => String::new(),
            (false, Lang::Ja) => format!("（{}）", c.limit.format(u)),
            (false, Lang::En) => format!(" ({})", c.limit.format(u)),
        };
        let _ = match lang {
            Lang::Ja => writeln!(out, "- **{}**{limit}: {} `{}`", c.kind.label_ja(), c.price_words_ja(u), c.name),
            Lang::En => writeln!(out, "- **{}**{limit}: {} `{}`", c.kind.label(), c.price_words(u), c.name),
        };
    }
    let step = price_step(u).format(u);
    let _ = match lang {
        Lang::Ja => writeln!(
            out,
            "\n各行の金額は、その限度を{step}緩めて配分を計算し直した結果です（括弧内はシャドープライスを金額に換算した値）。`waku explain` に制約名を渡すと詳しい説明が出ます。"
        ),
        Lang::En => writeln!(
            out,
            "\nEach line's amount is what re-computing the allocation with that limit loosened by {step} gives (the shadow price in money). `waku explain` with the limit's name explains it in full."
        ),
    };
}

fn indicators(out: &mut String, a: &Allocation, health: Option<&YearHealth>, lang: Lang) {
    let u = a.display_unit;
    let Some(h) = health else {
        out.push_str(w(
            lang,
            "（この出力には財政指標を含めていません。）\n",
            "(This output does not include the fiscal indicators.)\n",
        ));
        return;
    };
    let mut rows = vec![
        vec![
            w(lang, "市債残高（年度末）", "Bond balance (year end)").into(),
            h.bond_balance.format(u),
            format!("{} {}", w(lang, "年度当初", "at the start"), a.bond_balance_start.format(u)),
            if h.bond_balance <= a.bond_balance_start {
                w(lang, "増えていない", "not rising").into()
            } else {
                w(lang, "増加", "rising").into()
            },
        ],
        vec![
            w(lang, "基金残高（年度末）", "Fund balance (year end)").into(),
            h.fund_balance.format(u),
            format!("{} {}", w(lang, "下限", "floor"), a.fund_floor.format(u)),
            if h.fund_balance >= a.fund_floor {
                w(lang, "基準内", "within").into()
            } else {
                w(lang, "下限割れ", "below the floor").into()
            },
        ],
        vec![
            w(lang, "収支ギャップ（対策前）", "Fiscal gap (before measures)").into(),
            h.fiscal_gap.format(u),
            "—".into(),
            "—".into(),
        ],
    ];
    let ratios = [
        (
            w(lang, "実質公債費比率（3か年平均）", "Real debt-service ratio (3-year mean)"),
            RatioIndicator::RealDebtService,
            h.real_debt_service_ratio,
        ),
        (w(lang, "将来負担比率", "Future burden ratio"), RatioIndicator::FutureBurden, h.future_burden_ratio),
        (w(lang, "経常収支比率", "Ordinary balance ratio"), RatioIndicator::OrdinaryBalance, h.ordinary_balance_ratio),
    ];
    for (label, id, value) in ratios {
        let checks: Vec<&Check> = h.checks.iter().filter(|c| c.indicator == id).collect();
        let thresholds: Vec<String> = checks
            .iter()
            .map(|c| {
                let unverified = if c.unverified() { w(lang, "（未検証）", " (unverified)") } else { "" };
                let kind = match lang {
                    Lang::Ja => c.kind.label_ja().to_string(),
                    Lang::En => c.kind.label(),
                };
                format!("{kind} {}%{unverified}", c.threshold.percent())
            })
            .collect();
        let verdict = if value.is_none() {
            w(lang, "未算定（[fiscal] の入力なし）", "not computed (no [fiscal] inputs)")
        } else if checks.iter().any(|c| c.status == CheckStatus::Violated) {
            w(lang, "基準超過", "over its threshold")
        } else if checks.iter().any(|c| c.status == CheckStatus::Warning) {
            w(lang, "注意（起債に許可が必要）", "caution (bonds need permission)")
        } else if checks.is_empty() {
            w(lang, "法定の基準なし", "no statutory threshold")
        } else {
            w(lang, "基準内", "within")
        }
        .to_string();
        rows.push(vec![
            label.to_string(),
            text::ratio(value),
            if thresholds.is_empty() { "—".into() } else { thresholds.join(" / ") },
            verdict,
        ]);
    }
    let header = match lang {
        Lang::Ja => ["指標", "値", "基準", "判定"],
        Lang::En => ["Indicator", "Value", "Thresholds", "Verdict"],
    };
    table(out, &header, rows, &[0, 2, 3]);
}

fn actions(out: &mut String, a: &Allocation, lang: Lang) {
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
            vec![action_label(action, lang), count.to_string(), n(req, u), n(alloc, u), delta(alloc - req, u)]
        })
        .collect();
    rows.push(vec![
        w(lang, "**合計**", "**Total**").into(),
        format!("**{}**", a.programs.len()),
        format!("**{}**", n(a.total_requested, u)),
        format!("**{}**", n(a.total_allocated, u)),
        format!("**{}**", delta(a.total_allocated - a.total_requested, u)),
    ]);
    let header = match lang {
        Lang::Ja => ["方向性", "事業数", "要求額", "配分額", "増減"],
        Lang::En => ["Action", "Programs", "Requested", "Allocated", "Change"],
    };
    table(out, &header, rows, &[0]);
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
