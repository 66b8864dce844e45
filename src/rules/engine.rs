//! The one Rhai engine factory: sandbox limits, read-only domain types, money helpers, imports from `rules/` only.
//!
//! Numbers in scripts: money (`program.requested`, `oku(1.5)`, a `円` parameter) is an exact
//! decimal number of yen; ratios, scores and attributes (`program.demand_trend`, a `ratio`
//! parameter, `0.9`) are ordinary numbers. The two mix: `program.prior_cost * 0.9` is exact
//! money, `program.requested > oku(1)` compares exactly.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::{Component, Path};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rhai::module_resolvers::ModuleResolver;
use rhai::{Array, Dynamic, Engine, EvalAltResult, FLOAT, INT, ImmutableString, Module, Position, Scope};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::files::RuleFiles;
use super::tables::{ScaleRef, TableRef};
use super::value::Value;
use crate::diagnostic::Source;
use crate::money::{Money, Unit};
use crate::number::from_f64 as decimal_from_f64;
use crate::scenario::KpiDirection;

/// At most this many operations per script per program (a rule needs a few hundred).
pub const MAX_OPERATIONS: u64 = 500_000;
/// Function calls nested at most this deep (recursion guard).
pub const MAX_CALL_LEVELS: usize = 32;
/// Expressions nested at most this deep (top level, inside functions).
pub const MAX_EXPR_DEPTH: (usize, usize) = (64, 32);
/// Longest string a script may build, in characters.
pub const MAX_STRING_SIZE: usize = 10_000;
/// Largest array a script may build.
pub const MAX_ARRAY_SIZE: usize = 10_000;
/// Largest object map a script may build.
pub const MAX_MAP_SIZE: usize = 1_000;
/// Most modules a script may import.
pub const MAX_MODULES: usize = 16;
/// Wall-clock limit for one script on one program.
pub const TIME_LIMIT: Duration = Duration::from_millis(500);
/// The backstop behind [`TIME_LIMIT`]: a script still running after this long (one call the
/// operation counter cannot interrupt) stops the whole run (see [`overdue`]).
pub const BACKSTOP: Duration = Duration::from_secs(10);
/// At most this many lines of `print`/`debug` output are kept per script evaluation …
pub const MAX_PRINTED_LINES: usize = 20;
/// … each cut to this many characters.
pub const MAX_PRINTED_CHARS: usize = 200;
/// At most this many lines of script output are kept for a whole run (the rest are counted).
pub const MAX_SHOWN_OUTPUT: usize = 200;
/// Functions a script may not call: their results depend on when the script runs, not on the
/// program and the parameters (Rhai's clock; `sleep` also holds the review up).
pub const REMOVED_FUNCTIONS: [&str; 2] = ["timestamp", "sleep"];

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    /// What the evaluation under way has read of `program`, while [`observe`] watches.
    static READS: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
    /// What the evaluation under way printed (`print`, `debug`), up to the caps.
    static PRINTED: RefCell<Captured> = const { RefCell::new(Captured { lines: Vec::new(), dropped: 0 }) };
    /// Whether an evaluation under [`observe`] is collecting what it prints.
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    /// This thread's entry in [`RUNNING`], made on its first evaluation.
    static SLOT: RefCell<Option<Arc<Mutex<Option<Running>>>>> = const { RefCell::new(None) };
}

/// Output one script evaluation printed, capped.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Captured {
    /// The lines kept, in order (each at most [`MAX_PRINTED_CHARS`] characters).
    pub lines: Vec<String>,
    /// How many more lines it printed.
    pub dropped: usize,
}

impl Captured {
    fn push(&mut self, line: &str) {
        if self.lines.len() >= MAX_PRINTED_LINES {
            self.dropped += 1;
            return;
        }
        let mut kept: String = line.chars().take(MAX_PRINTED_CHARS).collect();
        if kept.len() < line.len() {
            kept.push('…');
        }
        self.lines.push(kept);
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.dropped == 0
    }
}

/// What one evaluation could have depended on beyond `params`, and whether it had an effect.
#[derive(Debug, Default)]
pub(crate) struct Observed {
    /// The `program` fields it read, in order, as indices into [`PROGRAM_FIELDS`].
    pub reads: Vec<u8>,
    /// What it printed: if anything, running it again is not the same as reusing its result.
    pub printed: Captured,
}

/// Runs `f` (one script evaluation) and reports what it read of `program` and what it printed.
pub(crate) fn observe<R>(f: impl FnOnce() -> R) -> (R, Observed) {
    READS.with(|r| *r.borrow_mut() = Some(Vec::new()));
    PRINTED.with(|p| *p.borrow_mut() = Captured::default());
    CAPTURING.with(|c| c.set(true));
    let r = f();
    CAPTURING.with(|c| c.set(false));
    let reads = READS.with(|r| r.borrow_mut().take()).unwrap_or_default();
    (r, Observed { reads, printed: PRINTED.with(|p| std::mem::take(&mut *p.borrow_mut())) })
}

/// A script evaluation under way in Rhai, for the backstop.
#[derive(Debug, Clone)]
pub struct Running {
    pub since: Instant,
    pub script: Arc<Source>,
    /// Whom it is running for, e.g. "while reviewing program `P01`".
    pub note: String,
}

