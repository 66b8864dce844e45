//! The allocation model: named variables and named constraints, built from a scenario and its review.
//!
//! The model is solver-independent: [`super::solve`] hands it to a backend, [`super::lp`]
//! writes it in CPLEX LP format, [`super::infeasible`] relaxes it. Money inside the model is in
//! a scaled unit ([`Model::scale`] yen, a power of ten chosen so the general revenue is about
//! 10⁵–10⁶ units) so the floating-point solvers work on well-conditioned numbers.
//!
//! # Presolve
//!
//! A program leaves the model as a constant when it is mandatory (fixed at its request), when
//! its review bounds pin it (`min == max`), or when it is all-or-nothing and only one of
//! "nothing" and "the full request" lies within its review bounds. Constants are summed exactly
//! in yen into each constraint's fixed part.
//!
//! # Objective and tie-break
//!
//! Maximise Σ (priorityᵢ + tieᵢ)·xᵢ + reserve_weight·R − c_D·D − [`FUND_MARGIN`]·P (README,
//! "The objective"), where
//! * xᵢ is program i's cost (事業費): a program's priority weighs a yen of its cost, so a yen of
//!   general revenue given to a program of general-revenue share g buys priority ÷ g (its subsidy,
//!   fees and bonds come with the cost and lapse with a cut);
//! * tieᵢ orders programs of exactly equal priority by inventory order, earlier first
//!   ([`tie_breaks`]): the optimum is unique by the rule "priority, then inventory order", with
//!   steps another solver resolves from the emitted LP;
//! * the fund drawdown D costs c_D = [`Model::penalty`] per yen, by the scenario's fund policy
//!   ([`FundDraw`]): under `before_cuts` the reserve's weight plus [`FUND_MARGIN`] (drawn for any
//!   program worth more per yen of general revenue than the mayor's reserve, never to fill the
//!   reserve), under `last_resort` more than any yen could buy (drawn only as far as the limits
//!   require), under `never` it is bounded at 0;
//! * a deposit P into the fund takes whatever general revenue neither the programs' review maxima nor
//!   the reserve ceiling can absorb, at a small cost so the reserve is preferred.
//!
//! # Bonds
//!
//! Bonds are specific revenue (特定財源) tied to a program at its 起債充当率: a program of cost x
//! is financed by bonds of `bondable_share × x`. Issuance is therefore Σ bondable_shareᵢ·xᵢ, and
//! "issuance ≤ the bondable share of investment" holds by construction: every yen of issuance is
//! the bondable share of some program's cost. Only the issuance cap is a constraint.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::diagnostic::Diagnostic;
use crate::money::{Money, Unit};
use crate::review::{Assessment, Review};
use crate::scenario::{FundDraw, ProgramKind, Scenario};
use crate::{Error, Result};

/// The largest tie-break added to a program's priority, per yen: at most this, and at most half
/// the smallest difference between two free programs' priorities, so it never reorders programs
/// of different priority ([`tie_breaks`]).
pub const TIE_BREAK: f64 = 5e-4;

/// What a yen drawn from the fund costs beyond the mayor's reserve's weight under
/// [`FundDraw::BeforeCuts`], and what a yen deposited into it costs: one step of the default
/// policy's priority scale (3 decimals), well above any solver's tolerance.
pub const FUND_MARGIN: f64 = 1e-3;

