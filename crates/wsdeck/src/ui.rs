//! `wsdeck ui`: the browser workbench. One axum server on 127.0.0.1 serves the page
//! (`assets.rs`) and the gateway it drives (`gateway.rs`, `/rpc`); the page finds the
//! per-run token in the address's `#fragment`, which browsers never send to a server.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use wsdeck_echo::{EchoConfig, EchoServer};

use crate::assets::{self, AssetSource};
use crate::gateway::{BoundGateway, GatewayOptions, write_token_file};

/// Largest request the page may send: a message to send travels in one `wsdeck.send`, so
/// this must hold the engine's default largest message (64 MiB) even when JSON escaping
/// doubles it. `wsdeck serve` keeps the API's 1 MiB. The page checks it before sending
/// (`MAX_REQUEST_BYTES` in `ui/src/rpc.ts`), since the gateway closes a client that exceeds it.
pub const MAX_REQUEST_BYTES: usize = 128 << 20;

/// Flags of `wsdeck ui`.
#[derive(Debug, Args)]
#[command(after_help = "\
Prints `wsdeck workbench: http://127.0.0.1:PORT/#token=TOKEN` and opens it in the default
browser. The server listens on 127.0.0.1 only; the page talks to it over /rpc with the
token (new on every run unless --keep-token). Examples:
  wsdeck ui --demo                 also start the echo server and open a request to it
  wsdeck ui --port 8799 --no-open  a fixed address, open it yourself")]
pub struct UiArgs {
    /// Port to listen on (127.0.0.1); 0 picks a free one.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true,
        value_parser = crate::units::whole_number::<u16>)]
    pub port: u16,

    /// Do not open a browser; only print the address.
    #[arg(long)]
    pub no_open: bool,

    /// Also start wsdeck's echo server on a free port and open a request to its /stream
    /// endpoint (a message a second, and echoes), so messages flow at once.
    #[arg(long)]
    pub demo: bool,

    /// Serve the page's files from this directory (a `npm run build` output, e.g. ui/dist)
    /// instead of the copy built into the binary: for working on the UI.
    #[arg(long, value_name = "DIR")]
    pub assets: Option<PathBuf>,

    /// The workspace folder for saved requests and environments (default: a .wsdeck/ found
    /// upward from here, else the one in wsdeck's data folder).
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,

    /// The history database every session is recorded in (default: history.db in the data
    /// folder; see wsdeck history).
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,

    /// Do not record sessions in the history.
    #[arg(long, conflicts_with = "history")]
    pub no_history: bool,

    /// Keep the token in FILE (created with mode 0600 on first use) and reuse it on later
    /// runs, so an open page reconnects after wsdeck restarts on the same --port.
    #[arg(long, value_name = "FILE")]
    pub keep_token: Option<PathBuf>,
}

