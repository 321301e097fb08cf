//! `wsdeck-bench`: wsdeck's benchmark harness (DESIGN.md §5).
//!
//! - `server` / `tcp-server`: fast minimal loopback peers (tokio-tungstenite, raw TCP).
//! - `engine`: measures the wsdeck engine against a `server` child process.
//! - `cli`: measures `wsdeck connect` pipe mode against websocat and wscat.
//! - `api`: measures the JSON-RPC gateway's round trip (`wsdeck serve`).
//!
//! Only 127.0.0.1 is ever used, and every loop is bounded in count and in time.

mod api_bench;
mod cli_bench;
mod engine_bench;
mod proc;
mod report;
mod server;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "wsdeck-bench",
    about = "wsdeck benchmark harness (loopback only)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// WebSocket server: /echo, /burst?count=N&size=B, /sink?count=N. Prints `LISTENING <port>`.
    Server {
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Exit after this many seconds in any case.
        #[arg(long, default_value_t = 3600)]
        max_seconds: u64,
    },
    /// Raw TCP server for baselines (echo, sink, source). Prints `LISTENING <port>`.
    TcpServer {
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Exit after this many seconds in any case.
        #[arg(long, default_value_t = 3600)]
        max_seconds: u64,
    },
    /// Measure the wsdeck engine (server in a child process).
    Engine(engine_bench::EngineArgs),
    /// Measure `wsdeck connect` pipe mode against websocat and wscat.
    Cli(cli_bench::CliArgs),
    /// Measure the JSON-RPC gateway's round trip (`wsdeck serve`, server in a child process).
    Api(api_bench::ApiArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let nofile = proc::raise_nofile_limit();
    let result = match cli.command {
        Command::Server { port, max_seconds } => server::run_ws(port, max_seconds),
        Command::TcpServer { port, max_seconds } => server::run_tcp(port, max_seconds),
        Command::Engine(args) => engine_bench::run(args, nofile),
        Command::Cli(args) => cli_bench::run(args),
        Command::Api(args) => api_bench::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wsdeck-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Where JSON results go when `--json` is not given.
pub(crate) fn default_json(name: &str) -> PathBuf {
    PathBuf::from(format!("target/bench-results/{name}.json"))
}
