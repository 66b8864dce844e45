//! `waku check`: load and validate a scenario; print a one-screen summary.

use std::io::Write;

use clap::Args;

use super::{ScenarioArgs, write_out};
use crate::Result;
use crate::report::summary;

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}

pub fn run(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    if crate::scenario::is_plan(&args.scenario.scenario) {
        return super::plan::check(&args.scenario, out, err);
    }
    let scenario = args.scenario.load()?;
    for w in &scenario.warnings {
        let _ = write!(err, "{}", w.render());
    }
    // The ruleset: compiled, parameters checked, and tried on every program.
    for w in crate::rules::check(&scenario)? {
        let _ = write!(err, "{}", w.render());
    }
    check_bureau_policies(&scenario)?;
    write_out(out, &summary(&scenario))
}

/// Every bureau's own policy script (`policy = "…"`, or `departments/<id>.rhai` in the rules
/// folder) compiles and passes the static checks, as `--mode autonomous` would need it to.
pub(crate) fn check_bureau_policies(scenario: &crate::scenario::Scenario) -> Result<()> {
    if !scenario.rules_dir.join("ruleset.toml").is_file() {
        return Ok(());
    }
    let ruleset = crate::rules::Ruleset::for_scenario(scenario)?;
    crate::autonomy::policy::compile_all(scenario, &ruleset).map(drop)
}