/// Runs the workbench until Ctrl-C.
pub async fn run(args: UiArgs) -> anyhow::Result<()> {
    let source = match &args.assets {
        Some(dir) => AssetSource::Directory(dir.clone()),
        None => AssetSource::Embedded,
    };
    if !source.has_index() {
        match &args.assets {
            Some(dir) => anyhow::bail!(
                "{} has no index.html: build the UI first (cd ui && npm ci && npm run build)",
                dir.display()
            ),
            None => anyhow::bail!(
                "this wsdeck was built without the workbench's files (ui/dist was missing when it \
                 was compiled): run scripts/build-ui, then build wsdeck again"
            ),
        }
    }
    let token = match &args.keep_token {
        Some(path) => Some(kept_token(path)?),
        None => None,
    };
    let workspace = open_workspace(args.workspace.clone())?;
    let bound = BoundGateway::bind(GatewayOptions {
        bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        port: args.port,
        allow_remote: false,
        allow_origin: Vec::new(),
        // The page is the local user's own tool: it may open connections (but not read
        // local files: TLS file paths are a `wsdeck connect`/`wsdeck rpc --grant` matter).
        permissions: BTreeSet::from([
            wsdeck_api::NETWORK_ACCESS.to_owned(),
            wsdeck_api::WORKSPACE.to_owned(),
            wsdeck_api::HISTORY.to_owned(),
        ]),
        token,
        workspace: Some(workspace),
        recorder: if args.no_history {
            None
        } else {
            Some(crate::history_cmd::server_recorder(args.history.clone()))
        },
        max_request_bytes: MAX_REQUEST_BYTES,
    })
    .await?;

    let mut fragment = url::form_urlencoded::Serializer::new(String::new());
    fragment.append_pair("token", bound.token());
    let demo = if args.demo {
        let server = EchoServer::start(EchoConfig::default())
            .await
            .context("cannot start the demo echo server")?;
        fragment.append_pair("url", &server.url("/stream?rate=1"));
        fragment.append_pair("connect", "1");
        fragment.append_pair(
            "message",
            "{\"hello\": \"wsdeck\", \"sent\": \"{{$isoTimestamp}}\", \"id\": \"{{$randomUUID}}\"}",
        );
        Some(server)
    } else {
        None
    };
    let address = format!("http://{}/#{}", bound.shown, fragment.finish());

    let mut out = std::io::stdout();
    writeln!(out, "wsdeck workbench: {address}")?;
    if let Some(server) = &demo {
        writeln!(
            out,
            "demo echo server: {} (/echo, /stream?rate=N, /burst?count=N, … see wsdeck echo-server --help)",
            server.url("")
        )?;
    }
    out.flush()?;

    // The launcher's own error repeats the address (its token) and debug text: not shown.
    if !args.no_open && open::that_detached(&address).is_err() {
        eprintln!(
            "wsdeck ui: no browser could be opened here (none installed or set as default); open the address above yourself, or pass --no-open"
        );
    }
    let served = bound.serve(assets::router(source)).await;
    if let Some(server) = demo {
        server.shutdown().await;
    }
    served
}

/// The workspace the page edits: `--workspace DIR`, a `.wsdeck/` upward, or the data folder's.
pub(crate) fn open_workspace(
    explicit: Option<PathBuf>,
) -> anyhow::Result<wsdeck_workspace::Workspace> {
    let data_dir = wsdeck_workspace::default_data_dir().ok_or_else(|| {
        anyhow::anyhow!(
            "no data folder for the workspace: set WSDECK_DATA_DIR, XDG_DATA_HOME or HOME"
        )
    })?;
    let here = std::env::current_dir().context("no current folder")?;
    wsdeck_workspace::Workspace::discover(&here, explicit, &data_dir).map_err(anyhow::Error::msg)
}

/// The token stored in `path`, or a new one written there (mode 0600).
fn kept_token(path: &Path) -> anyhow::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let token = text.trim();
            let ok = token.len() >= 32
                && token
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
            if !ok {
                anyhow::bail!(
                    "{} does not hold a wsdeck token (32+ characters of A-Z a-z 0-9 - _); delete it to get a new one",
                    path.display()
                );
            }
            Ok(token.to_owned())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let token = crate::gateway::new_token()?;
            write_token_file(path, &token)
                .with_context(|| format!("cannot write the token to {}", path.display()))?;
            Ok(token)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read the token from {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    /// The page checks a request's size against its own copy of [`super::MAX_REQUEST_BYTES`]
    /// (it has no way to ask before its first request); the two must not drift apart.
    #[test]
    fn the_page_knows_the_gateways_request_limit() {
        let rpc_ts = include_str!("../../../ui/src/rpc.ts");
        let line = rpc_ts
            .lines()
            .find(|l| l.starts_with("export const MAX_REQUEST_BYTES = "))
            .expect("ui/src/rpc.ts exports MAX_REQUEST_BYTES");
        let product: usize = line
            .trim_start_matches("export const MAX_REQUEST_BYTES = ")
            .trim_end_matches(';')
            .split('*')
            .map(|n| n.trim().parse::<usize>().expect("a product of numbers"))
            .product();
        assert_eq!(product, super::MAX_REQUEST_BYTES, "{line}");
    }
}
