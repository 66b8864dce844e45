//! The money parser never panics, and what it accepts prints back to the same amount.
#![no_main]

use libfuzzer_sys::fuzz_target;
use waku::money::{Money, Unit};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Money::parse(text) {
        Ok(m) => {
            // Whole yen, printed in yen, parses back to itself.
            let printed = m.format(Unit::Yen);
            assert_eq!(Money::parse(&printed).ok(), Some(m), "{text:?} → {printed:?}");
            for u in Unit::DISPLAY {
                let _ = m.format(u);
            }
        }
        Err(e) => {
            // The error's position lies inside the text, on a character boundary.
            assert!(e.offset <= text.len(), "{text:?}: offset {} beyond {}", e.offset, text.len());
            assert!(text.is_char_boundary(e.offset), "{text:?}: offset {} not a boundary", e.offset);
            assert!(!e.message.is_empty());
        }
    }
});