/// Every thread's evaluation under way (one slot per thread that ever evaluated a script).
static RUNNING: Mutex<Vec<Arc<Mutex<Option<Running>>>>> = Mutex::new(Vec::new());

/// The evaluation that has been running longer than [`BACKSTOP`], if any. The binary's watchdog
/// asks this a few times a second and stops the process with a located error when one is found:
/// the operation counter and the time limit only act between operations, and one long call (a
/// builtin working on a large value) could otherwise hold the run up.
pub fn overdue() -> Option<Running> {
    let slots = RUNNING.lock().unwrap_or_else(PoisonError::into_inner).clone();
    slots.iter().find_map(|slot| {
        let r = slot.lock().unwrap_or_else(PoisonError::into_inner);
        r.as_ref().filter(|r| r.since.elapsed() > BACKSTOP).cloned()
    })
}

/// Notes that this thread runs `script` in Rhai (for [`overdue`]) until `f` returns.
pub(crate) fn running<R>(script: &Arc<Source>, note: impl FnOnce() -> String, f: impl FnOnce() -> R) -> R {
    let slot = SLOT.with(|s| {
        s.borrow_mut()
            .get_or_insert_with(|| {
                let slot = Arc::new(Mutex::new(None));
                RUNNING.lock().unwrap_or_else(PoisonError::into_inner).push(Arc::clone(&slot));
                slot
            })
            .clone()
    });
    *slot.lock().unwrap_or_else(PoisonError::into_inner) =
        Some(Running { since: Instant::now(), script: Arc::clone(script), note: note() });
    let r = f();
    *slot.lock().unwrap_or_else(PoisonError::into_inner) = None;
    r
}

fn note_read(field: u8) {
    READS.with(|r| {
        if let Some(reads) = r.borrow_mut().as_mut() {
            reads.push(field);
        }
    });
}

/// Runs `f` (one script evaluation) under the wall-clock limit.
pub(crate) fn with_time_limit<R>(f: impl FnOnce() -> R) -> R {
    DEADLINE.with(|d| d.set(Some(Instant::now() + TIME_LIMIT)));
    let r = f();
    DEADLINE.with(|d| d.set(None));
    r
}

/// What scripts printed (`print`, `debug`), for the caller to show. The library never writes to
/// standard error: the pipeline hands these lines to its caller ([`crate::pipeline::Outcome::printed`]).
/// The review adds its scripts' output program by program in the scenario's order (see
/// `Review::send_printed`), so it is the same on every run; output printed outside a review (a
/// bureau's policy) comes in the order printed. At most [`MAX_SHOWN_OUTPUT`] lines are kept, and
/// the rest counted.
#[derive(Debug, Clone, Default)]
pub struct Printed(Arc<Mutex<(Vec<String>, usize)>>);

impl Printed {
    pub(crate) fn push(&self, line: String) {
        let mut p = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if p.0.len() < MAX_SHOWN_OUTPUT {
            p.0.push(crate::diagnostic::shorten(&line, MAX_PRINTED_CHARS));
        } else {
            p.1 += 1;
        }
    }

    /// Counts lines printed but not kept.
    pub(crate) fn dropped(&self, n: usize) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).1 += n;
    }

    /// The lines printed since the last call (control characters escaped), and a last line
    /// counting those not kept.
    pub fn take(&self) -> Vec<String> {
        let (mut lines, more) = std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        for l in &mut lines {
            *l = crate::diagnostic::escape_controls(l);
        }
        if more > 0 {
            lines.push(format!("… {more} more lines of script output not shown"));
        }
        lines
    }
}

/// Source texts of the scripts and imported modules, by the name their AST carries, for error rendering.
#[derive(Debug, Clone, Default)]
pub struct Sources(Arc<Mutex<BTreeMap<String, Arc<Source>>>>);

impl Sources {
    pub fn insert(&self, source: Arc<Source>) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).insert(source.name.clone(), source);
    }

    pub fn get(&self, name: &str) -> Option<Arc<Source>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).get(name).cloned()
    }

    pub fn all(&self) -> Vec<Arc<Source>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).values().cloned().collect()
    }
}

