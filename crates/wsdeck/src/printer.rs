//! Turning session events into terminal output: plain lines for pipes, JSON lines for
//! programs, and annotated, coloured lines for people at a terminal.

use std::io::Write;
use std::sync::Arc;

use chrono::{DateTime, Local};
use serde_json::Value;
use wsdeck_engine::{Direction, Event, EventKind, Initiator, Payload};
use wsdeck_format::{Format, HexDump, Style as Layout, detect, render};

use crate::redact::Redactor;
use wsdeck_api::wire;
use wsdeck_api::wire::event::{JsonlEvent, JsonlMissed};

/// How events are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Received messages on stdout, one per line; connection news on stderr when verbose.
    Plain,
    /// One JSON object per event on stdout.
    Jsonl,
}

/// Where an event goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    Stdout,
    Stderr,
    Nowhere,
}

/// How message payloads are shown, and what is hidden.
#[derive(Debug, Clone)]
pub struct View {
    /// Beautify received JSON, XML and HTML (`--pretty`).
    pub pretty: bool,
    /// Show messages as hexdumps: offset, hex, ASCII (`--hexdump`).
    pub hexdump: bool,
    /// Secrets replaced by `****` in everything printed, except raw received data in plain
    /// pipe output (that is data for the next program, not a log).
    pub redactor: Redactor,
    /// Output goes to a terminal: received data is shown escaped (a server must not drive
    /// the terminal), never raw.
    pub terminal: bool,
    /// What follows each received message in raw pipe output: what `--split` cut stdin at
    /// (`\n` for lines, nothing for binary chunks, so `-b < file > copy` copies the file).
    pub separator: &'static [u8],
}

impl Default for View {
    fn default() -> Self {
        View {
            pretty: false,
            hexdump: false,
            redactor: Redactor::default(),
            terminal: false,
            separator: b"\n",
        }
    }
}

impl View {
    /// Whether received messages go out untouched (the pipe's hot path).
    fn is_raw(&self) -> bool {
        !self.pretty && !self.hexdump && !self.terminal
    }
}

/// Formats events in one style.
#[derive(Debug, Clone)]
pub struct Printer {
    pub style: Style,
    /// In plain style, report connection events on stderr.
    pub verbose: bool,
    pub view: Arc<View>,
}

impl Printer {
    /// The printer of `--jsonl` (one JSON object per event) or plain lines.
    pub fn new(jsonl: bool, verbose: bool, view: Arc<View>) -> Printer {
        Printer {
            style: if jsonl { Style::Jsonl } else { Style::Plain },
            verbose,
            view,
        }
    }

    /// Where this event goes in this style.
    pub fn sink(&self, event: &Event) -> Sink {
        if self.style == Style::Jsonl {
            return Sink::Stdout;
        }
        match &event.kind {
            EventKind::Message {
                direction: Direction::In,
                ..
            } => Sink::Stdout,
            EventKind::Message { .. } => Sink::Nowhere,
            // Errors, and retries after one: the repeated error lines are retries, say so.
            EventKind::Error(_) | EventKind::Reconnecting { .. } => Sink::Stderr,
            _ if self.verbose => Sink::Stderr,
            // An unusual close is worth a line even when not verbose.
            EventKind::Closed {
                code: Some(code),
                clean,
                ..
            } if !clean || *code != 1000 => Sink::Stderr,
            _ => Sink::Nowhere,
        }
    }

    /// Writes one JSON value; on a terminal, DEL and the C1 controls (U+009B is a CSI), which
    /// JSON leaves raw, are escaped too.
    fn write_json(
        &self,
        value: &impl serde::Serialize,
        out: &mut impl Write,
    ) -> std::io::Result<()> {
        if self.view.terminal {
            let mut terminal = TerminalJson::new(&mut *out);
            serde_json::to_writer(&mut terminal, value)?;
            terminal.finish()
        } else {
            serde_json::to_writer(&mut *out, value).map_err(std::io::Error::from)
        }
    }

