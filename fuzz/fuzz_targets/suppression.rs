//! The suppression-comment parser on arbitrary text, and suppressions applied to findings.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        faaslint::fuzzing::suppressions(text);
    }
});
