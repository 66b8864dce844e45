//! Inventory workbooks (`.xlsx`): any bytes named as a workbook load or give located errors — no
//! panic, no unbounded memory (entries' unpacked sizes are capped, CRCs checked).
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The test suite's smallest scenario that reads an inventory.
const SCENARIO: &str = include_str!("../../tests/fixtures/one-bureau-template.toml");

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("waku-fuzz-xlsx-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let scenario = dir.join("s.toml");
    let _ = std::fs::write(&scenario, SCENARIO.replace("INVENTORY", "p.xlsx"));
    let _ = std::fs::write(dir.join("p.xlsx"), data);
    match waku::scenario::load(&scenario) {
        Ok(s) => {
            let _ = s.total_requested();
        }
        Err(e) => {
            let text = e.to_string();
            assert!(text.starts_with("error: "), "{text}");
        }
    }
});
