//! `wsdeck generate`: shell completions and the man page, made from the same clap definition
//! the binary parses with (as ripgrep ships them), so they never disagree with `--help`.
//! `scripts/install` writes them where shells and `man` look.

use std::io::Write;

use clap::{Args, CommandFactory, Subcommand, ValueEnum};
use clap_complete::Shell;

use crate::exit;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(subcommand)]
    what: Generated,
}

#[derive(Debug, Subcommand)]
enum Generated {
    /// A completion script for a shell, on stdout (e.g. `wsdeck generate completions bash >
    /// ~/.local/share/bash-completion/completions/wsdeck`).
    Completions {
        /// The shell.
        shell: CompletionShell,
    },
    /// The man page (roff), on stdout (e.g. `wsdeck generate man > wsdeck.1; man ./wsdeck.1`).
    Man,
}

/// The shells clap_complete writes for (named as users type them).
#[derive(Debug, Clone, Copy, ValueEnum)]
enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

impl From<CompletionShell> for Shell {
    fn from(s: CompletionShell) -> Self {
        match s {
            CompletionShell::Bash => Shell::Bash,
            CompletionShell::Zsh => Shell::Zsh,
            CompletionShell::Fish => Shell::Fish,
            CompletionShell::Elvish => Shell::Elvish,
            CompletionShell::Powershell => Shell::PowerShell,
        }
    }
}

/// Writes what was asked for on stdout.
pub fn run<C: CommandFactory>(args: GenerateArgs) -> u8 {
    let mut command = C::command();
    let mut out = Vec::new();
    match args.what {
        Generated::Completions { shell } => {
            clap_complete::generate(Shell::from(shell), &mut command, "wsdeck", &mut out);
        }
        Generated::Man => {
            if let Err(e) = clap_mangen::Man::new(command).render(&mut out) {
                eprintln!("wsdeck generate man: {e}");
                return exit::INTERNAL;
            }
        }
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&out).and_then(|()| stdout.flush()) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("wsdeck generate: cannot write to stdout: {e}");
            exit::OUTPUT
        }
    }
}