/// Builds the engine every rule script runs in.
///
/// No file, network or process access (Rhai has none unless registered); `eval` is disabled;
/// `import "x"` reads only `x.rhai` inside the rules folder. Assigning to `program`, `params` or
/// `findings` is an error because they are pushed as constants.
pub fn engine(files: &RuleFiles, sources: &Sources, printed: &Printed) -> Engine {
    let mut engine = Engine::new();
    engine
        .set_max_operations(MAX_OPERATIONS)
        .set_max_call_levels(MAX_CALL_LEVELS)
        .set_max_expr_depths(MAX_EXPR_DEPTH.0, MAX_EXPR_DEPTH.1)
        .set_max_string_size(MAX_STRING_SIZE)
        .set_max_array_size(MAX_ARRAY_SIZE)
        .set_max_map_size(MAX_MAP_SIZE)
        .set_max_modules(MAX_MODULES)
        .set_strict_variables(true)
        .set_fail_on_invalid_map_property(true)
        // Scripts are parsed as written, for the static checks (`super::lint`), and optimised
        // after them (`super::compile`).
        .set_optimization_level(rhai::OptimizationLevel::None);
    engine.disable_symbol("eval");
    engine.on_progress(|ops| {
        if ops % 1024 == 0 && DEADLINE.with(|d| d.get()).is_some_and(|d| Instant::now() > d) {
            Some(Dynamic::from("time limit"))
        } else {
            None
        }
    });
    // `print` and `debug`: inside a review, kept (capped) with the program's review and shown
    // after it in program order — never a flood, never interleaved by threads; elsewhere (a
    // bureau's policy) into the ruleset's capped sink.
    let sink = printed.clone();
    engine.on_print(move |s| {
        for line in s.lines() {
            if CAPTURING.with(Cell::get) {
                PRINTED.with(|p| p.borrow_mut().push(line));
            } else {
                sink.push(line.to_string());
            }
        }
    });
    let sink = printed.clone();
    engine.on_debug(move |s, src, pos| {
        let line = format!("{}:{pos}: {s}", src.unwrap_or("script"));
        if CAPTURING.with(Cell::get) {
            PRINTED.with(|p| p.borrow_mut().push(&line));
        } else {
            sink.push(line);
        }
    });
    // Rhai checks a map's size when a property is set, not when `m[key] = …` adds a key: the
    // map limit is enforced here, whenever a variable holding a map or an array is used.
    // (`on_var` is marked deprecated only as "volatile": it may change in a later Rhai.)
    #[allow(deprecated)]
    engine.on_var(|name, _, cx| match cx.scope().get(name) {
        Some(v) if too_large(v) => {
            Err(EvalAltResult::ErrorDataTooLarge("Size of object map".into(), Position::NONE).into())
        }
        _ => Ok(None),
    });
    // No clock in rules: a rule's result depends on the program and the parameters only.
    // (`timestamp` is compiled out of Rhai with `no_time`; these say why it is missing.)
    engine.register_fn("timestamp", || -> Result<Dynamic, Box<EvalAltResult>> { Err(removed("timestamp")) });
    engine.register_fn("sleep", |_: INT| -> Result<(), Box<EvalAltResult>> { Err(removed("sleep")) });
    engine.register_fn("sleep", |_: FLOAT| -> Result<(), Box<EvalAltResult>> { Err(removed("sleep")) });
    engine.set_module_resolver(RulesResolver { files: files.clone(), sources: sources.clone() });
    register_money(&mut engine);
    register_program(&mut engine);
    register_findings(&mut engine);
    register_kpi(&mut engine);
    register_tables(&mut engine);
    engine
}

