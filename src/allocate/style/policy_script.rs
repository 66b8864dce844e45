//! 配分方針スクリプト (`[policy] script`): a city's own allocation rule as a Rhai script.
//!
//! The script runs once per allocation, before the style, in the review scripts' sandbox
//! (`crate::rules::allocation`). It sees one read-only variable, `city`:
//!
//! * `name`, `fiscal_year`, `style` (`"priority"`, `"ceiling"` or `"balanced"`);
//! * `general_revenue`, `fund` (`#{ balance, max_drawdown, floor }`), `reserve_min_share`,
//!   `reserve_max_share`;
//! * `to_bureaus`: the general revenue the bureaus can have, T = (general revenue + the drawdown
//!   the fund policy allows) × (1 − the reserve's minimum share), at most what their programs can
//!   take;
//! * `bureaus`: per bureau in scenario order `#{ id, name, base, by_kind, prior_by_kind, needed,
//!   absorbable }`: `base` is the general revenue of its programs at the prior-year budget,
//!   `prior_by_kind` the same by kind of expense (`mandatory`, `discretionary`, `investment`,
//!   `new`), `by_kind` the base `ceiling` multiplies (義務的経費 and 新規事業 at the request),
//!   `needed` and `absorbable` what its programs need at least and can take at most.
//!
//! Money is exact yen, shares ordinary numbers. It returns `()` (the scenario as written) or a map
//! with any of:
//!
//! * `envelopes`: `#{ bureau_id: money }`, each bureau's envelope (rounded to the yen, ties to
//!   even); `shares`: `#{ bureau_id: share }`, an envelope as a share of `city.to_bureaus`. A
//!   bureau named gets exactly that envelope (its floor and ceiling), unless its programs cannot
//!   take it or need more (then the nearest amount they allow, and `explain` says why);
//! * `ceiling`: `#{ kind: ratio }`, the ceiling ratios of `[policy.ceiling]` (style `ceiling` only);
//! * `max_cut_share`: a share for every bureau, or `#{ bureau_id: share }`;
//! * `reason`: one line for the report and `waku explain`.
//!
//! A value of the wrong kind, an unknown key or bureau is an input error located in the script
//! (exit 2); envelopes that need more than the year can give, or that break a cut limit, are
//! infeasible (exit 1) with the shortfall.

use std::collections::BTreeMap;

use rhai::{Dynamic, Map};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::Serialize;

use super::{Bureau, BureauTarget, Forced};
use crate::diagnostic::{Diagnostic, Source};
use crate::money::{Money, Unit};
use crate::rules::allocation::point_at;
use crate::scenario::{ProgramKind, Scenario, Style};
use crate::{Error, Result};

/// What the script may return.
const KEYS: [&str; 5] = ["envelopes", "shares", "ceiling", "max_cut_share", "reason"];

/// What a policy script set, for the report and `waku explain`.
#[derive(Debug, Clone, Serialize)]
pub struct ScriptNote {
    /// The script, as the user would write its path.
    pub path: String,
    /// Its own words (`reason`), if it gave them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Each bureau the script gave an envelope, in scenario order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub envelopes: Vec<BureauTarget>,
}

/// What the script set that applies after the style: the envelopes (per bureau, scenario order).
pub(crate) struct Scripted {
    pub envelopes: Vec<Option<Money>>,
    pub note: ScriptNote,
}

