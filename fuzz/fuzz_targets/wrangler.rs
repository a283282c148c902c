//! The whole pipeline on arbitrary bytes named `wrangler.toml` and `wrangler.jsonc`: the
//! Wrangler front end must report, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    faaslint::fuzzing::lint_as("wrangler.toml", data);
    faaslint::fuzzing::lint_as("wrangler.jsonc", data);
});