/// The error a removed function raises (see [`REMOVED_FUNCTIONS`]): a runtime error whose value is
/// this marker, so the diagnostic can name the function.
#[derive(Debug, Clone)]
pub struct Removed(pub &'static str);

fn removed(name: &'static str) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(Dynamic::from(Removed(name)), Position::NONE).into()
}

/// Whether a map (with the maps and arrays inside it) holds more entries than the limits allow.
fn too_large(v: &Dynamic) -> bool {
    fn count(v: &Dynamic, maps: &mut usize, items: &mut usize) -> bool {
        if let Some(m) = v.read_lock::<rhai::Map>() {
            *maps += m.len();
            if *maps > MAX_MAP_SIZE {
                return true;
            }
            return m.values().any(|v| (v.is_map() || v.is_array()) && count(v, maps, items));
        }
        if let Some(a) = v.read_lock::<Array>() {
            *items += a.len();
            if *items > MAX_ARRAY_SIZE {
                return true;
            }
            return a.iter().any(|v| (v.is_map() || v.is_array()) && count(v, maps, items));
        }
        false
    }
    (v.is_map() || v.is_array()) && count(v, &mut 0, &mut 0)
}

/// `import` inside the rules folder only.
struct RulesResolver {
    files: RuleFiles,
    sources: Sources,
}

impl ModuleResolver for RulesResolver {
    fn resolve(
        &self,
        engine: &Engine,
        _source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<Arc<Module>, Box<EvalAltResult>> {
        let rel = Path::new(path);
        let outside = || -> Box<EvalAltResult> {
            EvalAltResult::ErrorInModule(
                path.to_string(),
                EvalAltResult::ErrorRuntime(
                    "imports must name a file inside the rules folder, without `..`".into(),
                    pos,
                )
                .into(),
                pos,
            )
            .into()
        };
        if path.is_empty() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(outside());
        }
        let file = self.files.root().join(rel).with_extension("rhai");
        let text = match self.files.read_inside(&file) {
            Ok(text) => text,
            Err(true) => return Err(outside()),
            Err(false) => return Err(EvalAltResult::ErrorModuleNotFound(path.to_string(), pos).into()),
        };
        let source = Source::new(Source::display_path(&file), Some(file.clone()), text);
        self.sources.insert(Arc::clone(&source));
        let mut ast = engine
            .compile(&*source.text)
            .map_err(|e| EvalAltResult::ErrorInModule(source.name.clone(), EvalAltResult::from(e).into(), pos))?;
        ast.set_source(source.name.as_str());
        let module = Module::eval_ast_as_new(Scope::new(), &ast, engine)
            .map_err(|e| EvalAltResult::ErrorInModule(source.name.clone(), e, pos))?;
        Ok(module.into())
    }
}

pub(crate) fn float_to_decimal(f: FLOAT) -> Result<Decimal, Box<EvalAltResult>> {
    decimal_from_f64(f).ok_or_else(|| format!("{f} is not a finite number").into())
}

/// A money amount in yen from a number of `unit`s, rounded to whole yen; `None` when it is too
/// large for exact money.
pub(crate) fn amount(x: Decimal, unit: Unit) -> Option<Decimal> {
    x.checked_mul(unit.factor()).map(|y| Money::from_decimal(y).as_decimal())
}

/// The error of money arithmetic whose result is too large to hold exactly.
pub(crate) fn overflow(what: &str) -> Box<EvalAltResult> {
    EvalAltResult::ErrorArithmetic(format!("{what} overflowed: the amount is too large"), Position::NONE).into()
}

/// [`amount`] for scripts: an overflow is an arithmetic error at the call.
fn amount_checked(x: Decimal, unit: Unit) -> Result<Decimal, Box<EvalAltResult>> {
    amount(x, unit).ok_or_else(|| overflow("money"))
}

fn register_money(engine: &mut Engine) {
    for (name, unit) in
        [("yen", Unit::Yen), ("sen", Unit::Sen), ("man", Unit::Man), ("oku", Unit::Oku), ("cho", Unit::Cho)]
    {
        engine.register_fn(name, move |x: INT| amount_checked(Decimal::from(x), unit));
        engine.register_fn(name, move |x: FLOAT| float_to_decimal(x).and_then(|d| amount_checked(d, unit)));
        engine.register_fn(name, move |x: Decimal| amount_checked(x, unit));
    }
    // Money in words, in the largest unit that reads naturally: 1.50億円, 3,500万円, 800円.
    engine.register_fn("format_money", |x: Decimal| format_money(x));
    engine.register_fn("format_money", |x: INT| format_money(Decimal::from(x)));
    // A ratio as a percentage: pct(0.3) == "30%", pct(-0.125) == "-12.5%".
    engine.register_fn("pct", |x: FLOAT| pct(x));
    engine.register_fn("pct", |x: INT| pct(x as FLOAT));
    engine.register_fn("pct", |x: Decimal| pct(x.to_f64().unwrap_or(0.0)));
    engine.register_fn("round_dp", round_dp);
    // Items joined into one string: ["視点1", "視点4"].join("・") == "視点1・視点4".
    engine.register_fn("join", |a: &mut Array, sep: &str| {
        a.iter().map(|d| d.clone().into_string().unwrap_or_else(|_| d.to_string())).collect::<Vec<_>>().join(sep)
    });
    engine.register_fn("share_of", share_of);

    // Money (Decimal) mixes with plain numbers (FLOAT): the number is taken exactly as written.
    // Arithmetic is checked: an overflow is an error at the operator (during constant folding it
    // leaves the expression to run, and fail, in its place).
    macro_rules! mixed {
        ($($op:literal => $f:expr),*) => {$(
            engine.register_fn($op, |a: Decimal, b: FLOAT| float_to_decimal(b).and_then(|b| $f(a, b)));
            engine.register_fn($op, |a: FLOAT, b: Decimal| float_to_decimal(a).and_then(|a| $f(a, b)));
        )*};
    }
    mixed!(
        "+" => |a: Decimal, b: Decimal| a.checked_add(b).ok_or_else(|| overflow("addition")),
        "-" => |a: Decimal, b: Decimal| a.checked_sub(b).ok_or_else(|| overflow("subtraction")),
        "*" => |a: Decimal, b: Decimal| a.checked_mul(b).ok_or_else(|| overflow("multiplication"))
    );
    macro_rules! compare {
        ($($op:literal => $f:expr),*) => {$(
            engine.register_fn($op, |a: Decimal, b: FLOAT| float_to_decimal(b).map(|b| $f(a, b)));
            engine.register_fn($op, |a: FLOAT, b: Decimal| float_to_decimal(a).map(|a| $f(a, b)));
        )*};
    }
    compare!(
        "<" => |a: Decimal, b: Decimal| a < b,
        "<=" => |a: Decimal, b: Decimal| a <= b,
        ">" => |a: Decimal, b: Decimal| a > b,
        ">=" => |a: Decimal, b: Decimal| a >= b,
        "==" => |a: Decimal, b: Decimal| a == b,
        "!=" => |a: Decimal, b: Decimal| a != b,
        "min" => |a: Decimal, b: Decimal| a.min(b),
        "max" => |a: Decimal, b: Decimal| a.max(b)
    );
    engine.register_fn("/", |a: Decimal, b: FLOAT| -> Result<Decimal, Box<EvalAltResult>> {
        let b = float_to_decimal(b)?;
        a.checked_div(b).ok_or_else(|| "division by zero".into())
    });
    engine.register_fn("/", |a: FLOAT, b: Decimal| -> Result<Decimal, Box<EvalAltResult>> {
        let a = float_to_decimal(a)?;
        a.checked_div(b).ok_or_else(|| "division by zero".into())
    });
}

/// `x` rounded to `dp` decimal places (Rhai has this for money; here for plain numbers too).
pub(crate) fn round_dp(x: FLOAT, dp: INT) -> FLOAT {
    let f = 10f64.powi(dp.clamp(0, 12) as i32);
    (x * f).round() / f
}

/// part ÷ whole as a plain number, () when the whole is zero.
pub(crate) fn share_of(part: Decimal, whole: Decimal) -> Dynamic {
    match part.checked_div(whole) {
        _ if whole.is_zero() => Dynamic::UNIT,
        Some(q) => Dynamic::from_float(q.to_f64().unwrap_or(0.0)),
        // Beyond a decimal's range: the float quotient (the same value, less exactly).
        None => Dynamic::from_float(part.to_f64().unwrap_or(0.0) / whole.to_f64().unwrap_or(1.0)),
    }
}

/// `1.50億円`, `3,500万円`, `800円`.
pub fn format_money(x: Decimal) -> String {
    let m = Money::from_decimal(x);
    let abs = m.abs().as_decimal();
    if abs >= Unit::Oku.factor() {
        m.format(Unit::Oku)
    } else if abs >= Unit::Man.factor() {
        m.format(Unit::Man)
    } else {
        m.format(Unit::Yen)
    }
}

/// `30%`, `12.5%`: rounded to a tenth of a percent, the `.0` left off.
pub fn pct(x: FLOAT) -> String {
    // Tenths of a percent as a whole number. Far below 2^47 the float `tenths / 10` prints as exactly
    // this many tenths, so the text can be built from the integer (float formatting is slow).
    let tenths = (x * 1000.0).round();
    if !tenths.is_finite() || tenths.abs() >= 1e12 {
        return pct_by_float(x);
    }
    let n = tenths as i64;
    let (whole, tenth) = (n.unsigned_abs() / 10, n.unsigned_abs() % 10);
    // Digits written by hand: this runs for most findings' reasons.
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = whole;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut text = String::with_capacity(digits.len() - at + 4);
    if n < 0 || tenths.is_sign_negative() {
        text.push('-');
    }
    text.extend(digits[at..].iter().map(|d| char::from(*d)));
    if tenth != 0 {
        text.push('.');
        text.push(char::from(b'0' + tenth as u8));
    }
    text.push('%');
    text
}

/// [`pct`] through float formatting (what `pct` computes, for numbers too large for its shortcut).
fn pct_by_float(x: FLOAT) -> String {
    let v = (x * 1000.0).round() / 10.0;
    if v == v.trunc() { format!("{v:.0}%") } else { format!("{v:.1}%") }
}

/// A program as scripts see it: read-only, with every attribute precomputed.
#[derive(Debug, Clone)]
pub struct ProgramView(pub(crate) Arc<ProgramData>);

#[derive(Debug)]
pub(crate) struct ProgramData {
    pub id: ImmutableString,
    pub name: ImmutableString,
    pub department: ImmutableString,
    pub department_name: ImmutableString,
    pub cluster: Dynamic,
    pub cluster_name: Dynamic,
    pub cluster_group: Dynamic,
    pub reform_type: Dynamic,
    pub kind: ImmutableString,
    pub kind_ja: ImmutableString,
    pub prior_cost: Decimal,
    pub requested: Decimal,
    pub growth: Dynamic,
    pub subsidy_ratio: FLOAT,
    pub fees: Decimal,
    pub bondable_share: FLOAT,
    pub specific_share: FLOAT,
    pub general_revenue: Decimal,
    pub strategy: Dynamic,
    pub strategy_ja: Dynamic,
    pub next_generation: bool,
    pub all_or_nothing: bool,
    pub demand_trend: Dynamic,
    pub satisfaction: Dynamic,
    pub overlap_with: Dynamic,
    pub overlap_name: Dynamic,
    pub service_level: Dynamic,
    pub digital_share: Dynamic,
    pub private_capacity: Dynamic,
    pub outsourced: bool,
    pub natural_savings: Decimal,
    pub kpi: Dynamic,
}

pub use super::fields::PROGRAM_FIELDS;

/// Every field of [`ProgramData`], in [`PROGRAM_FIELDS`] order, as its getter returns it.
macro_rules! program_fields {
    ($($field:ident),*) => {
        const FIELD_VALUES: [fn(&ProgramData) -> Dynamic; PROGRAM_FIELDS.len()] = [$(|p| Dynamic::from(p.$field.clone())),*];
        const FIELD_NAMES: [&str; PROGRAM_FIELDS.len()] = [$(stringify!($field)),*];
        /// The same values as the compiled evaluator holds them (no boxing of money).
        const FIELD_VALUES_COMPILED: [fn(&ProgramData) -> Value; PROGRAM_FIELDS.len()] =
            [$(|p| Value::of_field(&p.$field)),*];
    };
}
program_fields!(
    id,
    name,
    department,
    department_name,
    cluster,
    cluster_name,
    cluster_group,
    reform_type,
    kind,
    kind_ja,
    prior_cost,
    requested,
    growth,
    subsidy_ratio,
    fees,
    bondable_share,
    specific_share,
    general_revenue,
    strategy,
    strategy_ja,
    next_generation,
    all_or_nothing,
    demand_trend,
    satisfaction,
    overlap_with,
    overlap_name,
    service_level,
    digital_share,
    private_capacity,
    outsourced,
    natural_savings,
    kpi
);

impl ProgramData {
    /// The value of field `i` (an index into [`PROGRAM_FIELDS`]), exactly as `program.<field>` reads it.
    pub(crate) fn field(&self, i: u8) -> Dynamic {
        FIELD_VALUES[usize::from(i)](self)
    }

    /// The value of field `i` as the compiled evaluator holds it.
    pub(crate) fn value(&self, i: u8) -> Value {
        FIELD_VALUES_COMPILED[usize::from(i)](self)
    }
}

/// The index of a program field in [`PROGRAM_FIELDS`].
pub(crate) fn program_field(name: &str) -> Option<u8> {
    FIELD_NAMES.iter().position(|f| *f == name).and_then(|i| u8::try_from(i).ok())
}

impl ProgramView {
    /// Field `i` (an index into [`PROGRAM_FIELDS`]), noted as read like `program.<field>` (for a
    /// scale or a decision table reading the program on a script's behalf).
    pub(crate) fn read(&self, i: u8) -> Dynamic {
        note_read(i);
        self.0.field(i)
    }
}

const ID: u8 = 0;
const NAME: u8 = 1;

fn register_program(engine: &mut Engine) {
    engine.register_type_with_name::<ProgramView>("Program");
    // Each getter notes what it read, so a review can tell which programs a result carries over to.
    for (i, name) in (0u8..).zip(FIELD_NAMES) {
        engine.register_get(name, move |p: &mut ProgramView| {
            note_read(i);
            p.0.field(i)
        });
    }
    engine.register_fn("to_string", |p: &mut ProgramView| {
        note_read(ID);
        note_read(NAME);
        format!("{} {}", p.0.id, p.0.name)
    });
    engine.register_fn("to_debug", |p: &mut ProgramView| {
        note_read(ID);
        format!("Program({})", p.0.id)
    });
}

/// A finding as the policy sees it (read-only).
#[derive(Debug, Clone)]
pub struct FindingView(pub(crate) Arc<FindingData>);

#[derive(Debug)]
pub(crate) struct FindingData {
    /// The recommended action (`action` is its label).
    pub kind: crate::assessment::Action,
    pub viewpoint: ImmutableString,
    pub number: Dynamic,
    pub score: FLOAT,
    pub action: ImmutableString,
    pub reason: ImmutableString,
    pub min_ratio: Dynamic,
    pub max_ratio: Dynamic,
}

/// Every field of a finding the policy can read.
pub const FINDING_FIELDS: [&str; 7] = ["viewpoint", "number", "score", "action", "reason", "min_ratio", "max_ratio"];

fn register_findings(engine: &mut Engine) {
    engine.register_type_with_name::<FindingView>("Finding");
    macro_rules! get {
        ($($field:ident),*) => {$(
            engine.register_get(stringify!($field), |f: &mut FindingView| f.0.$field.clone());
        )*};
    }
    get!(viewpoint, number, score, action, reason, min_ratio, max_ratio);
    engine.register_fn("to_string", |f: &mut FindingView| format!("{}: {} ({})", f.0.viewpoint, f.0.action, f.0.score));
    engine.register_fn("to_debug", |f: &mut FindingView| format!("Finding({}: {})", f.0.viewpoint, f.0.action));

    // The helpers below take the findings in the array (the compiled evaluator has them at hand).
    fn with<R>(a: &Array, f: impl FnOnce(&[FindingView]) -> R) -> R {
        let views: Vec<FindingView> =
            a.iter().filter_map(|d| d.read_lock::<FindingView>().map(|v| v.clone())).collect();
        f(&views)
    }
    engine.register_fn("count_action", |a: &mut Array, action: &str| with(a, |f| count_action(f, action)));
    engine.register_fn("finding", |a: &mut Array, id: &str| with(a, |f| finding(f, id)));
    engine.register_fn("viewpoints_with", |a: &mut Array, action: &str| with(a, |f| viewpoints_with(f, action)));
    engine.register_fn("tightest_max_ratio", |a: &mut Array, action: &str| with(a, |f| tightest_max_ratio(f, action)));
    engine.register_fn("because", |a: &mut Array, action: &str| with(a, |f| because(f, action)));
    engine.register_fn("others", |a: &mut Array, except: &str| with(a, |f| others(f, except)));
    engine.register_fn("mean_score", |a: &mut Array| with(a, mean_score));
}

// The policy's helpers on `findings`, as Rhai and the compiled evaluator (`super::compiled`) call them.

/// How many findings recommend `action`.
pub(crate) fn count_action(findings: &[FindingView], action: &str) -> INT {
    findings.iter().filter(|f| f.0.action == action).count() as INT
}

/// The finding of viewpoint `id`, or ().
pub(crate) fn finding(findings: &[FindingView], id: &str) -> Dynamic {
    findings.iter().find(|f| f.0.viewpoint == id).map_or(Dynamic::UNIT, |f| Dynamic::from(FindingView::clone(f)))
}

/// The viewpoints recommending `action`, as an array of ids.
pub(crate) fn viewpoints_with(findings: &[FindingView], action: &str) -> Array {
    findings.iter().filter(|f| f.0.action == action).map(|f| Dynamic::from(f.0.viewpoint.clone())).collect()
}

/// The smallest max_ratio among findings recommending `action` (or any, with ""), or ().
pub(crate) fn tightest_max_ratio(findings: &[FindingView], action: &str) -> Dynamic {
    findings
        .iter()
        .filter(|f| action.is_empty() || f.0.action == action)
        .filter_map(|f| f.0.max_ratio.as_float().ok())
        .reduce(FLOAT::min)
        .map_or(Dynamic::UNIT, Dynamic::from_float)
}

/// Why, in words: "視点2が廃止を推奨（<its reason>）"; with several viewpoints, each one's reason:
/// "視点1・視点4が縮小を推奨（視点1：<reason>／視点4：<reason>）" (a reason they share is written once).
pub(crate) fn because(findings: &[FindingView], action: &str) -> String {
    let mut names: Vec<String> = Vec::new();
    let mut reasons: Vec<(String, ImmutableString)> = Vec::new();
    for f in findings.iter().filter(|f| f.0.action == action) {
        let name = viewpoint_name(f);
        match reasons.iter_mut().find(|(_, r)| *r == f.0.reason) {
            Some((who, _)) => {
                who.push('・');
                who.push_str(&name);
            }
            None => reasons.push((name.clone(), f.0.reason.clone())),
        }
        names.push(name);
    }
    match reasons.as_slice() {
        [] => format!("{action}を推奨する視点はない"),
        [(_, reason)] => format!("{}が{action}を推奨（{reason}）", names.join("・")),
        _ => {
            let each: Vec<String> = reasons.iter().map(|(who, reason)| format!("{who}：{reason}")).collect();
            format!("{}が{action}を推奨（{}）", names.join("・"), each.join("／"))
        }
    }
}

/// The findings that recommend something other than 継続 and the actions in `except` (labels
/// separated by `・`), grouped by action in the order first seen: "視点1・視点4の縮小、視点5の改善";
/// empty when there are none. A policy names them in its reason with the rule that set them aside.
pub(crate) fn others(findings: &[FindingView], except: &str) -> String {
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    for f in findings {
        let action = f.0.action.as_str();
        if action == "継続" || except.split('・').any(|e| e.trim() == action) {
            continue;
        }
        match groups.iter_mut().find(|(a, _)| *a == action) {
            Some((_, who)) => who.push(viewpoint_name(f)),
            None => groups.push((action, vec![viewpoint_name(f)])),
        }
    }
    groups.iter().map(|(action, who)| format!("{}の{action}", who.join("・"))).collect::<Vec<_>>().join("、")
}

/// "視点N", or the viewpoint's id when it has no number.
fn viewpoint_name(f: &FindingView) -> String {
    match f.0.number.as_int() {
        Ok(n) => format!("視点{n}"),
        Err(_) => f.0.viewpoint.to_string(),
    }
}

/// The mean score of all findings.
pub(crate) fn mean_score(findings: &[FindingView]) -> FLOAT {
    let sum = findings.iter().fold(0.0, |s, f| s + f.0.score);
    if findings.is_empty() { 0.0 } else { sum / findings.len() as FLOAT }
}

/// A program's KPI as scripts see it: `indicator`, `baseline`, `target`, `actual`, `achievement` (or `()`),
/// `direction` (`"higher"` / `"lower"`) and `direction_ja` (高いほどよい / 低いほどよい).
#[derive(Debug, Clone)]
pub struct KpiView(pub(crate) Arc<KpiData>);

#[derive(Debug)]
pub(crate) struct KpiData {
    pub indicator: ImmutableString,
    pub baseline: FLOAT,
    pub target: FLOAT,
    pub actual: FLOAT,
    pub achievement: Dynamic,
    pub direction: ImmutableString,
    pub direction_ja: ImmutableString,
}

/// The values of a [`KpiView`]; `achievement` is `None` when the target equals the baseline.
pub(crate) struct KpiValues<'a> {
    pub indicator: &'a str,
    pub baseline: FLOAT,
    pub target: FLOAT,
    pub actual: FLOAT,
    pub achievement: Option<FLOAT>,
    pub direction: KpiDirection,
}