/// Runs the scenario's policy script, if it has one: the scenario with the ceiling ratios and cut
/// limits it set, and the envelopes it set (for [`set_envelopes`], after the style).
pub(crate) fn run(sc: &Scenario, bureaus: &[Bureau], to_bureaus: Money) -> Result<Option<(Scenario, Scripted)>> {
    let Some(path) = &sc.policy.script else { return Ok(None) };
    let ids: Vec<String> = sc.departments.iter().map(|d| d.id.clone()).collect();
    let compiled = crate::rules::allocation::compile_allocation(&sc.rules_dir, path, ids).map_err(Error::Input)?;
    let value = compiled.run(city(sc, bureaus, to_bureaus)).map_err(Error::input)?;
    let src = &compiled.script.source;
    let mut styled = sc.clone();
    let mut scripted = Scripted {
        envelopes: vec![None; sc.departments.len()],
        note: ScriptNote { path: src.name.clone(), reason: None, envelopes: Vec::new() },
    };
    if value.is_unit() {
        return Ok(Some((styled, scripted)));
    }
    let Some(map) = value.clone().try_cast::<Map>() else {
        return Err(Error::input(
            Diagnostic::error(format!(
                "an allocation policy script must return `()` or a map such as `#{{ envelopes: #{{ … }} }}`, found {}",
                value.type_name()
            ))
            .at(point_at(src, "#{"))
            .hint(format!("the keys it may return are {}", list(&KEYS))),
        ));
    };
    let r = Reader { src, sc };
    for k in map.keys() {
        if !KEYS.contains(&k.as_str()) {
            return Err(r
                .bad(k, format!("the allocation policy script returned an unknown key `{k}`"))
                .suggest(k, KEYS)
                .into_err());
        }
    }
    if let Some(v) = map.get("reason").filter(|v| !v.is_unit()) {
        scripted.note.reason = Some(v.clone().into_string().map_err(|_| r.expected("reason", "text", v))?);
    }
    if let Some(v) = map.get("ceiling").filter(|v| !v.is_unit()) {
        if sc.policy.style != Style::Ceiling {
            return Err(r
                .bad(
                    "ceiling",
                    format!(
                        "the allocation policy script returned `ceiling`, but the scenario's style is `{}` ({})",
                        sc.policy.style.id(),
                        sc.policy.style.label()
                    ),
                )
                .note("ceiling ratios by kind of expense apply under 一律シーリング only")
                .hint("set `[policy] style = \"ceiling\"` in the scenario, or return `envelopes` instead")
                .into_err());
        }
        for (kind, ratio) in r.by_kind("ceiling", v, Decimal::from(1_000))? {
            *styled.policy.ceiling.of_mut(kind) = Some(ratio);
        }
    }
    if let Some(v) = map.get("max_cut_share").filter(|v| !v.is_unit()) {
        if v.is_map() {
            for (d, share) in r.by_bureau("max_cut_share", v, |v| r.share(v, Decimal::ONE))? {
                styled.departments[d].max_cut_share = Some(share);
            }
        } else {
            let share = r.share(v, Decimal::ONE).ok_or_else(|| {
                r.expected("max_cut_share", "a share from 0 to 1 (e.g. 0.1), or a map of them by bureau", v)
            })?;
            styled.policy.max_cut_share = Some(share);
            for d in &mut styled.departments {
                d.max_cut_share = Some(share);
            }
        }
    }
    let mut named = BTreeMap::new();
    if let Some(v) = map.get("envelopes").filter(|v| !v.is_unit()) {
        for (d, m) in
            r.by_bureau("envelopes", v, |v| money(v).filter(|m| !m.is_sign_negative()).map(Money::from_decimal))?
        {
            named.insert(d, ("envelopes", m));
        }
    }
    if let Some(v) = map.get("shares").filter(|v| !v.is_unit()) {
        for (d, share) in r.by_bureau("shares", v, |v| r.share(v, Decimal::ONE))? {
            if named.contains_key(&d) {
                return Err(r
                    .bad("shares", format!("bureau `{}` has both an envelope and a share", sc.departments[d].id))
                    .hint("give each bureau one of them")
                    .into_err());
            }
            named.insert(d, ("shares", to_bureaus.mul_ratio(share)));
        }
    }
    for (d, (_, m)) in named {
        scripted.envelopes[d] = Some(m);
    }
    Ok(Some((styled, scripted)))
}