    /// Writes the event in this style. A received message in plain style goes straight to
    /// `out`, without an intermediate buffer: that is the pipe's hot path.
    pub fn write(&self, event: &Event, out: &mut impl Write) -> std::io::Result<()> {
        let redactor = &self.view.redactor;
        if self.style == Style::Jsonl {
            if redactor.is_empty() {
                // Nothing to mask: the typed line goes straight out, no `Value` in between.
                self.write_json(&jsonl_line(event), out)?;
            } else {
                let redacted = redactor.redact_event(event);
                let mut v = to_json(redacted.as_ref().unwrap_or(event));
                redactor.redact_json(&mut v);
                self.write_json(&v, out)?;
            }
            return out.write_all(b"\n");
        }
        // Received data in raw pipe output is passed on as it is; every view is redacted.
        let redacted;
        let event = if redactor.is_empty() || (self.view.is_raw() && is_message_in(event)) {
            event
        } else {
            redacted = redactor.redact_event(event);
            redacted.as_ref().unwrap_or(event)
        };
        match &event.kind {
            EventKind::Message {
                direction: Direction::In,
                payload,
            } if self.view.is_raw() => {
                out.write_all(payload.as_bytes())?;
                out.write_all(self.view.separator)
            }
            EventKind::Message {
                direction: Direction::In,
                payload,
            } => {
                // A view for people (--pretty, --hexdump): secrets are hidden here too.
                let mut text = String::new();
                render_payload(payload, &self.view, "", &mut text);
                text.push('\n');
                out.write_all(redactor.redact(&text).as_bytes())
            }
            EventKind::Error(e) => {
                let line = format!("wsdeck: {}", escape_controls(&e.to_string()));
                writeln!(out, "{}", redactor.redact(&line))
            }
            _ => {
                let mut line = Vec::new();
                human(event, false, &self.view, &mut line);
                out.write_all(&line)
            }
        }
    }
}

/// A line for a person: `HH:MM:SS.mmm ← text` (more lines for a pretty or hexdump view),
/// with secrets redacted.
pub fn human(event: &Event, color: bool, view: &View, out: &mut Vec<u8>) {
    let start = out.len();
    let redacted = view.redactor.redact_event(event);
    human_unredacted(redacted.as_ref().unwrap_or(event), color, view, out);
    if !view.redactor.is_empty() {
        let text = String::from_utf8_lossy(&out[start..]).into_owned();
        let redacted = view.redactor.redact(&text).into_owned();
        out.truncate(start);
        out.extend_from_slice(redacted.as_bytes());
    }
}

