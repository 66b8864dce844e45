//! Ruleset parameters: the numbers a policy designer tunes, with units, fiscal-year schedules and overrides.
//!
//! A parameter is declared once in `ruleset.toml` with a unit that says what kind of value it
//! holds; scripts read it as `params.NAME`. A scenario may override a value (`[parameters]`),
//! and a parameter may change value from a given fiscal year on (`effective`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use rhai::Dynamic;

use super::tables::{Scale, ScaleRef, Table, TableRef};
pub use super::units::{ParamUnit, Scalar};
use crate::diagnostic::{Diagnostic, Location};
use crate::scenario::{Located, ProgramKind};

/// A parameter's value, already checked: one value of its unit, a scale or a decision table.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Scalar(Scalar),
    /// A bracket scale on a program field (`scale = { … }`), read as `params.NAME.at(program)`.
    Scale(Arc<Scale>),
    /// A decision table on program fields (`table = { … }`), read as `params.NAME.decide(program)`.
    Table(Arc<Table>),
}

impl ParamValue {
    /// Reads a TOML value as a value of `unit`; the error says what was expected.
    pub fn from_toml(unit: ParamUnit, v: &toml::Value) -> Result<ParamValue, String> {
        Scalar::from_toml(unit, v).map(ParamValue::Scalar)
    }

    /// The value as a script sees it.
    pub fn to_dynamic(&self) -> Dynamic {
        match self {
            ParamValue::Scalar(s) => s.to_dynamic(),
            ParamValue::Scale(s) => Dynamic::from(ScaleRef(Arc::clone(s))),
            ParamValue::Table(t) => Dynamic::from(TableRef(Arc::clone(t))),
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Scalar(s) => write!(f, "{s}"),
            ParamValue::Scale(s) => write!(f, "{s}"),
            ParamValue::Table(t) => write!(f, "{t}"),
        }
    }
}

/// A value that takes effect from a fiscal year on.
#[derive(Debug, Clone)]
pub struct Scheduled {
    /// The first fiscal year (年度, April–March) the value applies to.
    pub from_fiscal_year: i32,
    pub value: ParamValue,
    pub location: Option<Location>,
}

/// One declared parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub unit: ParamUnit,
    pub description: String,
    /// The value before any scheduled change.
    pub value: ParamValue,
    /// Later values, in fiscal-year order.
    pub effective: Vec<Scheduled>,
    /// Where the parameter is declared.
    pub location: Option<Location>,
    /// A scenario's override, which applies to every year.
    pub overridden: Option<(ParamValue, Option<Location>)>,
    /// Values for the programs of one bureau or one kind (`overrides = [{ department, kind, value }]`),
    /// the first that applies winning.
    pub for_programs: Vec<ForPrograms>,
}

/// A parameter's value for the programs of one bureau, of one kind, or of one kind in one bureau.
#[derive(Debug, Clone)]
pub struct ForPrograms {
    /// A bureau id (`kodomo_katei`).
    pub department: Option<String>,
    pub kind: Option<ProgramKind>,
    pub value: ParamValue,
    pub note: Option<String>,
    /// Where its value is written.
    pub location: Option<Location>,
    /// Where its `department` is written.
    pub department_location: Option<Location>,
}

impl ForPrograms {
    pub fn applies(&self, department: &str, kind: ProgramKind) -> bool {
        self.department.as_deref().is_none_or(|d| d == department) && self.kind.is_none_or(|k| k == kind)
    }

    /// Whom it is for, in words: `kodomo_katei`, `investment`, `investment in kodomo_katei`.
    pub fn whom(&self) -> String {
        match (&self.department, self.kind) {
            (Some(d), Some(k)) => format!("{} in {d}", k.id()),
            (Some(d), None) => d.clone(),
            (None, Some(k)) => k.id().to_string(),
            (None, None) => "every program".into(),
        }
    }
}

impl Parameter {
    /// The value a program of `department` and `kind` sees in `fiscal_year`, and the per-bureau or
    /// per-kind value that gave it, if one did. A scenario's override still wins: it is the what-if.
    pub fn value_for_program(
        &self,
        fiscal_year: Option<i32>,
        department: &str,
        kind: ProgramKind,
    ) -> (&ParamValue, Option<&ForPrograms>) {
        if self.overridden.is_none() {
            if let Some(o) = self.for_programs.iter().find(|o| o.applies(department, kind)) {
                return (&o.value, Some(o));
            }
        }
        (self.value_for(fiscal_year), None)
    }