/// The tie-break of each variable (0 for all but programs): among free programs of exactly equal
/// priority, the k-th of m in inventory order gets [`TIE_BREAK`]-scale × (m − k) / m, so earlier
/// programs are funded first. The scale is the smaller of [`TIE_BREAK`] and half the smallest gap
/// between two distinct priorities, so a tie-break never outweighs a difference of priority; the
/// steps between programs (scale / m) stay far above the solvers' tolerances (10⁻⁷) for the
/// classes of a city's budget, so another solver finds the same optimum from the emitted LP.
fn tie_breaks(vars: &[Var], reviews: &[crate::review::ProgramReview]) -> Vec<f64> {
    let priority = |v: &Var| match v.kind {
        VarKind::Program { program, .. } => Some(reviews[program].assessment.priority),
        _ => None,
    };
    let mut classes: BTreeMap<Decimal, usize> = BTreeMap::new();
    for p in vars.iter().filter_map(priority) {
        *classes.entry(p).or_insert(0) += 1;
    }
    let gap = classes.keys().zip(classes.keys().skip(1)).map(|(a, b)| f(*b - *a)).fold(f64::INFINITY, f64::min);
    let scale = TIE_BREAK.min(gap / 2.0);
    let mut seen: BTreeMap<Decimal, usize> = BTreeMap::new();
    vars.iter()
        .map(|v| match priority(v) {
            Some(p) => {
                let m = classes[&p] as f64;
                let k = seen.entry(p).or_insert(0);
                let tie = scale * (m - *k as f64) / m;
                *k += 1;
                tie
            }
            None => 0.0,
        })
        .collect()
}

pub use crate::constraint::Sense;

/// Which fiscal limit a constraint enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Limit {
    /// Sources = uses: Σ general revenue of programs + reserve = general revenue + drawdown − deposit.
    Balance,
    /// A bureau's envelope floor (department index).
    EnvelopeFloor(usize),
    /// A bureau's envelope ceiling (department index).
    EnvelopeCeiling(usize),
    /// The reserve's minimum share of available general revenue.
    ReserveMin,
    /// The reserve's maximum share of available general revenue.
    ReserveMax,
    /// 投資的経費 upper level.
    InvestmentCap,
    /// 市債 issuance cap.
    IssuanceCap,
    /// 次世代投資枠: cost (事業費) of next-generation programs, at least.
    NextGeneration,
    /// 財源調整用基金: drawdown ≤ the allowed drawdown and the balance stays above its floor.
    FundDrawdown,
}

/// What a variable stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VarKind {
    /// A program's cost. `per_unit` is the cost in scaled units of one unit of the variable:
    /// 1 for a continuous program, its request for an all-or-nothing one (a 0/1 variable).
    Program { program: usize, per_unit: f64 },
    /// The mayor's coordination reserve.
    Reserve,
    /// Fund drawdown.
    Drawdown,
    /// Deposit into the fund.
    Deposit,
    /// Elastic slack of a row (only in the infeasibility diagnosis).
    Slack { row: usize },
}

/// A named decision variable.
#[derive(Debug, Clone)]
pub struct Var {
    /// A name usable in an LP file.
    pub name: String,
    pub kind: VarKind,
    pub lo: f64,
    pub hi: f64,
    pub integer: bool,
    /// Objective coefficient (value per scaled unit).
    pub obj: f64,
}

/// A named linear constraint: `Σ coef·var  sense  rhs` in scaled units.
#[derive(Debug, Clone)]
pub struct Row {
    /// A name usable in an LP file and on the command line (`envelope_ceiling.kodomo`).
    pub name: String,
    pub limit: Limit,
    pub terms: Vec<(usize, f64)>,
    pub sense: Sense,
    pub rhs: f64,
}

/// How a program enters the model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ProgramState {
    /// A constant, and why.
    Fixed { value: Money, why: Fixed },
    /// A continuous variable within its review bounds.
    Free { var: usize },
    /// An all-or-nothing 0/1 variable: nothing or the full request.
    Choice { var: usize },
}

/// Why a program is a constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixed {
    /// 義務的経費: fixed at the request.
    Mandatory,
    /// The review's bounds leave one value.
    Pinned,
    /// All-or-nothing and only one of nothing / the full request is within the review bounds.
    AllOrNothing,
    /// The bureau's envelope floor needs every one of its programs at its review maximum.
    EnvelopeFloor,
}