fn human_unredacted(event: &Event, color: bool, view: &View, out: &mut Vec<u8>) {
    let time = DateTime::<Local>::from(event.time).format("%H:%M:%S%.3f");
    let c = |code: &'static str| if color { code } else { "" };
    let r = if color { "\x1b[0m" } else { "" };
    let dim = c("\x1b[2m");
    let _ = write!(out, "{dim}{time}{r} ");
    match &event.kind {
        EventKind::Message { direction, payload } => {
            let (arrow, col) = arrow(*direction, color);
            let _ = write!(out, "{col}{arrow}{r} ");
            match payload {
                _ if !view.is_raw() => {
                    let mut text = String::new();
                    render_payload(payload, view, "    ", &mut text);
                    out.extend_from_slice(text.as_bytes());
                }
                Payload::Text(t) => out.extend_from_slice(escape_controls(t).as_bytes()),
                Payload::Binary(b) => {
                    let _ = write!(
                        out,
                        "{}[binary {} bytes]{r} {}",
                        c("\x1b[35m"),
                        b.len(),
                        hex_preview(b)
                    );
                }
            }
        }
        EventKind::Ping { direction, payload } | EventKind::Pong { direction, payload } => {
            let kind = if matches!(event.kind, EventKind::Ping { .. }) {
                "ping"
            } else {
                "pong"
            };
            let (arrow, col) = arrow(*direction, color);
            let _ = write!(
                out,
                "{col}{arrow}{r} {}[{kind}]{r} {}",
                c("\x1b[36m"),
                escape_controls(&String::from_utf8_lossy(payload))
            );
        }
        EventKind::Connecting { url, attempt } => {
            let _ = write!(out, "{}connecting to {url}", c("\x1b[33m"));
            if *attempt > 0 {
                out.extend_from_slice(b" again");
            }
            out.extend_from_slice(r.as_bytes());
        }
        EventKind::Redirect {
            status,
            to,
            dropped_headers,
            ..
        } => {
            let _ = write!(out, "{}redirected ({status}) to {to}", c("\x1b[33m"));
            if !dropped_headers.is_empty() {
                let _ = write!(
                    out,
                    ", not forwarding {} to the new host",
                    dropped_headers.join(", ")
                );
            }
            out.extend_from_slice(r.as_bytes());
        }
        EventKind::Open(info) => {
            let _ = write!(out, "{}connected to {}{}", c("\x1b[32m"), info.url, r);
            if let Some(p) = &info.protocol {
                let _ = write!(out, " (subprotocol {p})");
            }
            let _ = write!(out, " in {} ms", info.timings.total.as_millis());
        }
        EventKind::Closing {
            direction,
            code,
            reason,
        } => {
            let who = if *direction == Direction::Out {
                "sent"
            } else {
                "received"
            };
            let _ = write!(
                out,
                "{}close {who}: {}{}{r}",
                c("\x1b[33m"),
                code_text(*code, *direction == Direction::In),
                reason_text(reason)
            );
        }
        EventKind::Closed {
            code,
            reason,
            clean,
            initiator,
        } => {
            let by = if *initiator == Initiator::Local {
                "by us"
            } else {
                "by the server"
            };
            let how = if *clean {
                "cleanly"
            } else {
                "without a closing handshake"
            };
            let col = if *clean { c("\x1b[32m") } else { c("\x1b[31m") };
            if code.is_none() && !clean {
                // No close frame either way: a failed attempt or a dropped connection, which
                // nobody "closed" (the error before this line says what happened).
                let _ = write!(
                    out,
                    "{col}connection ended without a closing handshake (1006){r}"
                );
            } else if !clean && *initiator == Initiator::Local {
                // We sent a close frame and the server never answered it: the code is ours,
                // not an outcome ("1000 Normal Closure" would read like success).
                let _ = write!(
                    out,
                    "{col}we sent close {}{} but the server never answered it: no closing handshake{r}",
                    code_text(*code, true),
                    reason_text(reason)
                );
            } else {
                let _ = write!(
                    out,
                    "{col}disconnected {how}, {by}: {}{}{r}",
                    code_text(*code, *clean),
                    reason_text(reason)
                );
            }
        }
        EventKind::Error(e) => {
            let _ = write!(
                out,
                "{}error: {}{r}",
                c("\x1b[31m"),
                escape_controls(&e.to_string())
            );
        }
        EventKind::Reconnecting {
            attempt,
            of,
            delay_ms,
        } => {
            let _ = write!(
                out,
                "{}reconnecting in {delay_ms} ms (attempt {attempt} of {of}){r}",
                c("\x1b[33m")
            );
        }
    }
    out.push(b'\n');
}

