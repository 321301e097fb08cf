//! HAR 1.2 export (Chrome's `_webSocketMessages`) and import. The JSON lines export is the
//! API's (`wsdeck_api::export_jsonl`): it writes the wire event shape, which the api crate owns.

use std::borrow::Cow;
use std::io::{Read, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::DateTime;
use rusqlite::params;
use serde_json::{Value, json};

use crate::error::{HistoryError, Result};
use crate::query::{EVENT_QUERY, Format, StoredEvent, event_of};
use crate::row::{Row, mask_value};
use crate::{History, SessionRecordId};

/// Events read per query while exporting.
const PAGE: usize = 2000;

fn data_of(format: Option<Format>, payload: &[u8]) -> String {
    match (format, std::str::from_utf8(payload)) {
        (Some(Format::Text), Ok(s)) => s.to_owned(),
        _ => B64.encode(payload),
    }
}

fn har_headers(head: &Value) -> Vec<Value> {
    head["headers"]
        .as_array()
        .map(|hs| {
            hs.iter()
                .map(|h| json!({"name": h[0], "value": h[1]}))
                .collect()
        })
        .unwrap_or_default()
}

fn http_version(request_line: &str, response_line: &str) -> String {
    request_line
        .rsplit(' ')
        .next()
        .filter(|v| v.starts_with("HTTP/"))
        .or_else(|| {
            response_line
                .split(' ')
                .next()
                .filter(|v| v.starts_with("HTTP/"))
        })
        .unwrap_or("HTTP/1.1")
        .to_owned()
}

fn query_string(url: &str) -> Vec<Value> {
    let Some((_, q)) = url.split_once('?') else {
        return Vec::new();
    };
    let q = q.split('#').next().unwrap_or("");
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            json!({"name": n, "value": v})
        })
        .collect()
}

/// One HAR entry for one connection of a session.
fn har_entry(open: &StoredEvent, messages: Vec<Value>) -> Value {
    let h = open.detail.clone().unwrap_or(Value::Null);
    let req_line = h["request"]["startLine"].as_str().unwrap_or("");
    let resp_line = h["response"]["startLine"].as_str().unwrap_or("");
    let version = http_version(req_line, resp_line);
    let mut status_parts = resp_line.splitn(3, ' ').skip(1);
    let status = status_parts
        .next()
        .and_then(|s| s.parse::<u16>().ok())
        .unwrap_or(101);
    let status_text = status_parts.next().unwrap_or("Switching Protocols");
    let t = &h["timings"];
    let f = |k: &str| t[k].as_f64().unwrap_or(0.0);
    let total = f("totalMs");
    let url = h["url"].as_str().unwrap_or("");
    let mut entry = json!({
        "startedDateTime": wsdeck_wire::event::rfc3339_ms(open.time_ms - total.round() as i64),
        "time": total,
        "request": {
            "method": "GET",
            "url": url,
            "httpVersion": version,
            "headers": har_headers(&h["request"]),
            "queryString": query_string(url),
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": status,
            "statusText": status_text,
            "httpVersion": version,
            "headers": har_headers(&h["response"]),
            "cookies": [],
            "content": {"size": 0, "mimeType": ""},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": 0,
        },
        "cache": {},
        "timings": {
            "blocked": -1,
            "dns": f("dnsMs"),
            "connect": f("connectMs") + f("tlsMs"),
            "ssl": if f("tlsMs") > 0.0 { f("tlsMs") } else { -1.0 },
            "send": 0,
            "wait": f("upgradeMs"),
            "receive": 0,
        },
        "_resourceType": "websocket",
        "_webSocketMessages": messages,
    });
    if let Some(addr) = h["remoteAddr"].as_str()
        && let Some((ip, _)) = addr.rsplit_once(':')
    {
        entry["serverIPAddress"] = json!(ip.trim_matches(['[', ']']));
    }
    entry
}

impl History {
    fn for_each_event(
        &self,
        id: SessionRecordId,
        mut f: impl FnMut(StoredEvent) -> Result<()>,
    ) -> Result<()> {
        let mut from = 0i64;
        loop {
            let page: Vec<StoredEvent> = {
                let conn = self.read_conn();
                let mut stmt = conn
                    .prepare_cached(EVENT_QUERY)
                    .map_err(self.sql("exporting"))?;
                stmt.query_map(params![id, from, PAGE as i64], event_of)
                    .and_then(|rows| rows.collect())
                    .map_err(self.sql("exporting"))?
            };
            let n = page.len();
            for e in page {
                from = e.seq as i64 + 1;
                f(e)?;
            }
            if n < PAGE {
                return Ok(());
            }
        }
    }

