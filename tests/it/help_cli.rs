//! Each subcommand's `--help` has its own examples, and they name bundled scenarios (no paths
//! into the source tree, so they work after `cargo install`); completions and the man page
//! come from the same clap types.

use crate::common::{eventlab_in, scratch_dir};

fn stdout(args: &[&str]) -> String {
    let output = eventlab_in(&scratch_dir("help"))
        .args(args)
        .output()
        .expect("eventlab runs");
    assert!(output.status.success(), "{args:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn every_subcommand_help_has_examples_without_source_paths() {
    let top = stdout(&["--help"]);
    let commands = subcommands(&top);
    assert!(
        commands.len() > 15,
        "the command list was read: {commands:?}"
    );
    for command in commands.iter().map(String::as_str) {
        let help = stdout(&[command, "--help"]);
        assert!(
            help.contains("Examples:"),
            "{command} --help has no examples"
        );
        for path in ["scenarios/", "tests/", "benches/", "src/"] {
            assert!(!help.contains(path), "{command} --help names {path}");
        }
    }
}

#[test]
fn completions_and_the_man_page_list_the_subcommands() {
    let bash = stdout(&["completions", "bash"]);
    assert!(
        bash.contains("lessons") && bash.contains("explain"),
        "{bash}"
    );
    let man = stdout(&["man"]);
    assert!(man.contains(".TH eventlab 1"), "{man}");
    assert!(man.contains("lessons"), "{man}");
}

/// The subcommands `eventlab --help` lists (all but `help`), so a new one is checked too.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .filter(|line| line.starts_with("  ") && !line.starts_with("    "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}