/// A message for `--pretty` / `--hexdump`: a hexdump (after a `[text|binary N bytes]` line),
/// or received JSON, XML or HTML beautified; anything else as one escaped line. Lines after
/// the first start with `indent`.
fn render_payload(payload: &Payload, view: &View, indent: &str, out: &mut String) {
    let bytes = payload.as_bytes();
    let kind = if matches!(payload, Payload::Text(_)) {
        "text"
    } else {
        "binary"
    };
    if view.hexdump {
        let _ = std::fmt::Write::write_fmt(out, format_args!("[{kind} {} bytes]", bytes.len()));
        for line in HexDump::new(bytes).lines() {
            out.push('\n');
            out.push_str(indent);
            line.write_into(out);
        }
        return;
    }
    let detected = detect(bytes);
    let pretty = match (payload, detected.format) {
        _ if !view.pretty => None,
        (Payload::Text(_), Format::Json | Format::Xml | Format::Html) => {
            render(bytes, detected.format, &Layout::default()).ok()
        }
        _ => None,
    };
    match (pretty, payload) {
        (Some(pretty), _) => {
            for (i, line) in pretty.lines().enumerate() {
                if i > 0 {
                    out.push('\n');
                    out.push_str(indent);
                }
                out.push_str(&escape_controls(line));
            }
        }
        (None, Payload::Text(t)) => out.push_str(&escape_controls(t)),
        (None, Payload::Binary(b)) => {
            let _ = std::fmt::Write::write_fmt(
                out,
                format_args!("[binary {} bytes] {}", b.len(), hex_preview(b)),
            );
        }
    }
}

fn is_message_in(event: &Event) -> bool {
    matches!(
        event.kind,
        EventKind::Message {
            direction: Direction::In,
            ..
        }
    )
}

fn arrow(direction: Direction, color: bool) -> (&'static str, &'static str) {
    match (direction, color) {
        (Direction::In, true) => ("←", "\x1b[1;34m"),
        (Direction::Out, true) => ("→", "\x1b[1;32m"),
        (Direction::In, false) => ("<", ""),
        (Direction::Out, false) => (">", ""),
    }
}

/// `frame_seen`: a close frame arrived (without a code it is 1005, else no frame: 1006).
fn code_text(code: Option<u16>, frame_seen: bool) -> String {
    match code {
        Some(c) => format!("{c} {}", close_code_name(c)),
        None if frame_seen => "no status code (1005)".into(),
        None => "no close frame (1006)".into(),
    }
}

fn reason_text(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(" \"{}\"", escape_controls(reason))
    }
}

/// Text from the network, made safe for a terminal: control characters (escape sequences
/// could retitle the window, clear the screen or write the clipboard) are shown escaped.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{1b}' => out.push_str("\\e"),
            c if c.is_control() => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A writer of JSON text for a terminal: DEL and the C1 controls (in UTF-8, `C2 80`–`C2 9F`),
/// which JSON leaves raw inside strings, go out as `\u` escapes. Streaming: a `C2` at the end
/// of one write waits for the next byte.
#[derive(Debug)]
pub struct TerminalJson<W: Write> {
    inner: W,
    pending_c2: bool,
}

impl<W: Write> TerminalJson<W> {
    pub fn new(inner: W) -> Self {
        TerminalJson {
            inner,
            pending_c2: false,
        }
    }
}

impl<W: Write> Write for TerminalJson<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut start = 0;
        let mut i = 0;
        if self.pending_c2 && !buf.is_empty() {
            self.pending_c2 = false;
            if (0x80..=0x9f).contains(&buf[0]) {
                write!(self.inner, "\\u{:04x}", buf[0])?;
                start = 1;
            } else {
                self.inner.write_all(&[0xc2])?;
            }
            i = start;
        }
        while i < buf.len() {
            let escape = match buf[i] {
                0x7f => Some((0x7f, 1)),
                0xc2 if i + 1 == buf.len() => {
                    self.inner.write_all(&buf[start..i])?;
                    self.pending_c2 = true;
                    return Ok(buf.len());
                }
                0xc2 if (0x80..=0x9f).contains(&buf[i + 1]) => Some((buf[i + 1], 2)),
                _ => None,
            };
            match escape {
                Some((code, len)) => {
                    self.inner.write_all(&buf[start..i])?;
                    write!(self.inner, "\\u{code:04x}")?;
                    i += len;
                    start = i;
                }
                None => i += 1,
            }
        }
        self.inner.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.finish()?;
        self.inner.flush()
    }
}

impl<W: Write> TerminalJson<W> {
    /// Writes a `C2` still held back (only a truncated text ends with one), without
    /// flushing the inner writer.
    pub fn finish(&mut self) -> std::io::Result<()> {
        if std::mem::take(&mut self.pending_c2) {
            self.inner.write_all(&[0xc2])?;
        }
        Ok(())
    }
}