/// The allocation model of one scenario.
#[derive(Debug, Clone)]
pub struct Model {
    /// Yen per model unit.
    pub scale: f64,
    /// Allocations are rounded to multiples of this.
    pub rounding_unit: Unit,
    pub vars: Vec<Var>,
    pub rows: Vec<Row>,
    /// Per program, in scenario order.
    pub programs: Vec<ProgramState>,
    /// The review's bounds per program, in yen (validated: 0 ≤ min ≤ max).
    pub bounds: Vec<(Money, Money)>,
    /// Priority per program (value per yen), as the review gave it.
    pub priorities: Vec<f64>,
    pub reserve: usize,
    pub drawdown: usize,
    pub deposit: usize,
    /// The most the fund may be drawn down: min(max_drawdown, balance − floor).
    pub drawdown_limit: Money,
    /// The least the fund is drawn ([`crate::scenario::Fund::held_drawdown`], within the limit).
    pub drawdown_floor: Money,
    /// What drawing one yen from the fund costs in the objective, by the fund policy
    /// ([`FundDraw`]; see the module docs).
    pub penalty: f64,
    /// Envelope floor and ceiling per department (scenario order), in yen, as stated (own amount,
    /// else ratio × base).
    pub envelope_bounds: Vec<(Money, Money)>,
    /// What each department's programs can absorb at their review maxima (general revenue).
    pub absorbable: Vec<Money>,
    /// Each department's base: general revenue of its programs at prior-year cost.
    pub bases: Vec<Money>,
    /// Each department's requested general revenue.
    pub requested: Vec<Money>,
    /// Department index per program.
    pub department_of: Vec<usize>,
    /// The row of each limit.
    pub row_of: BTreeMap<Limit, usize>,
    /// Exact fixed part (yen) of each row's expression, by row.
    pub fixed_part: Vec<Money>,
    /// The limit of each row in yen, as the scenario states it (before fixed parts are moved).
    pub limit_money: Vec<Money>,
    /// What the scenario's allocation style set (`None` under `priority`).
    pub style: Option<super::style::StyleNote>,
}

/// A program's coefficients in each kind of constraint, per yen of cost.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shares {
    /// General revenue per yen of cost: 1 − specific share.
    pub general: f64,
    /// Bond financing per yen of cost.
    pub bonds: f64,
}

pub(crate) fn shares(p: &crate::scenario::Program) -> Shares {
    Shares {
        general: (Decimal::ONE - p.specific_share()).to_f64().unwrap_or(0.0),
        bonds: p.bondable_share.to_f64().unwrap_or(0.0),
    }
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// A power of ten of yen such that `magnitude` is about 10⁵ units (at least 1 yen).
fn choose_scale(magnitude: Money) -> f64 {
    let m = magnitude.abs().to_f64().max(1.0);
    let exp = (m.log10().floor() as i32 - 5).max(0);
    10f64.powi(exp)
}

/// Makes `raw` usable as an LP name: ASCII letters, digits, `_` and `.` after a prefix that
/// starts with a letter other than `e`/`E` (the LP format reads those as numbers).
pub(crate) fn lp_name(prefix: &str, raw: &str, index: usize) -> String {
    let clean: String =
        raw.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '.' { c } else { '_' }).collect();
    if clean.is_empty() || clean.chars().all(|c| c == '_') {
        format!("{prefix}{index}")
    } else {
        format!("{prefix}{clean}")
    }
}

