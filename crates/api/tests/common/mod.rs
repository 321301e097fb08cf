//! Shared by the API's tests: a caller driving a `Connection` directly, and the echo server.
#![allow(dead_code)] // each test binary uses part of it

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{Value, json};
use wsdeck_api::{Api, Caller, Connection};
use wsdeck_echo::{EchoConfig, EchoServer};
use wsdeck_engine::Engine;

pub const WAIT: Duration = Duration::from_secs(10);

/// One attached caller, with its output parsed.
pub struct Client {
    pub conn: Connection,
    pub rx: wsdeck_api::Outgoing,
    /// Notifications that arrived while waiting for a response.
    pub pending: VecDeque<Value>,
    /// Responses to other requests that arrived while waiting for one.
    pub others: Vec<Value>,
    pub next: u64,
}

impl Client {
    /// A caller with `endowment:network-access` when `granted`.
    pub fn new(api: &Api, origin: &str, granted: bool) -> Client {
        let permissions: &[&str] = if granted {
            &["endowment:network-access"]
        } else {
            &[]
        };
        Client::with_permissions(api, origin, permissions)
    }

    pub fn with_permissions(api: &Api, origin: &str, permissions: &[&str]) -> Client {
        let (conn, rx) = api.attach(Caller {
            origin: origin.into(),
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
        });
        Client {
            conn,
            rx,
            pending: VecDeque::new(),
            others: Vec::new(),
            next: 1,
        }
    }

    pub async fn recv(&mut self) -> Value {
        let text = tokio::time::timeout(WAIT, self.rx.recv())
            .await
            .expect("timed out waiting for output")
            .expect("channel closed");
        serde_json::from_str(&text).expect("output is JSON")
    }

    /// Sends a raw text and returns the next non-notification output.
    pub async fn raw(&mut self, text: &str) -> Value {
        self.conn.handle(text).await;
        loop {
            let v = self.recv().await;
            if v.get("method").is_some() {
                self.pending.push_back(v);
            } else {
                return v;
            }
        }
    }

    /// Calls `method` and returns the whole response.
    pub async fn call(&mut self, method: &str, params: Option<Value>) -> Value {
        let id = self.next;
        self.next += 1;
        let mut req = json!({"jsonrpc": "2.0", "id": id, "method": method});
        if let Some(p) = params {
            req["params"] = p;
        }
        self.conn.handle(&req.to_string()).await;
        loop {
            let v = self.recv().await;
            if v.get("method").is_some() {
                self.pending.push_back(v);
            } else if v["id"] == json!(id) {
                return v;
            } else {
                self.others.push(v);
            }
        }
    }

    pub async fn ok(&mut self, method: &str, params: Value) -> Value {
        let r = self.call(method, Some(params)).await;
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    pub async fn err(&mut self, method: &str, params: Value) -> Value {
        let r = self.call(method, Some(params.clone())).await;
        assert!(r.get("error").is_some(), "{method} {params} succeeded: {r}");
        r["error"].clone()
    }

    /// The next notification (of any method).
    pub async fn notification(&mut self) -> Value {
        loop {
            let v = match self.pending.pop_front() {
                Some(v) => v,
                None => self.recv().await,
            };
            if v.get("method").is_some() {
                return v;
            }
            self.others.push(v);
        }
    }
}

/// An echo server on 127.0.0.1 and an API on a fresh engine.
pub async fn setup() -> (EchoServer, Api) {
    let server = EchoServer::start(EchoConfig::default())
        .await
        .expect("echo server starts");
    (server, Api::new(Engine::new()))
}