/// RFC 6455 §7.4.1 names.
pub fn close_code_name(code: u16) -> &'static str {
    match code {
        1000 => "Normal Closure",
        1001 => "Going Away",
        1002 => "Protocol Error",
        1003 => "Unsupported Data",
        1005 => "No Status Received",
        1006 => "Abnormal Closure",
        1007 => "Invalid Payload Data",
        1008 => "Policy Violation",
        1009 => "Message Too Big",
        1010 => "Mandatory Extension",
        1011 => "Internal Error",
        1012 => "Service Restart",
        1013 => "Try Again Later",
        1014 => "Bad Gateway",
        1015 => "TLS Handshake",
        3000..=3999 => "(registered)",
        4000..=4999 => "(application)",
        _ => "",
    }
}

fn hex_preview(b: &[u8]) -> String {
    const MAX: usize = 32;
    let mut s = hex::encode(&b[..b.len().min(MAX)]);
    if b.len() > MAX {
        s.push('…');
    }
    s
}

/// The `--jsonl` line of an event: the API's event shape with the version of the shape
/// (`wsdeck_api::wire::event::JsonlEvent`), the lines `wsdeck history export` writes too.
pub fn to_json(event: &Event) -> Value {
    serde_json::to_value(jsonl_line(event)).unwrap_or_default()
}

/// The typed `--jsonl` line of an event.
fn jsonl_line(event: &Event) -> JsonlEvent {
    JsonlEvent::from(wire::event::Event::of(event, None))
}

/// The `--jsonl` line for events a slow reader missed.
pub fn missed_json(count: u64) -> Value {
    serde_json::to_value(JsonlMissed::new(count)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_for_a_terminal_escapes_del_and_c1_controls_and_stays_json() {
        let json = serde_json::to_string(&serde_json::json!({"m": "a\u{9b}2Jb\u{7f}\u{1b}"}))
            .unwrap_or_default();
        let mut escaped = TerminalJson::new(Vec::new());
        escaped
            .write_all(json.as_bytes())
            .and_then(|()| escaped.finish())
            .unwrap_or_else(|e| panic!("{e}"));
        let escaped = String::from_utf8(escaped.inner).unwrap_or_default();
        assert!(!escaped.chars().any(char::is_control), "{escaped}");
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap_or_default();
        assert_eq!(back["m"], "a\u{9b}2Jb\u{7f}\u{1b}");
    }

    #[test]
    fn terminal_json_escapes_c1_across_writes_and_keeps_the_rest() {
        let text = serde_json::to_string(&serde_json::json!({"m": "é\u{9b}x\u{7f}ü\u{85}"}))
            .unwrap_or_default();
        for split in 0..text.len() {
            let mut out = TerminalJson::new(Vec::new());
            let (a, b) = text.as_bytes().split_at(split);
            out.write_all(a)
                .and_then(|()| out.write_all(b))
                .and_then(|()| out.flush())
                .unwrap_or_else(|e| panic!("{e}"));
            let written = String::from_utf8(out.inner).unwrap_or_default();
            assert!(!written.chars().any(char::is_control), "{written}");
            let back: serde_json::Value = serde_json::from_str(&written).unwrap_or_default();
            assert_eq!(back["m"], "é\u{9b}x\u{7f}ü\u{85}", "split at {split}");
        }
    }

    #[test]
    fn control_characters_from_the_network_are_escaped() {
        assert_eq!(escape_controls("plain text"), "plain text");
        assert_eq!(
            escape_controls("a\u{1b}]2;TITLE\u{7}b\nc\u{9b}"),
            "a\\e]2;TITLE\\u{7}b\\nc\\u{9b}"
        );
    }

    #[test]
    fn close_codes_tell_an_empty_close_frame_from_none() {
        assert_eq!(code_text(None, true), "no status code (1005)");
        assert_eq!(code_text(None, false), "no close frame (1006)");
    }
}