impl Model {
    /// Builds the model of `scenario` under `review` (one assessment per program, in scenario order).
    pub fn build(scenario: &Scenario, review: &Review) -> Result<Model> {
        check_review(scenario, review)?;
        // Programs' cut limits raise their minimums; a style other than `priority` sets the
        // envelope limits by its formula (`style.rs`).
        let limited = super::style::program_cut_limits(scenario, review)?;
        let review = limited.as_ref().unwrap_or(review);
        let styled = super::style::apply(scenario, review)?;
        let sc = styled.as_ref().map_or(scenario, |(s, _)| s);
        let scale = choose_scale(sc.revenue.general_revenue.max(sc.total_requested()));
        let s = |m: Money| m.to_f64() / scale;
        let dept_index: BTreeMap<&str, usize> =
            sc.departments.iter().enumerate().map(|(i, d)| (d.id.as_str(), i)).collect();
        let mut department_of = Vec::with_capacity(sc.programs.len());
        for p in &sc.programs {
            match dept_index.get(p.department.as_str()) {
                Some(&d) => department_of.push(d),
                None => {
                    return Err(Error::input(
                        Diagnostic::error(format!(
                            "program `{}` names department `{}`, which the scenario does not define",
                            p.id, p.department
                        ))
                        .at_opt(p.location.clone())
                        .suggest(&p.department, sc.departments.iter().map(|d| d.id.as_str())),
                    ));
                }
            }
        }

        // What each program can be at most, and which bureaus' floors need all of it.
        let mut upper = Vec::with_capacity(sc.programs.len());
        let mut absorbable = vec![Money::ZERO; sc.departments.len()];
        let mut bases = vec![Money::ZERO; sc.departments.len()];
        for (i, (p, r)) in sc.programs.iter().zip(&review.programs).enumerate() {
            let a = &r.assessment;
            let u = if p.kind == ProgramKind::Mandatory {
                p.requested
            } else if p.all_or_nothing {
                if a.min <= p.requested && p.requested <= a.max { p.requested } else { Money::ZERO }
            } else {
                a.max
            };
            absorbable[department_of[i]] += p.general_revenue(u);
            bases[department_of[i]] += p.general_revenue(p.prior_cost);
            upper.push(u);
        }
        let floor_needs_all: Vec<bool> = sc
            .departments
            .iter()
            .enumerate()
            .map(|(d, dept)| dept.floor.unwrap_or_else(|| bases[d].mul_ratio(dept.floor_ratio)) >= absorbable[d])
            .collect();

        // Presolve: which programs are constants.
        let mut vars: Vec<Var> = Vec::new();
        let mut programs = Vec::with_capacity(sc.programs.len());
        let mut bounds = Vec::with_capacity(sc.programs.len());
        let mut priorities = Vec::with_capacity(sc.programs.len());
        let mut used_names: ahash::AHashMap<String, usize> = ahash::AHashMap::with_capacity(sc.programs.len());
        let mut unique = |name: String| -> String {
            let n = used_names.entry(name.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { name } else { format!("{name}.{n}") }
        };
        for (i, (p, r)) in sc.programs.iter().zip(&review.programs).enumerate() {
            let a = &r.assessment;
            check_assessment(p, a)?;
            bounds.push((a.min, a.max));
            priorities.push(f(a.priority));
            let state = if p.kind == ProgramKind::Mandatory {
                ProgramState::Fixed { value: p.requested, why: Fixed::Mandatory }
            } else if floor_needs_all[department_of[i]] && a.min != a.max {
                ProgramState::Fixed { value: upper[i], why: Fixed::EnvelopeFloor }
            } else if p.all_or_nothing {
                let none_ok = a.min.is_zero();
                let full_ok = a.min <= p.requested && p.requested <= a.max;
                match (none_ok, full_ok && !p.requested.is_zero()) {
                    (true, true) => {
                        vars.push(Var {
                            name: unique(lp_name("y_", &p.id, i)),
                            kind: VarKind::Program { program: i, per_unit: s(p.requested) },
                            lo: 0.0,
                            hi: 1.0,
                            integer: true,
                            obj: 0.0,
                        });
                        ProgramState::Choice { var: vars.len() - 1 }
                    }
                    (true, false) => ProgramState::Fixed { value: Money::ZERO, why: Fixed::AllOrNothing },
                    (false, true) => ProgramState::Fixed { value: p.requested, why: Fixed::AllOrNothing },
                    (false, false) => {
                        return Err(Error::input(
                            Diagnostic::error(format!(
                                "all-or-nothing program `{}` can be neither dropped nor funded in full",
                                p.id
                            ))
                            .at_opt(p.location.clone())
                            .note(format!("the review allows {} to {}; the request is {}", a.min, a.max, p.requested))
                            .hint("let the review allow 0 or the full request, or clear `all_or_nothing`"),
                        ));
                    }
                }
            } else if a.min == a.max {
                ProgramState::Fixed { value: a.min, why: Fixed::Pinned }
            } else {
                vars.push(Var {
                    name: unique(lp_name("x_", &p.id, i)),
                    kind: VarKind::Program { program: i, per_unit: 1.0 },
                    lo: s(a.min),
                    hi: s(a.max),
                    integer: false,
                    obj: 0.0,
                });
                ProgramState::Free { var: vars.len() - 1 }
            };
            programs.push(state);
        }

        // Objective coefficients of programs: priority, then the inventory order among equal
        // priorities (see the module docs).
        let ties = tie_breaks(&vars, &review.programs);
        let mut max_value_per_general = 0f64;
        for (v, tie) in vars.iter_mut().zip(&ties) {
            if let VarKind::Program { program, per_unit } = v.kind {
                let per_yen = priorities[program] + tie;
                v.obj = per_yen * per_unit;
                let g = shares(&sc.programs[program]).general.max(0.01);
                max_value_per_general = max_value_per_general.max(per_yen.abs() / g);
            }
        }
        let reserve_weight = f(sc.policy.reserve_weight);
        let penalty = match sc.fund.draw {
            FundDraw::BeforeCuts => reserve_weight.max(0.0) + FUND_MARGIN,
            FundDraw::LastResort | FundDraw::Never => 2.0 * max_value_per_general.max(reserve_weight.abs()).max(1.0),
        };

        let reserve = vars.len();
        vars.push(Var {
            name: "reserve".into(),
            kind: VarKind::Reserve,
            lo: 0.0,
            hi: f64::INFINITY,
            integer: false,
            obj: reserve_weight,
        });
        let drawdown = vars.len();
        vars.push(Var {
            name: "fund_drawdown".into(),
            kind: VarKind::Drawdown,
            lo: 0.0,
            hi: f64::INFINITY,
            integer: false,
            obj: -penalty,
        });
        let deposit = vars.len();
        vars.push(Var {
            name: "fund_deposit".into(),
            kind: VarKind::Deposit,
            lo: 0.0,
            hi: f64::INFINITY,
            integer: false,
            obj: -FUND_MARGIN,
        });

        let mut model = Model {
            scale,
            rounding_unit: sc.rounding_unit,
            vars,
            rows: Vec::new(),
            programs,
            bounds,
            priorities,
            reserve,
            drawdown,
            deposit,
            drawdown_limit: Money::ZERO,
            drawdown_floor: Money::ZERO,
            penalty,
            envelope_bounds: Vec::new(),
            absorbable,
            bases,
            requested: Vec::new(),
            department_of,
            row_of: BTreeMap::new(),
            fixed_part: Vec::new(),
            limit_money: Vec::new(),
            style: None,
        };
        model.add_rows(sc);
        model.style = styled.and_then(|(_, note)| note);
        Ok(model)
    }

    /// The variable of program `i`, if it is not a constant.
    pub fn program_var(&self, i: usize) -> Option<usize> {
        match self.programs[i] {
            ProgramState::Free { var } | ProgramState::Choice { var } => Some(var),
            ProgramState::Fixed { .. } => None,
        }
    }

    /// Whether the model has integer (all-or-nothing) variables.
    pub fn has_integers(&self) -> bool {
        self.vars.iter().any(|v| v.integer)
    }

    /// The row of `limit`.
    pub fn row(&self, limit: Limit) -> Option<&Row> {
        self.row_of.get(&limit).map(|&r| &self.rows[r])
    }

    fn push_row(
        &mut self,
        name: String,
        limit: Limit,
        sense: Sense,
        limit_money: Money,
        fixed: Money,
        terms: Vec<(usize, f64)>,
    ) {
        let rhs = (limit_money - fixed).to_f64() / self.scale;
        self.row_of.insert(limit, self.rows.len());
        self.rows.push(Row { name, limit, terms, sense, rhs });
        self.fixed_part.push(fixed);
        self.limit_money.push(limit_money);
    }

    fn add_rows(&mut self, sc: &Scenario) {
        let n_dept = sc.departments.len();
        // Exact fixed parts and variable terms of each aggregate.
        let mut env_fixed = vec![Money::ZERO; n_dept];
        let mut env_terms: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n_dept];
        let (mut gen_fixed, mut inv_fixed, mut bond_fixed, mut ng_fixed) =
            (Money::ZERO, Money::ZERO, Money::ZERO, Money::ZERO);
        let (mut gen_terms, mut inv_terms, mut bond_terms, mut ng_terms) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        self.requested = vec![Money::ZERO; n_dept];

        for (i, p) in sc.programs.iter().enumerate() {
            let d = self.department_of[i];
            self.requested[d] += p.general_revenue(p.requested);
            match self.programs[i] {
                ProgramState::Fixed { value, .. } => {
                    let funding = p.funding(value);
                    env_fixed[d] += funding.general_revenue;
                    gen_fixed += funding.general_revenue;
                    bond_fixed += funding.bonds;
                    if p.kind == ProgramKind::Investment {
                        inv_fixed += value;
                    }
                    if p.next_generation {
                        ng_fixed += value;
                    }
                }
                ProgramState::Free { var } | ProgramState::Choice { var } => {
                    let per_unit = match self.vars[var].kind {
                        VarKind::Program { per_unit, .. } => per_unit,
                        _ => 1.0,
                    };
                    let sh = shares(p);
                    let g = sh.general * per_unit;
                    env_terms[d].push((var, g));
                    gen_terms.push((var, g));
                    if sh.bonds != 0.0 {
                        bond_terms.push((var, sh.bonds * per_unit));
                    }
                    if p.kind == ProgramKind::Investment {
                        inv_terms.push((var, per_unit));
                    }
                    if p.next_generation {
                        ng_terms.push((var, per_unit));
                    }
                }
            }
        }
        let (r, dd, dp) = (self.reserve, self.drawdown, self.deposit);
        let gr = sc.revenue.general_revenue;

        // Sources = uses.
        let mut terms = gen_terms;
        terms.extend([(r, 1.0), (dd, -1.0), (dp, 1.0)]);
        self.push_row("balance".into(), Limit::Balance, Sense::Eq, gr, gen_fixed, terms);

        // Envelopes.
        for (d, dept) in sc.departments.iter().enumerate() {
            let base = self.bases[d];
            // The floor as stated: when the bureau's programs cannot absorb it at their review
            // maxima, the limits cannot hold and `infeasible::precheck` says so (it is never lowered).
            let floor = dept.floor.unwrap_or_else(|| base.mul_ratio(dept.floor_ratio));
            let ceiling = dept.ceiling.unwrap_or_else(|| base.mul_ratio(dept.ceiling_ratio));
            self.envelope_bounds.push((floor, ceiling));
            let id = lp_name("", &dept.id, d);
            self.push_row(
                format!("envelope_floor.{id}"),
                Limit::EnvelopeFloor(d),
                Sense::Ge,
                floor,
                env_fixed[d],
                env_terms[d].clone(),
            );
            self.push_row(
                format!("envelope_ceiling.{id}"),
                Limit::EnvelopeCeiling(d),
                Sense::Le,
                ceiling,
                env_fixed[d],
                std::mem::take(&mut env_terms[d]),
            );
        }

        // Reserve share bounds: R ≥ min·(GR + D − P), R ≤ max·(GR + D − P).
        let (lo, hi) = (sc.policy.reserve_min_share, sc.policy.reserve_max_share);
        for (name, limit, sense, share) in
            [("reserve_min", Limit::ReserveMin, Sense::Ge, lo), ("reserve_max", Limit::ReserveMax, Sense::Le, hi)]
        {
            let sh = f(share);
            self.push_row(
                name.into(),
                limit,
                sense,
                gr.mul_ratio(share),
                Money::ZERO,
                vec![(r, 1.0), (dd, -sh), (dp, sh)],
            );
        }

        self.push_row(
            "investment_cap".into(),
            Limit::InvestmentCap,
            Sense::Le,
            sc.policy.investment_cap,
            inv_fixed,
            inv_terms,
        );
        self.push_row(
            "bond_issuance_cap".into(),
            Limit::IssuanceCap,
            Sense::Le,
            sc.bonds.issuance_cap,
            bond_fixed,
            bond_terms,
        );
        self.push_row(
            "next_generation".into(),
            Limit::NextGeneration,
            Sense::Ge,
            sc.policy.next_generation_target,
            ng_fixed,
            ng_terms,
        );

        let headroom = sc.fund.balance - sc.fund.floor;
        self.drawdown_limit = sc.fund.max_drawdown.min(headroom);
        if sc.fund.draw == FundDraw::Never {
            // Never drawn; a balance already below the floor is still reported (a negative limit).
            self.drawdown_limit = self.drawdown_limit.min(Money::ZERO);
        }
        self.drawdown_floor = sc.fund.held_drawdown.min(self.drawdown_limit).max(Money::ZERO);
        self.vars[dd].lo = self.drawdown_floor.to_f64() / self.scale;
        self.push_row(
            "fund_drawdown".into(),
            Limit::FundDrawdown,
            Sense::Le,
            self.drawdown_limit,
            Money::ZERO,
            vec![(dd, 1.0)],
        );
    }

