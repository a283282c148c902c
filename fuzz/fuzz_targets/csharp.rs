//! The whole pipeline on arbitrary bytes named `Function.cs`: the C# front end must report,
//! never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    faaslint::fuzzing::lint_as("src/Function.cs", data);
});
