//! Outside clients the integration tests drive (check-jsonschema, pre-commit, Neovim). Where one
//! is missing the test prints a note and skips, unless `FAASLINT_REQUIRE_CLIENTS=1` (set by
//! `.ci/run`, which installs them), where it fails.

use std::path::PathBuf;

/// Where `.ci/run` installs the clients (`target/clients/bin`), then `PATH`.
pub fn client(name: &str) -> Option<PathBuf> {
    let installed = std::env::var_os("FAASLINT_CLIENTS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| super::repo_root().join("target/clients/bin"));
    let found = std::iter::once(installed)
        .chain(
            std::env::var_os("PATH")
                .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
                .unwrap_or_default(),
        )
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file());
    if found.is_none() {
        if std::env::var("FAASLINT_REQUIRE_CLIENTS").as_deref() == Ok("1") {
            panic!("{name} is required (FAASLINT_REQUIRE_CLIENTS=1) but was not found; run .ci/run to install it");
        }
        eprintln!("note: skipping: {name} is not installed (bash .ci/run installs it)");
    }
    found
}
