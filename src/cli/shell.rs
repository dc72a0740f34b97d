//! `eventlab completions SHELL` and `eventlab man`: shell completions (`clap_complete`) and the
//! man page (`clap_mangen`, roff), both generated from the clap types, so they list exactly the
//! subcommands and options the binary has.

use clap::CommandFactory;

use super::{Cli, Failure, print};

pub const COMPLETIONS_HELP: &str = "\
Examples:
  eventlab completions bash > ~/.local/share/bash-completion/completions/eventlab
  eventlab completions zsh > ~/.zfunc/_eventlab
  eventlab completions fish > ~/.config/fish/completions/eventlab.fish";

pub const MAN_HELP: &str = "\
Examples:
  eventlab man > eventlab.1 && man ./eventlab.1
  eventlab man | gzip > ~/.local/share/man/man1/eventlab.1.gz";

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    pub shell: clap_complete::Shell,
}

pub(super) fn completions(args: &CompletionsArgs) -> Result<u8, Failure> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "eventlab", &mut out);
    print(&String::from_utf8(out).expect("completion scripts are UTF-8"))?;
    Ok(0)
}

pub(super) fn man() -> Result<u8, Failure> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|error| Failure::usage(format!("cannot render the man page: {error}")))?;
    print(&String::from_utf8(out).expect("roff is UTF-8"))?;
    Ok(0)
}