    /// Writes sessions as a HAR 1.2 log: one entry per connection (each `open`), with its
    /// messages in Chrome's `_webSocketMessages`. Sessions that never opened have no entry.
    pub fn export_har(&self, ids: &[SessionRecordId], writer: &mut dyn Write) -> Result<()> {
        let mut entries = Vec::new();
        for &id in ids {
            self.session(id)?;
            let mut current: Option<(StoredEvent, Vec<Value>)> = None;
            self.for_each_event(id, |e| {
                match e.kind.as_str() {
                    "open" => {
                        if let Some((open, msgs)) = current.take() {
                            entries.push(har_entry(&open, msgs));
                        }
                        current = Some((e, Vec::new()));
                    }
                    "message" => {
                        if let Some((_, msgs)) = current.as_mut() {
                            msgs.push(json!({
                                "type": if e.direction == Some(wsdeck_engine::Direction::Out) { "send" } else { "receive" },
                                "time": e.time_ms as f64 / 1000.0,
                                "opcode": if e.format == Some(Format::Text) { 1 } else { 2 },
                                "data": data_of(e.format, &e.payload),
                            }));
                        }
                    }
                    _ => {}
                }
                Ok(())
            })?;
            if let Some((open, msgs)) = current.take() {
                entries.push(har_entry(&open, msgs));
            }
        }
        let har = json!({
            "log": {
                "version": "1.2",
                "creator": {"name": "wsdeck", "version": env!("CARGO_PKG_VERSION")},
                "pages": [],
                "entries": entries,
            }
        });
        serde_json::to_writer_pretty(&mut *writer, &har)
            .map_err(|e| HistoryError::Write(std::io::Error::other(e)))?;
        writer.write_all(b"\n").map_err(HistoryError::Write)?;
        writer.flush().map_err(HistoryError::Write)
    }

    /// Imports the WebSocket entries (those with `_webSocketMessages`) of a HAR file, one
    /// session each; returns their ids. Nothing is imported if any entry is malformed.
    pub fn import_har(&self, reader: &mut dyn Read) -> Result<Vec<SessionRecordId>> {
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .map_err(HistoryError::ReadHar)?;
        let har: Value =
            serde_json::from_str(&text).map_err(|e| HistoryError::NotHar(e.to_string()))?;
        let entries = har["log"]["entries"]
            .as_array()
            .ok_or_else(|| HistoryError::NotHar("there is no log.entries array".into()))?;
        let mut parsed = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            if entry.get("_webSocketMessages").is_none() {
                continue;
            }
            parsed.push(parse_entry(index, entry)?);
        }
        let mut conn = self.write_conn();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(self.sql("importing"))?;
        let mut ids = Vec::new();
        for s in parsed {
            tx.execute(
                "INSERT INTO sessions (started_at, ended_at, url, request) VALUES (?1, ?2, ?3, ?4)",
                params![s.started_ms, s.ended_ms, s.url, s.request.to_string()],
            )
            .map_err(self.sql("importing"))?;
            let id = tx.last_insert_rowid();
            crate::writer::insert_rows(&tx, id, s.rows).map_err(self.sql("importing"))?;
            ids.push(id);
        }
        tx.commit().map_err(self.sql("importing"))?;
        Ok(ids)
    }
}

struct Imported {
    started_ms: i64,
    ended_ms: i64,
    url: String,
    request: Value,
    rows: Vec<Row<'static>>,
}

fn bad(index: usize, field: &str, problem: &str) -> HistoryError {
    HistoryError::HarEntry {
        index,
        field: field.to_owned(),
        problem: problem.to_owned(),
    }
}

fn har_head(index: usize, field: &str, v: &Value, start_line: String) -> Result<Value> {
    let headers = match v.get("headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(hs)) => hs
            .iter()
            .enumerate()
            .map(|(i, h)| match (h["name"].as_str(), h["value"].as_str()) {
                (Some(n), Some(v)) => Ok(json!([n, v])),
                _ => Err(bad(
                    index,
                    &format!("{field}.headers[{i}]"),
                    "needs string name and value",
                )),
            })
            .collect::<Result<_>>()?,
        Some(_) => return Err(bad(index, &format!("{field}.headers"), "is not an array")),
    };
    Ok(json!({"startLine": start_line, "headers": headers}))
}

fn header<'v>(head: &'v Value, name: &str) -> Option<&'v str> {
    head["headers"].as_array()?.iter().find_map(|h| {
        h[0].as_str()
            .filter(|n| n.eq_ignore_ascii_case(name))
            .and(h[1].as_str())
    })
}

