//! The whole pipeline on arbitrary bytes named `Handler.java`: the Java front end must report,
//! never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    faaslint::fuzzing::lint_as("src/main/java/Handler.java", data);
});
