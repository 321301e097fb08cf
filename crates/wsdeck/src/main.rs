//! `wsdeck`: the binary. Parses flags once into configs, builds the components, and maps
//! outcomes to exit codes. All WebSocket work is in `wsdeck-engine`.

mod assets;
mod autobahn;
mod compose;
mod connect;
mod echo_server;
mod exit;
mod gateway;
mod generate;
mod history_cmd;
mod interactive;
mod manifest;
mod pipe;
mod printer;
mod redact;
mod rpc;
mod run;
mod session_config;
mod session_runner;
mod signals;
mod split;
mod stdin_pump;
mod stdout_watch;
mod suggest;
mod ui;
mod units;
mod vars;
mod workspace_args;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The version `--version` shows: the crate's, and the commit it was built from (build.rs),
/// so a bug report names the exact build.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("WSDECK_COMMIT"), ")");

/// WebSocket workbench, terminal client and local test server.
#[derive(Debug, Parser)]
#[command(
    name = "wsdeck",
    version = VERSION,
    about = "WebSocket workbench in the browser, terminal and pipe client, JSON-RPC API, session history, local test server and Autobahn runner",
    long_about = None,
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Connect to a WebSocket server: interactive on a terminal, line-per-message in a pipe.
    #[command(long_about = connect::LONG_ABOUT, after_long_help = exit::EXIT_CODES_HELP)]
    Connect(Box<connect::ConnectArgs>),
    /// Run a local WebSocket server to try things against (echo, bursts, redirects, closes).
    EchoServer(echo_server::EchoArgs),
    /// Run the Autobahn TestSuite client protocol against a fuzzing server.
    Autobahn(autobahn::AutobahnArgs),
    /// Serve the JSON-RPC API (MetaMask-Snaps-compatible snap_* WebSocket methods) on stdio.
    Rpc(rpc::RpcArgs),
    /// Serve the JSON-RPC API over WebSocket on 127.0.0.1 (`/rpc`, per-run token).
    Serve(gateway::ServeArgs),
    /// Open the browser workbench: connect, compose, and read the message log (127.0.0.1).
    Ui(ui::UiArgs),
    /// Run a saved request from the workspace: connect, send its saved messages, print answers.
    Run(run::RunArgs),
    /// The recorded sessions: list, show, search, export, import, delete, prune, retention.
    History(history_cmd::HistoryArgs),
    /// Shell completions and the man page, on stdout (scripts/install writes them).
    Generate(generate::GenerateArgs),
}

/// What to run instead, for websocat's and wscat's habits: `wsdeck ws://…` (websocat),
/// `wsdeck connect -c ws://…` (wscat).
fn habit_hint(args: &[String]) -> Option<String> {
    let quoted = |args: &[String]| {
        args.iter()
            .map(|a| {
                if a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,".contains(c))
                {
                    a.clone()
                } else {
                    format!("'{}'", a.replace('\'', r"'\''"))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let url_at = args.iter().position(|a| looks_like_url(a))?;
    match args.first().map(String::as_str) {
        // websocat's `websocat [flags] ws://…`: the URL where a command belongs.
        Some(first) if first.starts_with('-') || url_at == 0 => {
            Some(format!("to connect, run: wsdeck connect {}", quoted(args)))
        }
        // wscat's `wscat -c URL`.
        Some("connect") if args.get(1).is_some_and(|a| a == "-c" || a == "--connect") => {
            let mut rest = args[2..].to_vec();
            rest.retain(|a| a != "-c");
            Some(format!(
                "connect takes the URL directly (no -c): wsdeck connect {}",
                quoted(&rest)
            ))
        }
        _ => None,
    }
}

/// A WebSocket (or HTTP) URL given where a command was expected.
fn looks_like_url(arg: &str) -> bool {
    ["ws://", "wss://", "http://", "https://"]
        .iter()
        .any(|scheme| arg.len() > scheme.len() && arg[..scheme.len()].eq_ignore_ascii_case(scheme))
}

fn main() -> ExitCode {
    if let Some(hint) = habit_hint(&std::env::args().skip(1).collect::<Vec<_>>()) {
        eprintln!("wsdeck: {hint}");
        return ExitCode::from(exit::USAGE);
    }
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("wsdeck: cannot start the async runtime: {e}");
            return ExitCode::from(exit::INTERNAL);
        }
    };
    let code = match cli.command {
        Command::Connect(args) => connect::run(*args, runtime.handle().clone()),
        Command::EchoServer(args) => runtime.block_on(echo_server::run(args)),
        Command::Autobahn(args) => runtime.block_on(autobahn::run(args)),
        Command::Rpc(args) => match args.caller() {
            Err(e) => {
                eprintln!("wsdeck rpc: {e}");
                exit::USAGE
            }
            Ok(caller) => match runtime.block_on(rpc::run(caller)) {
                Ok(()) => exit::OK,
                Err(e) => {
                    eprintln!("wsdeck rpc: {e:#}");
                    exit::INTERNAL
                }
            },
        },
        Command::Serve(args) if !args.bind.is_loopback() && !args.allow_remote => {
            eprintln!(
                "wsdeck serve: --bind {} is not a loopback address; pass --allow-remote to listen on it",
                args.bind
            );
            exit::USAGE
        }
        Command::Serve(args)
            if let Some(Err(e)) = args.manifest.as_deref().map(manifest::Manifest::read) =>
        {
            eprintln!("wsdeck serve: {e}");
            exit::USAGE
        }
        Command::Serve(args) => match runtime.block_on(gateway::run(args)) {
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!("wsdeck serve: {e:#}");
                exit::INTERNAL
            }
        },
        Command::Run(args) => run::run(args, runtime.handle().clone()),
        Command::History(args) => history_cmd::run(args),
        Command::Generate(args) => generate::run::<Cli>(args),
        Command::Ui(args) => match runtime.block_on(ui::run(args)) {
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!("wsdeck ui: {e:#}");
                exit::USAGE
            }
        },
    };
    // Do not wait for stdin readers blocked in a read: the process is done.
    runtime.shutdown_background();
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(args: &[&str]) -> Option<String> {
        habit_hint(&args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn websocat_and_wscat_habits_get_the_command_to_run() {
        assert_eq!(
            hint(&["ws://h/", "-x", "hi there"]).as_deref(),
            Some("to connect, run: wsdeck connect ws://h/ -x 'hi there'")
        );
        assert_eq!(
            hint(&["-v", "wss://h/"]).as_deref(),
            Some("to connect, run: wsdeck connect -v wss://h/")
        );
        assert_eq!(
            hint(&["connect", "-c", "ws://h/", "-n", "1"]).as_deref(),
            Some("connect takes the URL directly (no -c): wsdeck connect ws://h/ -n 1")
        );
        assert_eq!(hint(&["connect", "ws://h/"]), None);
        assert_eq!(hint(&["echo-server", "--port", "1"]), None);
    }
}