fn parse_entry(index: usize, entry: &Value) -> Result<Imported> {
    let url = entry["request"]["url"]
        .as_str()
        .ok_or_else(|| bad(index, "request.url", "is missing or not a string"))?
        .to_owned();
    let started = entry["startedDateTime"]
        .as_str()
        .ok_or_else(|| bad(index, "startedDateTime", "is missing or not a string"))?;
    let started_ms = DateTime::parse_from_rfc3339(started)
        .map_err(|e| {
            bad(
                index,
                "startedDateTime",
                &format!("is not an RFC 3339 date ({e})"),
            )
        })?
        .timestamp_millis();
    let version = entry["request"]["httpVersion"]
        .as_str()
        .unwrap_or("HTTP/1.1");
    let path = url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("/");
    let mut request = har_head(
        index,
        "request",
        &entry["request"],
        format!("GET {path} {version}"),
    )?;
    let status = entry["response"]["status"].as_u64().unwrap_or(101);
    let status_text = entry["response"]["statusText"].as_str().unwrap_or("");
    let response_version = entry["response"]["httpVersion"].as_str().unwrap_or(version);
    let mut response = har_head(
        index,
        "response",
        &entry["response"],
        format!("{response_version} {status} {status_text}")
            .trim_end()
            .to_owned(),
    )?;
    mask_value(&mut request, &[]);
    mask_value(&mut response, &[]);
    let timing = |k: &str| {
        entry["timings"][k]
            .as_f64()
            .filter(|v| *v > 0.0)
            .unwrap_or(0.0)
    };
    let ssl = timing("ssl");
    let handshake = json!({
        "url": url,
        "remoteAddr": entry["serverIPAddress"],
        "protocol": header(&response, "sec-websocket-protocol"),
        "extensions": header(&response, "sec-websocket-extensions")
            .map(|e| e.split(',').map(|s| s.trim().to_owned()).collect::<Vec<_>>())
            .unwrap_or_default(),
        "request": request,
        "response": response,
        "tls": Value::Null,
        "timings": {
            "dnsMs": timing("dns"),
            "connectMs": (timing("connect") - ssl).max(0.0),
            "tlsMs": ssl,
            "upgradeMs": timing("wait"),
            "totalMs": entry["time"].as_f64().unwrap_or(0.0).max(0.0),
        },
    });
    let total_ms = handshake["timings"]["totalMs"].as_f64().unwrap_or(0.0);
    let open_ms = started_ms + total_ms.round() as i64;
    let mut rows = vec![Row {
        seq: 0,
        time_ms: open_ms,
        mono_us: (total_ms * 1000.0) as i64,
        kind: "open",
        direction: None,
        format: None,
        size: 0,
        payload: None,
        detail: Some(handshake),
    }];
    let messages = entry["_webSocketMessages"]
        .as_array()
        .ok_or_else(|| bad(index, "_webSocketMessages", "is not an array"))?;
    let mut ended_ms = open_ms;
    for (i, m) in messages.iter().enumerate() {
        let field = |f: &str| format!("_webSocketMessages[{i}].{f}");
        let direction = match m["type"].as_str() {
            Some("send") => "out",
            Some("receive") => "in",
            _ => return Err(bad(index, &field("type"), "is not \"send\" or \"receive\"")),
        };
        let time = m["time"]
            .as_f64()
            .ok_or_else(|| bad(index, &field("time"), "is missing or not a number"))?;
        let opcode = m["opcode"]
            .as_u64()
            .ok_or_else(|| bad(index, &field("opcode"), "is missing or not a number"))?;
        let data = m["data"]
            .as_str()
            .ok_or_else(|| bad(index, &field("data"), "is missing or not a string"))?;
        let (format, payload) = match opcode {
            1 => ("text", data.as_bytes().to_vec()),
            2 => (
                "binary",
                B64.decode(data)
                    .map_err(|e| bad(index, &field("data"), &format!("is not base64 ({e})")))?,
            ),
            // Chrome lists only data frames; anything else is not a message.
            _ => continue,
        };
        let time_ms = (time * 1000.0).round() as i64;
        ended_ms = ended_ms.max(time_ms);
        rows.push(Row {
            seq: rows.len() as u64,
            time_ms,
            mono_us: (time_ms - started_ms) * 1000,
            kind: "message",
            direction: Some(direction),
            format: Some(format),
            size: payload.len() as u64,
            payload: Some(Cow::Owned(payload)),
            detail: None,
        });
    }
    let request_json = json!({
        "url": url,
        "headers": rows[0].detail.as_ref().map(|h| h["request"]["headers"].clone()),
        "importedFrom": "har",
    });
    Ok(Imported {
        started_ms,
        ended_ms,
        url,
        request: request_json,
        rows,
    })
}
