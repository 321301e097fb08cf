//! Result rows: printed as a table, written as JSON.

use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// What a measurement cost: CPU seconds per side and wall-clock seconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cost {
    pub client: f64,
    pub server: f64,
    /// Everything else on the machine.
    pub other: f64,
    pub wall: f64,
}

/// One measured figure.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    /// Stable key, e.g. `engine.pingpong`.
    pub key: String,
    /// What was measured, for people.
    pub name: String,
    pub value: f64,
    pub unit: String,
    /// The DESIGN.md §5 target, in words (empty when there is none).
    pub target: String,
    /// Whether the target is met (`None`: no target, or not comparable on its own).
    pub meets_target: Option<bool>,
    /// The baseline measured in the same run, in words.
    pub baseline: String,
    /// CPU seconds used by the measuring side (engine process, or the CLI tool).
    pub client_cpu_s: f64,
    /// CPU seconds used by the server child.
    pub server_cpu_s: f64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// CPU seconds used by everything else on the machine meanwhile (noise: should be ~0).
    pub other_cpu_s: f64,
    /// Individual runs when the value is a median.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<f64>,
    pub note: String,
}

impl Row {
    pub fn new(key: &str, name: &str, value: f64, unit: &str) -> Self {
        Row {
            key: key.into(),
            name: name.into(),
            value,
            unit: unit.into(),
            target: String::new(),
            meets_target: None,
            baseline: String::new(),
            client_cpu_s: 0.0,
            server_cpu_s: 0.0,
            seconds: 0.0,
            other_cpu_s: 0.0,
            runs: Vec::new(),
            note: String::new(),
        }
    }

    pub fn target(mut self, text: impl Into<String>, met: Option<bool>) -> Self {
        self.target = text.into();
        self.meets_target = met;
        self
    }

    pub fn baseline(mut self, text: impl Into<String>) -> Self {
        self.baseline = text.into();
        self
    }

    pub fn note(mut self, text: impl Into<String>) -> Self {
        self.note = text.into();
        self
    }

    pub fn cpu(mut self, client: f64, server: f64, seconds: f64) -> Self {
        self.client_cpu_s = client;
        self.server_cpu_s = server;
        self.seconds = seconds;
        self
    }

    pub fn other(mut self, other_cpu_s: f64) -> Self {
        self.other_cpu_s = other_cpu_s;
        self
    }

    pub fn cost(self, c: &Cost) -> Self {
        self.cpu(c.client, c.server, c.wall).other(c.other)
    }
}

/// A whole report: machine facts and rows.
#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    pub suite: String,
    pub date_unix: u64,
    pub cores: usize,
    pub kernel: String,
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn new(suite: &str) -> Self {
        Report {
            suite: suite.into(),
            date_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .unwrap_or_default()
                .trim()
                .to_owned(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds a row and prints it at once, so a long run shows progress.
    pub fn push(&mut self, row: Row) {
        eprintln!(
            "  {:<44} {:>14} {:<8} {}",
            row.name,
            fmt_value(row.value),
            row.unit,
            row.note
        );
        self.rows.push(row);
    }

    pub fn write_json(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))
    }

    /// A Markdown table of every row.
    pub fn table(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "\n### wsdeck-bench {} ({} cores, Linux {})\n\n",
            self.suite, self.cores, self.kernel
        ));
        out.push_str(
            "| measurement | result | target (DESIGN.md §5) | met | baseline / reference (same run) | client CPU s | server CPU s | other CPU s | wall s | note |\n",
        );
        out.push_str("|---|---:|---|:-:|---|---:|---:|---:|---:|---|\n");
        for r in &self.rows {
            let met = match r.meets_target {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "",
            };
            out.push_str(&format!(
                "| {} | {} {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {} |\n",
                r.name,
                fmt_value(r.value),
                r.unit,
                r.target,
                met,
                r.baseline,
                r.client_cpu_s,
                r.server_cpu_s,
                r.other_cpu_s.max(0.0),
                r.seconds,
                r.note.replace('|', "/").replace('\n', " ")
            ));
        }
        out.push_str(
            "\n- other CPU s: CPU used meanwhile by everything else on the machine (from /proc/stat); \
             well above 0.1 means the figure was disturbed.",
        );
        for n in &self.notes {
            out.push_str(&format!("\n- {n}"));
        }
        out.push('\n');
        out
    }
}

/// Three significant-ish digits with thousands separators.
pub fn fmt_value(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    if v.abs() >= 100.0 {
        let n = v.round() as i64;
        let s = n.abs().to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_readable() {
        assert_eq!(fmt_value(1_234_567.4), "1,234,567");
        assert_eq!(fmt_value(512.0), "512");
        assert_eq!(fmt_value(12.345), "12.3");
        assert_eq!(fmt_value(1.234), "1.23");
        assert_eq!(fmt_value(f64::NAN), "n/a");
    }
}