    /// The value in force in `fiscal_year`.
    pub fn value_for(&self, fiscal_year: Option<i32>) -> &ParamValue {
        if let Some((v, _)) = &self.overridden {
            return v;
        }
        let mut current = &self.value;
        if let Some(fy) = fiscal_year {
            for s in &self.effective {
                if s.from_fiscal_year <= fy {
                    current = &s.value;
                }
            }
        }
        current
    }
}

/// All parameters of a ruleset, by name.
#[derive(Debug, Clone, Default)]
pub struct Parameters {
    pub list: BTreeMap<String, Parameter>,
}

impl Parameters {
    pub fn get(&self, name: &str) -> Option<&Parameter> {
        self.list.get(name)
    }

    /// Applies a scenario's `[parameters]` overrides (or a test case's), each checked against its unit.
    pub fn apply_overrides(
        &mut self,
        overrides: &BTreeMap<String, Located<toml::Value>>,
    ) -> Result<(), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        for (name, v) in overrides {
            let names: Vec<String> = self.list.keys().cloned().collect();
            let Some(p) = self.list.get_mut(name) else {
                errors.push(
                    Diagnostic::error(format!("unknown parameter `{name}`"))
                        .at_opt(key_location(v.location.as_ref(), name))
                        .note("a scenario may override only parameters declared in the ruleset's `ruleset.toml`")
                        .suggest(name, names.iter().map(String::as_str)),
                );
                continue;
            };
            if let ParamValue::Scale(_) | ParamValue::Table(_) = p.value {
                let what = if matches!(p.value, ParamValue::Scale(_)) { "a scale" } else { "a decision table" };
                errors.push(
                    Diagnostic::error(format!("parameter `{name}` is {what}; a scenario cannot override it"))
                        .at_opt(key_location(v.location.as_ref(), name))
                        .note(format!("`{name}` is declared at {}", p.location.as_ref().map_or_else(|| "ruleset.toml".to_string(), |l| l.source.place(l.span.start))))
                        .hint("copy the rules folder, change it there, and name the copy with `rules = \"…\"`; `waku rules diff` shows what the change does"),
                );
                continue;
            }
            match ParamValue::from_toml(p.unit, &v.value) {
                Ok(value) => p.overridden = Some((value, v.location.clone())),
                Err(found) => errors.push(
                    Diagnostic::error(format!("parameter `{name}` is a {}, found {found}", p.unit))
                        .at_opt(v.location.clone())
                        .hint(format!("write {}", p.unit.example())),
                ),
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// The `params` map scripts see in `fiscal_year`.
    pub fn to_map(&self, fiscal_year: Option<i32>) -> rhai::Map {
        self.list.iter().map(|(k, p)| (k.as_str().into(), p.value_for(fiscal_year).to_dynamic())).collect()
    }

    /// Whether some parameter has a value for one bureau's or one kind's programs.
    pub fn varies_by_program(&self) -> bool {
        self.list.values().any(|p| !p.for_programs.is_empty())
    }

    /// Which per-program value of each parameter a program of `department` and `kind` gets:
    /// programs with the same key see the same `params`.
    pub fn program_key(&self, department: &str, kind: ProgramKind) -> Vec<Option<usize>> {
        self.list
            .values()
            .filter(|p| !p.for_programs.is_empty() && p.overridden.is_none())
            .map(|p| p.for_programs.iter().position(|o| o.applies(department, kind)))
            .collect()
    }

    /// The `params` map a program of `department` and `kind` sees in `fiscal_year`.
    pub fn to_map_for(&self, fiscal_year: Option<i32>, department: &str, kind: ProgramKind) -> rhai::Map {
        self.list
            .iter()
            .map(|(k, p)| (k.as_str().into(), p.value_for_program(fiscal_year, department, kind).0.to_dynamic()))
            .collect()
    }
}

/// The key of `name = value` in a scenario's `[parameters]` table, found by looking left of the value.
fn key_location(value: Option<&Location>, name: &str) -> Option<Location> {
    let loc = value?;
    let text = &loc.source.text;
    let line_start = text[..loc.span.start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..loc.span.start.min(text.len())];
    match before.find(name) {
        Some(i) => Some(Location::new(&loc.source, line_start + i..line_start + i + name.len())),
        None => Some(loc.clone()),
    }
}

/// Why a `from` of `effective` was refused: the message and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadStart {
    pub message: String,
    pub hint: String,
}

/// Reads `from` of `effective = [{ from = 2027, value = … }]`: the first fiscal year (年度, April
/// to March) of the value. A year (`2027`), the first day of a fiscal year (`2027-04-01`) or its
/// month (`"2027-04"`). A change cannot start inside a fiscal year: the budget is decided for the
/// whole year, so `2027-10-01` is refused with the years it could mean, never rounded to one.
pub(crate) fn fiscal_year_of(v: &toml::Value) -> Result<i32, BadStart> {
    let general = || BadStart {
        message: "`from` must be a fiscal year such as `2027`, or its first day `2027-04-01`".into(),
        hint: "a fiscal year (年度) runs from April 1 to March 31; `from = 2027` is FY2027, from April 2027".into(),
    };
    let (year, month, day) = match v {
        toml::Value::Integer(i) => {
            return i32::try_from(*i).ok().filter(|y| (1900..=2200).contains(y)).ok_or_else(general);
        }
        toml::Value::Datetime(dt) => {
            let Some(d) = dt.date else { return Err(general()) };
            if dt.time.is_some() {
                return Err(BadStart {
                    message: format!("`from = {dt}` has a time of day"),
                    hint: format!(
                        "a value changes from the start of a fiscal year: write `from = {}-04-01` or `from = {}`",
                        d.year, d.year
                    ),
                });
            }
            (i32::from(d.year), u32::from(d.month), Some(u32::from(d.day)))
        }
        toml::Value::String(s) => {
            let s = s.trim();
            let parts: Vec<&str> = s.split('-').collect();
            let number = |t: &str, len: usize| (t.len() == len).then(|| t.parse::<u32>().ok()).flatten();
            match parts.as_slice() {
                [y, m] => match (number(y, 4), number(m, 2)) {
                    (Some(y), Some(m)) => (y as i32, m, None),
                    _ => return Err(general()),
                },
                [y, m, d] => match (number(y, 4), number(m, 2), number(d, 2)) {
                    (Some(y), Some(m), Some(d)) => (y as i32, m, Some(d)),
                    _ => return Err(general()),
                },
                _ => return Err(general()),
            }
        }
        _ => return Err(general()),
    };
    if !(1..=12).contains(&month) || day.is_some_and(|d| !(1..=31).contains(&d)) {
        return Err(general());
    }
    if month == 4 && day.is_none_or(|d| d == 1) {
        return Ok(year);
    }
    let fy = if month >= 4 { year } else { year - 1 };
    let written = match day {
        Some(d) => format!("{year}-{month:02}-{d:02}"),
        None => format!("{year}-{month:02}"),
    };
    Err(BadStart {
        message: format!("`from = {written}` falls inside FY{fy} (April {fy} to March {}), not at its start", fy + 1),
        hint: format!(
            "a parameter holds for a whole fiscal year, since the budget is decided for the whole year: write `from = {fy}` (April {fy}) or `from = {}` (April {}); a value is never applied from the middle of a year",
            fy + 1,
            fy + 1
        ),
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::money::Money;

    #[test]
    fn reads_values_by_unit() {
        assert_eq!(
            ParamValue::from_toml(ParamUnit::Ratio, &toml::Value::String("90%".into())),
            Ok(ParamValue::Scalar(Scalar::Number(Decimal::new(9, 1))))
        );
        assert_eq!(
            ParamValue::from_toml(ParamUnit::Ratio, &toml::Value::Float(0.01)),
            Ok(ParamValue::Scalar(Scalar::Number(Decimal::new(1, 2))))
        );
        assert_eq!(
            ParamValue::from_toml(ParamUnit::Yen, &toml::Value::String("1.5億円".into())),
            Ok(ParamValue::Scalar(Scalar::Money(Money::yen(150_000_000))))
        );
        assert!(ParamValue::from_toml(ParamUnit::Count, &toml::Value::Float(2.5)).unwrap_err().contains("2.5"));
        assert!(ParamValue::from_toml(ParamUnit::Ratio, &toml::Value::String("abc".into())).is_err());
    }

    #[test]
    fn a_change_starts_on_april_1_or_is_refused() {
        let v = |t: &str| toml::from_str::<toml::Table>(&format!("d = {t}")).unwrap()["d"].clone();
        assert_eq!(fiscal_year_of(&v("2027-04-01")), Ok(2027));
        assert_eq!(fiscal_year_of(&v("\"2027-04\"")), Ok(2027), "month precision");
        assert_eq!(fiscal_year_of(&v("\"2027-04-01\"")), Ok(2027));
        assert_eq!(fiscal_year_of(&toml::Value::Integer(2028)), Ok(2028));
        // Inside a fiscal year: refused, naming the year it falls in and what to write.
        let e = fiscal_year_of(&v("2027-10-01")).unwrap_err();
        assert_eq!(e.message, "`from = 2027-10-01` falls inside FY2027 (April 2027 to March 2028), not at its start");
        assert!(e.hint.contains("`from = 2027`") && e.hint.contains("`from = 2028`"), "{}", e.hint);
        let e = fiscal_year_of(&v("2027-03-31")).unwrap_err();
        assert!(e.message.contains("inside FY2026"), "{}", e.message);
        let e = fiscal_year_of(&v("\"2027-10\"")).unwrap_err();
        assert!(e.message.starts_with("`from = 2027-10` falls inside FY2027"), "{}", e.message);
        assert!(fiscal_year_of(&v("2027-04-01T09:00:00")).unwrap_err().message.contains("time of day"));
        for bad in ["\"next year\"", "\"2027-13\"", "1.5", "99999"] {
            assert!(fiscal_year_of(&v(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn schedule_and_override_pick_the_value_in_force() {
        let mut p = Parameter {
            name: "x".into(),
            unit: ParamUnit::Ratio,
            description: String::new(),
            value: ParamValue::Scalar(Scalar::Number(Decimal::ONE)),
            effective: vec![Scheduled {
                from_fiscal_year: 2027,
                value: ParamValue::Scalar(Scalar::Number(Decimal::TWO)),
                location: None,
            }],
            location: None,
            overridden: None,
            for_programs: Vec::new(),
        };
        assert_eq!(p.value_for(Some(2026)), &ParamValue::Scalar(Scalar::Number(Decimal::ONE)));
        assert_eq!(p.value_for(Some(2027)), &ParamValue::Scalar(Scalar::Number(Decimal::TWO)));
        p.overridden = Some((ParamValue::Scalar(Scalar::Number(Decimal::TEN)), None));
        assert_eq!(p.value_for(Some(2027)), &ParamValue::Scalar(Scalar::Number(Decimal::TEN)));
    }

    #[test]
    fn a_value_for_a_bureau_or_a_kind_holds_for_its_programs_first_one_first() {
        let n = |x: i64| ParamValue::Scalar(Scalar::Number(Decimal::from(x)));
        let for_programs = |department: Option<&str>, kind: Option<ProgramKind>, x: i64| ForPrograms {
            department: department.map(str::to_string),
            kind,
            value: n(x),
            note: None,
            location: None,
            department_location: None,
        };
        let mut p = Parameter {
            name: "x".into(),
            unit: ParamUnit::Ratio,
            description: String::new(),
            value: n(1),
            effective: vec![Scheduled { from_fiscal_year: 2027, value: n(2), location: None }],
            location: None,
            overridden: None,
            for_programs: vec![
                for_programs(Some("kodomo"), Some(ProgramKind::Investment), 3),
                for_programs(Some("kodomo"), None, 4),
                for_programs(None, Some(ProgramKind::Investment), 5),
            ],
        };
        let at = |p: &Parameter, fy: i32, d: &str, k: ProgramKind| p.value_for_program(Some(fy), d, k).0.clone();
        assert_eq!(at(&p, 2026, "kodomo", ProgramKind::Investment), n(3), "both named: the first entry");
        assert_eq!(at(&p, 2026, "kodomo", ProgramKind::Discretionary), n(4), "the bureau's value");
        assert_eq!(at(&p, 2026, "kankyo", ProgramKind::Investment), n(5), "the kind's value");
        assert_eq!(at(&p, 2027, "kankyo", ProgramKind::New), n(2), "anyone else: the schedule");
        let mut params = Parameters::default();
        params.list.insert("x".into(), p.clone());
        assert_eq!(params.program_key("kodomo", ProgramKind::New), [Some(1)]);
        assert_eq!(params.program_key("kankyo", ProgramKind::New), [None]);
        // A scenario's override is the what-if: it holds for every program.
        p.overridden = Some((n(10), None));
        assert_eq!(at(&p, 2026, "kodomo", ProgramKind::Investment), n(10));
    }
}
