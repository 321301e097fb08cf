//! `wsdeck autobahn`: the Autobahn TestSuite client protocol, driven through the engine, so
//! that conformance of the same code the CLI and UI use is checked in CI.

use clap::Args;
use wsdeck_engine::{
    Direction, Engine, EventKind, LogCursor, Payload, RequestSpec, Session, Settings,
};

use crate::exit;

/// Flags of `wsdeck autobahn`.
#[derive(Debug, Args)]
pub struct AutobahnArgs {
    /// Base URL of the fuzzing server, e.g. ws://127.0.0.1:9001
    pub url: String,

    /// Agent name the reports are filed under.
    #[arg(long, default_value = "wsdeck")]
    pub agent: String,

    /// Run only these case numbers (1-based, repeatable); default all.
    #[arg(long = "case", value_name = "N")]
    pub cases: Vec<u32>,
}

/// Runs every case, then asks the server to write its reports.
pub async fn run(args: AutobahnArgs) -> u8 {
    let base = args.url.trim_end_matches('/').to_owned();
    let engine = Engine::new();
    let count = match tokio::time::timeout(COUNT_TIMEOUT, case_count(&engine, &base)).await {
        Ok(Ok(n)) => n,
        Ok(Err(e)) => {
            eprintln!("wsdeck autobahn: cannot read the case count from {base}/getCaseCount: {e}");
            return exit::CONNECT;
        }
        Err(_) => {
            let e = "no answer within 10 s: is it an Autobahn fuzzing server?";
            eprintln!("wsdeck autobahn: cannot read the case count from {base}/getCaseCount: {e}");
            return exit::CONNECT;
        }
    };
    let cases: Vec<u32> = if args.cases.is_empty() {
        (1..=count).collect()
    } else {
        args.cases.clone()
    };
    eprintln!(
        "wsdeck autobahn: running {} of {count} cases as agent {:?}",
        cases.len(),
        args.agent
    );
    let mut not_run = 0;
    for case in cases {
        let url = format!("{base}/runCase?case={case}&agent={}", encode(&args.agent));
        if let Err(e) = run_case(&engine, &url).await {
            eprintln!("wsdeck autobahn: case {case} did not run: {e}");
            not_run += 1;
        }
    }
    let url = format!("{base}/updateReports?agent={}", encode(&args.agent));
    let updated = match open(&engine, &url) {
        // The server answers 101 and then drops the connection: that is the normal end.
        Ok(session) => {
            let opened = session.wait_open().await;
            session.wait_closed().await;
            opened.map(|_| ())
        }
        Err(e) => Err(e),
    };
    if let Err(e) = updated {
        eprintln!("wsdeck autobahn: updateReports failed: {e}");
        return exit::CONNECT;
    }
    if not_run > 0 {
        eprintln!("wsdeck autobahn: {not_run} case(s) could not be run");
        return exit::CONNECT;
    }
    eprintln!(
        "wsdeck autobahn: done; reports requested for agent {:?}",
        args.agent
    );
    exit::OK
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn open(engine: &Engine, url: &str) -> Result<Session, wsdeck_engine::EngineError> {
    let mut spec = RequestSpec::new(url);
    spec.settings = Settings {
        // Case 9.x sends messages of up to 16 MiB.
        max_message_size: 0,
        ..Settings::default()
    };
    engine.open(spec)
}

async fn case_count(engine: &Engine, base: &str) -> Result<u32, String> {
    let session = open(engine, &format!("{base}/getCaseCount")).map_err(|e| e.to_string())?;
    let mut cursor = LogCursor::new(session.log().clone());
    let mut events = Vec::new();
    loop {
        let outcome = cursor.next(64, &mut events).await;
        for event in &events {
            match &event.kind {
                EventKind::Message {
                    direction: Direction::In,
                    payload: Payload::Text(t),
                } => {
                    return t.trim().parse().map_err(|_| format!("not a number: {t:?}"));
                }
                EventKind::Error(e) => return Err(e.to_string()),
                _ => {}
            }
        }
        if outcome.at_end {
            return Err("the server closed without sending the count".into());
        }
    }
}

/// How long the server may take to send the case count.
const COUNT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Echoes every message back until the server closes. Errors during a case are part of
/// what the case tests; only a case that never opened is a failure of the run.
async fn run_case(engine: &Engine, url: &str) -> Result<(), String> {
    let session = open(engine, url).map_err(|e| e.to_string())?;
    let result = echo_until_closed(&session).await;
    // Each case's log can hold megabytes (9.x sends 16 MiB messages): forget it.
    let _ = engine.remove(session.id()).await;
    result
}

async fn echo_until_closed(session: &Session) -> Result<(), String> {
    let mut opened = false;
    let mut cursor = LogCursor::new(session.log().clone());
    let mut events = Vec::new();
    loop {
        let outcome = cursor.next(1024, &mut events).await;
        opened |= events.iter().any(|e| matches!(e.kind, EventKind::Open(_)));
        let echoes: Vec<Payload> = events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Message {
                    direction: Direction::In,
                    payload,
                } => Some(payload.clone()),
                _ => None,
            })
            .collect();
        // A send can fail once the server has started closing; that is part of the cases.
        let _ = session.send_batch(echoes).await;
        if outcome.at_end {
            return if opened {
                Ok(())
            } else {
                Err(session
                    .last_error()
                    .map_or_else(|| "the connection never opened".into(), |e| e.to_string()))
            };
        }
    }
}