/// Sets the script's envelopes on the styled scenario: bureau d's floor and ceiling become its
/// envelope E_d, or the nearest amount its programs allow (at least what they need, at most what
/// they can take). `most` is what the bureaus can have at most; envelopes needing more, or one
/// below a bureau's cut limit, cannot hold.
pub(crate) fn set_envelopes(
    styled: &mut Scenario,
    scripted: &mut Scripted,
    bureaus: &[Bureau],
    most: Money,
) -> Result<()> {
    let u = styled.display_unit;
    let path = scripted.note.path.clone();
    let mut floors = Money::ZERO;
    for (d, (b, e)) in bureaus.iter().zip(&scripted.envelopes).enumerate() {
        let dept = &mut styled.departments[d];
        let Some(e) = *e else {
            floors += b.needed.max(dept.floor.unwrap_or(b.floor));
            continue;
        };
        let (lo, hi) = (e.min(b.absorbable), e.max(b.needed));
        if let Some(share) = dept.max_cut_share {
            let least = b.base.mul_ratio(Decimal::ONE - share);
            if hi < least {
                return Err(Error::Infeasible(Box::new(
                    Diagnostic::error(format!(
                        "削減上限（`max_cut_share` {}、前年度当初の一般財源に対して）: {}の枠は {} 以上が必要ですが、配分方針スクリプト `{path}` の枠は {} です。あと {} 不足",
                        crate::number::share_as_written(share),
                        dept.name,
                        least.format(u),
                        hi.format(u),
                        (least - hi).format(u)
                    ))
                    .hint("raise the bureau's envelope in the script, or its `max_cut_share`"),
                )));
            }
        }
        dept.floor = Some(lo);
        dept.ceiling = Some(hi);
        floors += lo;
        let forced = if b.needed > e {
            Some(Forced::Needs)
        } else if b.absorbable < e {
            Some(Forced::ReviewMaxima)
        } else {
            None
        };
        scripted.note.envelopes.push(BureauTarget {
            department: dept.id.clone(),
            target: e,
            limit: if forced == Some(Forced::Needs) { hi } else { lo },
            absorbable: b.absorbable,
            needed: b.needed,
            forced,
        });
    }
    if floors > most {
        return Err(super::beyond_most(
            format!("配分方針スクリプト `{path}` の枠（と他の局の下限）に計 {} ", floors.format(u)),
            floors - most,
            styled,
            "",
            "lower the envelopes in the script (`city.to_bureaus` is what the bureaus can have), or find the general revenue",
        ));
    }
    Ok(())
}

/// The `city` variable: the scenario's figures.
fn city(sc: &Scenario, bureaus: &[Bureau], to_bureaus: Money) -> Map {
    let yen = |m: Money| Dynamic::from_decimal(m.as_decimal());
    let num = |d: Decimal| Dynamic::from_float(d.to_f64().unwrap_or(0.0));
    let kinds = |by: &[Money; 4]| -> Dynamic {
        let m: Map = ProgramKind::ALL.iter().zip(by).map(|(k, &v)| (k.id().into(), yen(v))).collect();
        Dynamic::from_map(m)
    };
    let list: rhai::Array = bureaus
        .iter()
        .zip(&sc.departments)
        .map(|(b, d)| {
            let mut m = Map::new();
            m.insert("id".into(), Dynamic::from(d.id.clone()));
            m.insert("name".into(), Dynamic::from(d.name.clone()));
            m.insert("base".into(), yen(b.base));
            m.insert("by_kind".into(), kinds(&b.by_kind));
            m.insert("prior_by_kind".into(), kinds(&b.prior_by_kind));
            m.insert("needed".into(), yen(b.needed));
            m.insert("absorbable".into(), yen(b.absorbable));
            Dynamic::from_map(m)
        })
        .collect();
    let mut fund = Map::new();
    fund.insert("balance".into(), yen(sc.fund.balance));
    fund.insert("max_drawdown".into(), yen(sc.fund.max_drawdown));
    fund.insert("floor".into(), yen(sc.fund.floor));
    let mut c = Map::new();
    c.insert("name".into(), Dynamic::from(sc.city.clone()));
    c.insert("fiscal_year".into(), Dynamic::from_int(i64::from(sc.fiscal_year)));
    c.insert("style".into(), Dynamic::from(sc.policy.style.id().to_string()));
    c.insert("general_revenue".into(), yen(sc.revenue.general_revenue));
    c.insert("fund".into(), Dynamic::from_map(fund));
    c.insert("reserve_min_share".into(), num(sc.policy.reserve_min_share));
    c.insert("reserve_max_share".into(), num(sc.policy.reserve_max_share));
    c.insert("to_bureaus".into(), yen(to_bureaus));
    c.insert("bureaus".into(), Dynamic::from_array(list));
    c
}

fn money(v: &Dynamic) -> Option<Decimal> {
    v.as_decimal().ok().or_else(|| v.as_int().ok().map(Decimal::from))
}

fn list(keys: &[&str]) -> String {
    keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
}

/// Reads the returned map, errors located at the key in the script.
struct Reader<'a> {
    src: &'a std::sync::Arc<Source>,
    sc: &'a Scenario,
}

/// An error under construction.
struct Bad(Diagnostic);

