//! Helpers shared by the CLI tests: a fresh scratch directory per test, and the binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A fresh, empty directory under the system temp dir, named after the test (and this process,
/// so concurrent `cargo test` runs do not collide).
pub fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("eventlab-tests-{}", std::process::id()))
        .join(test);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove old scratch dir");
    }
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Writes `text` to `dir/name`.
pub fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write scenario file");
}

/// `eventlab` (the binary under test), run in `dir`.
pub fn eventlab_in(dir: &Path) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("eventlab").expect("the eventlab binary");
    command.current_dir(dir);
    command
}
