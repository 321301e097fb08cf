//! `wsdeck echo-server`: the local test peer from `wsdeck-echo`, on the command line.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::Args;
use wsdeck_echo::{EchoConfig, EchoServer, TlsConfig};

use crate::exit;
use crate::units::parse_size;

/// Flags of `wsdeck echo-server`.
#[derive(Debug, Args)]
#[command(after_help = ENDPOINTS)]
pub struct EchoArgs {
    /// Port to listen on (0 = any free port).
    #[arg(short, long, default_value_t = 9001, allow_negative_numbers = true,
        value_parser = crate::units::whole_number::<u16>)]
    pub port: u16,

    /// Address to listen on. Anything but loopback exposes the server to the network.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,

    /// Serve wss:// with a freshly generated CA and certificate (see --ca-out).
    #[arg(long, conflicts_with_all = ["tls_cert", "tls_key"])]
    pub tls: bool,

    /// Serve wss:// with this PEM certificate chain (with --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key for --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// With --tls: write the generated CA certificate here, for clients' --ca.
    #[arg(long, value_name = "FILE")]
    pub ca_out: Option<PathBuf>,

    /// Require client certificates signed by this PEM CA (mutual TLS).
    #[arg(long, value_name = "FILE")]
    pub client_ca: Option<PathBuf>,

    /// Subprotocols to accept (comma-separated); the client's first match is chosen.
    #[arg(long, value_delimiter = ',', default_values_t = EchoConfig::default().subprotocols)]
    pub protocols: Vec<String>,

    /// Largest message accepted from clients (0 = unlimited).
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = parse_size)]
    pub max_message_size: u64,
}

const ENDPOINTS: &str = "\
Endpoints (path and query pick the behaviour):
  /echo, /                                echo text and binary; answer pings
  /burst?count=10&size=32&binary=0&close=0  send count messages of size bytes
  /redirect?to=/echo&status=302           redirect the upgrade request
  /redirect-loop                          redirect to itself forever
  /redirect-chain?n=5&to=/echo            n redirects, then to
  /auth?name=Authorization&value=Bearer%20wsdeck   401 unless the header matches
  /status?code=500                        refuse the upgrade with that status
  /headers                                send the request headers as JSON, then echo
  /close?code=1000&reason=&after_ms=0     close with that code and reason
  /ping?count=3&interval_ms=50&payload=hi send pings, then echo
  /invalid-utf8                           send a text frame that is not UTF-8
  /vanish?size=100000                     drop the connection in the middle of a message
  /big?size=1048576                       send one binary message of size bytes
  /stream?rate=1&size=64&count=3600       send JSON messages at rate per second, while echoing
  /slow-handshake?ms=2000                 answer the upgrade after ms";

/// Runs the server until Ctrl-C.
pub async fn run(args: EchoArgs) -> u8 {
    if !args.host.is_loopback() {
        eprintln!(
            "wsdeck: warning: listening on {}, which is reachable from the network",
            args.host
        );
    }
    let tls = if args.tls {
        Some(TlsConfig::SelfSigned {
            hostnames: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
        })
    } else {
        match (args.tls_cert, args.tls_key) {
            (Some(cert), Some(key)) => Some(TlsConfig::Files { cert, key }),
            _ => None,
        }
    };
    if args.ca_out.is_some() && !args.tls {
        eprintln!("wsdeck: --ca-out needs --tls (it writes the generated CA)");
        return exit::USAGE;
    }
    if args.client_ca.is_some() && tls.is_none() {
        eprintln!("wsdeck: --client-ca needs --tls or --tls-cert/--tls-key");
        return exit::USAGE;
    }
    let config = EchoConfig {
        bind: SocketAddr::new(args.host, args.port),
        subprotocols: args.protocols,
        tls,
        client_ca: args.client_ca,
        max_message_size: usize::try_from(args.max_message_size)
            .ok()
            .filter(|n| *n > 0),
    };
    let server = match EchoServer::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("wsdeck: echo server: {e}");
            return exit::USAGE;
        }
    };
    if let (Some(path), Some(pem)) = (&args.ca_out, server.ca_pem()) {
        if let Err(e) = std::fs::write(path, pem) {
            eprintln!("wsdeck: cannot write the CA to {}: {e}", path.display());
            return exit::USAGE;
        }
        eprintln!("CA certificate written to {}", path.display());
    }
    println!("wsdeck echo server listening on {}", server.url("/"));
    let trust = match (&args.ca_out, server.ca_pem()) {
        (Some(path), Some(_)) => format!(" --ca {}", path.display()),
        (None, Some(_)) => {
            " --insecure   (or write the CA with --ca-out FILE and pass --ca FILE)".into()
        }
        _ => String::new(),
    };
    println!("  try: wsdeck connect {}{trust}", server.url("/echo"));
    eprintln!("{ENDPOINTS}");
    let _ = tokio::signal::ctrl_c().await;
    server.shutdown().await;
    exit::OK
}
