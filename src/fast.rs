//! Switches for the fast paths: each one can be turned off, for debugging and for differential
//! tests against the simple path (README "Performance"). Every fast path gives the same outcome
//! as the simple path; the switches exist so that claim can be checked and a suspect isolated.

/// Which fast paths a run takes (all of them by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FastPaths {
    /// Plain rule scripts translated once per review and evaluated without Rhai's interpreter
    /// (`rules/compiled.rs`); off: every script runs in Rhai.
    pub compiled_scripts: bool,
    /// A script's result reused for a later program that gives it the same inputs
    /// (`review/memo.rs`); off: every script runs on every program.
    pub result_reuse: bool,
    /// A large model solved on a working set of programs (`allocate/workset.rs`); off: the whole
    /// model goes to the solver.
    pub working_set: bool,
    /// Shadow prices read off microlp's optimal vertex (`allocate/vertex.rs`); off: clarabel solves
    /// the LP again for them (the allocation's `solver` then says `microlp+clarabel`).
    pub vertex_prices: bool,
    /// The shadow prices' re-solves (a limit moved by a yen, or loosened by 1億円 for its effect)
    /// step from the optimum by microlp's dual simplex (`allocate/backend.rs`, `Stepper`); off:
    /// each is solved from scratch.
    pub warm_steps: bool,
}

impl Default for FastPaths {
    fn default() -> FastPaths {
        FastPaths::ALL_ON
    }
}

impl FastPaths {
    pub const ALL_ON: FastPaths = FastPaths {
        compiled_scripts: true,
        result_reuse: true,
        working_set: true,
        vertex_prices: true,
        warm_steps: true,
    };
    pub const ALL_OFF: FastPaths = FastPaths {
        compiled_scripts: false,
        result_reuse: false,
        working_set: false,
        vertex_prices: false,
        warm_steps: false,
    };

    /// The environment variables that turn fast paths off, and what each turns off.
    pub const VARIABLES: [(&'static str, &'static str); 6] = [
        ("WAKU_FAST_PATHS", "`off`: every fast path below"),
        ("WAKU_NO_COMPILED_SCRIPTS", "compiled scripts"),
        ("WAKU_NO_RESULT_REUSE", "reuse of script results"),
        ("WAKU_NO_WORKING_SET", "the working set of large models"),
        ("WAKU_NO_VERTEX_PRICES", "shadow prices at microlp's vertex"),
        ("WAKU_NO_WARM_STEPS", "the prices' re-solves stepping from the optimum"),
    ];

    /// The switches the environment sets, read through `var` (e.g. `|k| std::env::var(k).ok()`):
    /// `WAKU_FAST_PATHS=off` turns every fast path off; `WAKU_NO_…` set to anything but empty or
    /// `0` turns one off.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> FastPaths {
        if var("WAKU_FAST_PATHS").is_some_and(|v| v.trim().eq_ignore_ascii_case("off")) {
            return FastPaths::ALL_OFF;
        }
        let off = |name: &str| var(name).is_some_and(|v| !v.trim().is_empty() && v.trim() != "0");
        FastPaths {
            compiled_scripts: !off("WAKU_NO_COMPILED_SCRIPTS"),
            result_reuse: !off("WAKU_NO_RESULT_REUSE"),
            working_set: !off("WAKU_NO_WORKING_SET"),
            vertex_prices: !off("WAKU_NO_VERTEX_PRICES"),
            warm_steps: !off("WAKU_NO_WARM_STEPS"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_turns_fast_paths_off() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        assert_eq!(FastPaths::from_env(env(&[])), FastPaths::ALL_ON);
        assert_eq!(FastPaths::from_env(env(&[("WAKU_FAST_PATHS", "off")])), FastPaths::ALL_OFF);
        let f = FastPaths::from_env(env(&[("WAKU_NO_RESULT_REUSE", "1"), ("WAKU_NO_WORKING_SET", "0")]));
        assert_eq!(f, FastPaths { result_reuse: false, ..FastPaths::ALL_ON });
    }
}
