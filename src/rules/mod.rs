//! Rule files: the ruleset manifest, its parameters, and the sandboxed Rhai engine that runs the scripts.