pub(crate) fn kpi_view(k: KpiValues<'_>) -> Dynamic {
    Dynamic::from(KpiView(Arc::new(KpiData {
        indicator: k.indicator.into(),
        baseline: k.baseline,
        target: k.target,
        actual: k.actual,
        achievement: k.achievement.map_or(Dynamic::UNIT, Dynamic::from_float),
        direction: k.direction.id().into(),
        direction_ja: k.direction.label().into(),
    })))
}

fn register_kpi(engine: &mut Engine) {
    engine.register_type_with_name::<KpiView>("Kpi");
    macro_rules! get {
        ($($field:ident),*) => {$(
            engine.register_get(stringify!($field), |k: &mut KpiView| k.0.$field.clone());
        )*};
    }
    get!(indicator, baseline, target, actual, achievement, direction, direction_ja);
    engine.register_fn("to_string", |k: &mut KpiView| {
        format!("{} {} → {} ({})", k.0.indicator, k.0.baseline, k.0.target, k.0.actual)
    });
}

/// `scale.at(program)`, `scale.at(x)`, `table.decide(program)`.
fn register_tables(engine: &mut Engine) {
    engine.register_type_with_name::<ScaleRef>("Scale");
    engine.register_type_with_name::<TableRef>("DecisionTable");
    fn run(r: Result<Dynamic, String>) -> Result<Dynamic, Box<EvalAltResult>> {
        r.map_err(|m| Box::new(EvalAltResult::ErrorRuntime(m.into(), Position::NONE)))
    }
    engine.register_fn("at", |s: &mut ScaleRef, p: ProgramView| run(s.0.at(&p.read(s.0.input))));
    engine.register_fn("at", |s: &mut ScaleRef, x: FLOAT| run(s.0.at(&Dynamic::from_float(x))));
    engine.register_fn("at", |s: &mut ScaleRef, x: INT| run(s.0.at(&Dynamic::from_int(x))));
    engine.register_fn("at", |s: &mut ScaleRef, x: Decimal| run(s.0.at(&Dynamic::from_decimal(x))));
    engine.register_fn("at", |_: &mut ScaleRef, _: ()| Dynamic::UNIT);
    engine.register_fn("decide", |t: &mut TableRef, p: ProgramView| t.0.decide(|i| p.read(i)));
    engine.register_fn("to_string", |s: &mut ScaleRef| s.0.to_string());
    engine.register_fn("to_debug", |s: &mut ScaleRef| s.0.to_string());
    engine.register_fn("to_string", |t: &mut TableRef| t.0.to_string());
    engine.register_fn("to_debug", |t: &mut TableRef| t.0.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(script: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        let e = engine(&RuleFiles::dir("."), &Sources::default(), &Printed::default());
        let ast = e.compile(script)?;
        with_time_limit(|| e.eval_ast_with_scope::<Dynamic>(&mut Scope::new(), &ast))
    }

    #[test]
    fn money_helpers_are_exact() {
        assert_eq!(run("oku(1.5)").unwrap().as_decimal().unwrap(), Decimal::from(150_000_000));
        assert_eq!(run("man(350)").unwrap().as_decimal().unwrap(), Decimal::from(3_500_000));
        assert_eq!(run("oku(1) * 0.9").unwrap().as_decimal().unwrap(), Decimal::from(90_000_000));
        assert_eq!(run("oku(0.1) + oku(0.2) == oku(0.3)").unwrap().as_bool(), Ok(true));
        assert_eq!(run("oku(1) > 99999999.5").unwrap().as_bool(), Ok(true));
        assert_eq!(run("format_money(oku(1.5))").unwrap().into_string().unwrap(), "1.50億円");
        assert_eq!(run("format_money(man(350))").unwrap().into_string().unwrap(), "350万円");
        assert_eq!(run("pct(-0.3 * -1)").unwrap().into_string().unwrap(), "30%");
        assert_eq!(run("pct(0.125)").unwrap().into_string().unwrap(), "12.5%");
    }

    #[test]
    fn imports_come_only_from_the_rules_folder() {
        let dir = std::env::temp_dir().join(format!("waku-import-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("rules/lib")).unwrap();
        std::fs::write(dir.join("rules/lib/common.rhai"), "fn half(x) { x / 2.0 }").unwrap();
        std::fs::write(dir.join("secret.rhai"), "fn leak() { 1 }").unwrap();
        let e = engine(&RuleFiles::dir(dir.join("rules")), &Sources::default(), &Printed::default());
        let ok = e.compile_into_self_contained(&Scope::new(), "import \"lib/common\" as c; c::half(3.0)").unwrap();
        assert_eq!(e.eval_ast::<FLOAT>(&ok).unwrap(), 1.5);
        for path in ["../secret", "/etc/passwd", "lib/../../secret"] {
            let err = e.compile_into_self_contained(&Scope::new(), format!("import \"{path}\" as s; 1")).unwrap_err();
            assert!(err.to_string().contains("inside the rules folder"), "{path}: {err}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn pct_reads_as_float_formatting_would() {
        let mut values =
            vec![0.0, -0.0, -0.00001, 0.00049, 0.0005, -0.0005, 0.125, -0.125, 1.0, 12.3456, -7.77, 1e12, 9e12, 1e13];
        values.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX, f64::MIN_POSITIVE, -1e300]);
        let mut seed = 7u64;
        for i in 0..200_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let r = (seed >> 11) as f64 / (1u64 << 53) as f64;
            values.push(match i % 4 {
                0 => (r - 0.5) * 4.0,
                1 => ((r - 0.5) * 400.0).round() / 100.0,
                2 => (r - 0.5) * 1e10,
                _ => f64::from_bits(seed),
            });
        }
        for x in values {
            assert_eq!(pct(x), pct_by_float(x), "{x:e}");
        }
    }

    #[test]
    fn every_documented_program_field_has_its_getter() {
        let documented: Vec<&str> = PROGRAM_FIELDS.iter().map(|f| f.name).collect();
        assert_eq!(documented, FIELD_NAMES);
    }

    #[test]
    fn sandbox_stops_runaway_scripts() {
        assert!(matches!(*run("loop {}").unwrap_err(), EvalAltResult::ErrorTooManyOperations(_)));
        let mut e = *run("fn f(n) { f(n + 1) } f(0)").unwrap_err();
        while let EvalAltResult::ErrorInFunctionCall(_, _, inner, _) = e {
            e = *inner;
        }
        assert!(matches!(e, EvalAltResult::ErrorStackOverflow(_)), "{e:?}");
        assert!(matches!(*run("let s = \"x\"; loop { s += s; }").unwrap_err(), EvalAltResult::ErrorDataTooLarge(..)));
        assert!(run("eval(\"1\")").is_err());
    }
}
