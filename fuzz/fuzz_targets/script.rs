//! Any text as a viewpoint script: it compiles and reviews a small city, or gives located errors —
//! never a panic, never a hang (the sandbox's operation, size and time limits hold).
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use waku::rules::Ruleset;
use waku::scenario::Scenario;

const MANIFEST: &str = r#"[[viewpoints]]
id = "needs"
number = 1
name_ja = "市民のニーズや社会経済情勢の変化への対応"
script = "viewpoints/needs.rhai"

[policy]
script = "policies/default.rhai"

[parameters.needs_reduce_trend]
value = -0.2
unit = "ratio"
description = "需要の変化率がこれ以下なら縮小"
"#;

fn city() -> &'static Scenario {
    static CITY: OnceLock<Scenario> = OnceLock::new();
    CITY.get_or_init(|| waku::scenario::load(Path::new("tests/fixtures/small-city.toml")).expect("fixture loads"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(script) = std::str::from_utf8(data) else { return };
    let dir = std::env::temp_dir().join(format!("waku-fuzz-script-{}", std::process::id()));
    let _ = std::fs::create_dir_all(dir.join("viewpoints"));
    let _ = std::fs::create_dir_all(dir.join("policies"));
    let _ = std::fs::write(dir.join("ruleset.toml"), MANIFEST);
    let _ = std::fs::write(dir.join("policies/default.rhai"), "#{ action: \"継続\", priority: 1.0, reason: \"fuzz\" }");
    let _ = std::fs::write(dir.join("viewpoints/needs.rhai"), script);
    let started = std::time::Instant::now();
    let result = Ruleset::load(&dir, &Default::default()).and_then(|r| waku::review::review(city(), &r));
    if let Err(e) = result {
        let text = e.to_string();
        assert!(text.starts_with("error: ") || text.starts_with("warning: "), "{text}");
    }
    // Eight programs, two scripts each: the time limit (500 ms a script) bounds the review.
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "took {:?}", started.elapsed());
});
