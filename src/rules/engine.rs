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
use rhai::{Array, Dynamic, Engine, EvalAltResult, FLOAT, INT, Module, Position, Scope};

use super::files::RuleFiles;
use crate::diagnostic::Source;

mod money;
mod views;

pub use super::fields::PROGRAM_FIELDS;
use money::register_money;
pub(crate) use money::{float_to_decimal, round_dp, share_of};
pub use money::{format_money, pct};
pub(crate) use views::IndicatorData;
pub use views::{FINDING_FIELDS, FindingView, INDICATOR_FIELDS, IndicatorView, KpiView, ProgramView};
pub(crate) use views::{
    FindingData, KpiValues, ProgramData, because, count_action, finding, kpi_view, mean_score, others, program_field,
    tightest_max_ratio, viewpoints_with,
};
use views::{register_findings, register_indicator, register_kpi, register_program, register_tables};

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
/// Wall-clock limit for one script on one program: a backstop for scripts whose operations are
/// each slow (a long string rebuilt at every step). It sits far above what [`MAX_OPERATIONS`]
/// of plain steps take even on a loaded machine, so a runaway loop always stops at the operation
/// limit with the same error on every run, never by the clock.
pub const TIME_LIMIT: Duration = Duration::from_secs(5);
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
    register_indicator(&mut engine);
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

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::money::pct_by_float;
    use super::views::FIELD_NAMES;
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