    /// The value of a row's expression (variables only, scaled units) at `x`.
    pub fn row_activity(&self, row: &Row, x: &[f64]) -> f64 {
        row.terms.iter().map(|&(v, c)| c * x[v]).sum()
    }

    /// The objective at `x` (scaled units), excluding the constant from fixed programs.
    pub fn objective(&self, x: &[f64]) -> f64 {
        self.vars.iter().zip(x).map(|(v, x)| v.obj * x).sum()
    }

    /// Number of program variables (free or all-or-nothing).
    pub fn free_programs(&self) -> usize {
        self.programs.iter().filter(|p| !matches!(p, ProgramState::Fixed { .. })).count()
    }
}

fn check_review(scenario: &Scenario, review: &Review) -> Result<()> {
    if review.programs.len() != scenario.programs.len() {
        return Err(Error::input(Diagnostic::error(format!(
            "the review has {} assessments but the scenario has {} programs",
            review.programs.len(),
            scenario.programs.len()
        ))));
    }
    for (p, r) in scenario.programs.iter().zip(&review.programs) {
        if p.id != r.id {
            return Err(Error::input(Diagnostic::error(format!(
                "the review's assessments are out of step with the scenario: expected `{}`, found `{}`",
                p.id, r.id
            ))));
        }
    }
    Ok(())
}

fn check_assessment(p: &crate::scenario::Program, a: &Assessment) -> Result<()> {
    if a.min.is_negative() || a.min > a.max {
        return Err(Error::input(
            Diagnostic::error(format!("the review gives program `{}` impossible bounds: {} to {}", p.id, a.min, a.max))
                .at_opt(p.location.clone())
                .note(format!("assessment: {} ({})", a.action.label(), a.reason))
                .hint("the assessment policy must give 0 ≤ min ≤ max"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_is_a_power_of_ten_near_one_hundred_thousandth() {
        assert_eq!(choose_scale(Money::yen(600_000_000_000)), 1e6);
        assert_eq!(choose_scale(Money::yen(12_345)), 1.0);
        assert_eq!(choose_scale(Money::ZERO), 1.0);
    }

    #[test]
    fn lp_names_are_ascii_and_never_start_with_a_digit() {
        assert_eq!(lp_name("x_", "A-001", 0), "x_A_001");
        assert_eq!(lp_name("x_", "子ども", 7), "x_7");
        assert_eq!(lp_name("", "kodomo katei", 1), "kodomo_katei");
    }
}