impl Bad {
    fn suggest<'a>(self, found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Bad {
        Bad(self.0.suggest(found, candidates))
    }
    fn note(self, n: impl Into<String>) -> Bad {
        Bad(self.0.note(n))
    }
    fn hint(self, h: impl Into<String>) -> Bad {
        Bad(self.0.hint(h))
    }
    fn into_err(self) -> Error {
        Error::input(self.0)
    }
}

impl Reader<'_> {
    fn bad(&self, key: &str, message: String) -> Bad {
        Bad(Diagnostic::error(message)
            .at(point_at(self.src, &format!("{key}:")))
            .note(format!("in the value the allocation policy script `{}` returned", self.src.name)))
    }

    fn expected(&self, key: &str, what: &str, v: &Dynamic) -> Error {
        self.bad(key, format!("`{key}` must be {what}, found {}", shown(v)))
            .hint(format!("the keys it may return are {}; see README \"Allocation policy scripts\"", list(&KEYS)))
            .into_err()
    }

    /// A number from 0 to `max` (a share or a ratio).
    fn share(&self, v: &Dynamic, max: Decimal) -> Option<Decimal> {
        let d = if let Ok(f) = v.as_float() { Decimal::from_f64(f).map(|d| d.round_dp(6)) } else { money(v) }?;
        (Decimal::ZERO <= d && d <= max).then_some(d)
    }

    /// A map by bureau id, each value read by `value`.
    fn by_bureau<T>(&self, key: &str, v: &Dynamic, value: impl Fn(&Dynamic) -> Option<T>) -> Result<Vec<(usize, T)>> {
        let what = match key {
            "envelopes" => "money (e.g. `oku(12.5)` or `city.bureaus[0].base * 0.95`)",
            "shares" => "a share from 0 to 1 of `city.to_bureaus`",
            _ => "a share from 0 to 1",
        };
        let Some(map) = v.read_lock::<Map>().map(|m| m.clone()) else {
            return Err(self.expected(key, &format!("a map by bureau id of {what}"), v));
        };
        let ids: Vec<&str> = self.sc.departments.iter().map(|d| d.id.as_str()).collect();
        let mut out = Vec::new();
        for (id, x) in &map {
            let Some(d) = ids.iter().position(|i| *i == id.as_str()) else {
                return Err(self
                    .bad(key, format!("`{key}` names bureau `{id}`, which the scenario does not have"))
                    .suggest(id, ids.iter().copied())
                    .into_err());
            };
            let Some(t) = value(x) else {
                return Err(self.expected(key, &format!("{what} for `{id}`"), x));
            };
            out.push((d, t));
        }
        Ok(out)
    }

    /// A map by kind of expense of ratios from 0 to `max`.
    fn by_kind(&self, key: &str, v: &Dynamic, max: Decimal) -> Result<Vec<(ProgramKind, Decimal)>> {
        let Some(map) = v.read_lock::<Map>().map(|m| m.clone()) else {
            return Err(self.expected(key, "a map by kind of expense, e.g. `#{ discretionary: 0.95 }`", v));
        };
        let mut out = Vec::new();
        for (k, x) in &map {
            let Some(kind) = ProgramKind::parse(k) else {
                return Err(self
                    .bad(key, format!("`{key}` names kind `{k}`, which is not a kind of expense"))
                    .suggest(k, ProgramKind::ALL.iter().map(|k| k.id()))
                    .into_err());
            };
            let Some(r) = self.share(x, max) else {
                return Err(self.expected(key, &format!("a non-negative ratio for `{k}` (e.g. 0.95)"), x));
            };
            out.push((kind, r));
        }
        Ok(out)
    }
}

/// A returned value as the error shows it: its type, and the value when short.
fn shown(v: &Dynamic) -> String {
    let text = v.to_string();
    if text.chars().count() <= 40 { format!("{} `{text}`", v.type_name()) } else { v.type_name().to_string() }
}

/// In the report: the script's line (Japanese).
pub(crate) fn line_ja(note: &ScriptNote, unit: Unit) -> String {
    let mut s = format!("配分方針スクリプト `{}`", note.path);
    if let Some(r) = &note.reason {
        s.push_str(&format!("（{r}）"));
    }
    if !note.envelopes.is_empty() {
        let total: Money = note.envelopes.iter().map(|b| b.target).sum();
        s.push_str(&format!(": {}局の枠を式で設定（計 {}）", note.envelopes.len(), total.format(unit)));
    }
    s
}
