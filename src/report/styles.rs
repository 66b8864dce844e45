//! `waku run --compare-style OTHER`: the same scenario under two allocation styles (配分方式), bureau
//! by bureau: each envelope, its change against the bureau's base, and the difference.

use rust_decimal::Decimal;
use serde::Serialize;

use super::terminal::Palette;
use super::text::{Sign, Table, amount, change, change_percent, heading, signed};
use crate::allocate::Allocation;
use crate::money::Money;
use crate::scenario::Style;

/// Two allocations of one scenario under two styles (the JSON of `--compare-style`).
#[derive(Debug, Serialize)]
pub struct StyleComparison {
    pub city: String,
    pub scenario: String,
    pub fiscal_year: i32,
    /// The scenario's own style, then the other.
    pub styles: [Style; 2],
    /// Per bureau, in scenario order.
    pub bureaus: Vec<BureauSides>,
    /// The mayor's reserve under each style.
    pub reserve: [Money; 2],
    /// The fund drawn under each style.
    pub fund_drawdown: [Money; 2],
    /// Σ envelopes ÷ Σ bases − 1 under each style (the city-wide relative change).
    pub city_change: [Decimal; 2],
}

/// One bureau under two styles.
#[derive(Debug, Serialize)]
pub struct BureauSides {
    pub department: String,
    pub name: String,
    /// Prior-year general revenue of its programs.
    pub base: Money,
    /// Its envelope under each style.
    pub amount: [Money; 2],
    /// Its envelope against its base, under each style (−0.05 = 5% less).
    pub change: [Option<Decimal>; 2],
    /// The second style's envelope − the first's.
    pub difference: Money,
}

fn relative(now: Money, base: Money) -> Option<Decimal> {
    (!base.is_zero()).then(|| ((now - base).as_decimal() / base.as_decimal()).round_dp(6))
}

impl StyleComparison {
    /// Pairs the bureaus of `a` and `b` (the same scenario under two styles).
    pub fn new(a: &Allocation, b: &Allocation) -> StyleComparison {
        let bureaus = a
            .envelopes
            .iter()
            .map(|e| {
                let other = b.envelopes.iter().find(|f| f.department == e.department).map_or(Money::ZERO, |f| f.amount);
                BureauSides {
                    department: e.department.clone(),
                    name: e.name.clone(),
                    base: e.base,
                    amount: [e.amount, other],
                    change: [relative(e.amount, e.base), relative(other, e.base)],
                    difference: other - e.amount,
                }
            })
            .collect();
        let city = |x: &Allocation| {
            let (amount, base): (Money, Money) =
                x.envelopes.iter().fold((Money::ZERO, Money::ZERO), |(s, t), e| (s + e.amount, t + e.base));
            relative(amount, base).unwrap_or_default()
        };
        StyleComparison {
            city: a.city.clone(),
            scenario: a.scenario.clone(),
            fiscal_year: a.fiscal_year,
            styles: [a.style, b.style],
            bureaus,
            reserve: [a.reserve, b.reserve],
            fund_drawdown: [a.fund_drawdown, b.fund_drawdown],
            city_change: [city(a), city(b)],
        }
    }

    /// The terminal table: 局, 基準額, each style's envelope and 前年度比, the difference.
    pub fn render(&self, a: &Allocation, palette: Palette) -> String {
        let u = a.display_unit;
        let [s1, s2] = self.styles.map(Style::label);
        let mut out = heading(
            &format!("{} {} — 配分方式の比較（{s1} ↔ {s2}）[{}]", self.city, self.scenario, u.suffix()),
            &[(a.fiscal_year, &a.overrides)],
            u,
        );
        let mut t = Table::new([
            "局".to_string(),
            "基準額".into(),
            s1.to_string(),
            "前年度比".into(),
            s2.to_string(),
            "前年度比".into(),
            "差".into(),
        ]);
        for b in &self.bureaus {
            t.row(vec![
                b.name.clone(),
                amount(b.base, u),
                amount(b.amount[0], u),
                change(b.amount[0], b.base, 1, Sign::Triangle),
                amount(b.amount[1], u),
                change(b.amount[1], b.base, 1, Sign::Triangle),
                signed(b.difference, u, Sign::Triangle),
            ]);
        }
        let base: Money = self.bureaus.iter().map(|b| b.base).sum();
        let total = |i: usize| self.bureaus.iter().map(|b| b.amount[i]).sum::<Money>();
        t.row(vec![
            "局の計".into(),
            amount(base, u),
            amount(total(0), u),
            change(total(0), base, 1, Sign::Triangle),
            amount(total(1), u),
            change(total(1), base, 1, Sign::Triangle),
            signed(total(1) - total(0), u, Sign::Triangle),
        ]);
        t.row(vec![
            "市長調整枠".into(),
            String::new(),
            amount(self.reserve[0], u),
            String::new(),
            amount(self.reserve[1], u),
            String::new(),
            signed(self.reserve[1] - self.reserve[0], u, Sign::Triangle),
        ]);
        t.write(&mut out, palette);
        // The spread of the bureaus' changes: what a bureau chiefs' meeting asks first.
        for (i, s) in [s1, s2].iter().enumerate() {
            let changes: Vec<Decimal> =
                self.bureaus.iter().filter_map(|b| change_percent(b.amount[i], b.base, 1)).collect();
            if let (Some(lo), Some(hi)) = (changes.iter().min(), changes.iter().max()) {
                out.push_str(&format!(
                    "  {s}: 局の前年度比 {} 〜 {}（全市 {}）\n",
                    crate::money::triangle(format!("{lo:+.1}%")),
                    crate::money::triangle(format!("{hi:+.1}%")),
                    crate::money::triangle(format!(
                        "{:+.1}%",
                        (self.city_change[i] * Decimal::ONE_HUNDRED).round_dp(1)
                    ))
                ));
            }
        }
        out
    }
}

/// The allocation's 配分方式 in one line, with its policy script when it has one (`waku run`'s
/// terminal table, memo and HTML): `配分方式: 一律シーリング`.
pub fn style_line(a: &Allocation, ja: bool) -> String {
    let script = a.style_detail.as_ref().and_then(|n| n.script.as_ref());
    let (label, id) = (a.style.label(), a.style.id());
    match (ja, script) {
        (true, None) => format!("配分方式: {label}"),
        (true, Some(x)) => format!("配分方式: {label}、配分方針スクリプト `{}`", x.path),
        (false, None) => format!("allocation style: {label} ({id})"),
        (false, Some(x)) => format!("allocation style: {label} ({id}), policy script `{}`", x.path),
    }
}
