//! The whole pipeline (front end, linking, every rule, suppressions, rendering) on arbitrary
//! bytes named `stack.template.json`: it must report, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    faaslint::fuzzing::lint_as("stack.template.json", data);
});
