//! Process helpers: fd limit, server child processes, CPU time and resident memory.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use nix::sys::resource::{Resource, UsageWho, getrlimit, getrusage, setrlimit};

/// Raises the soft open-files limit to the hard limit; returns the soft limit in force.
pub fn raise_nofile_limit() -> u64 {
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) => {
            if soft < hard && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
                hard
            } else {
                soft
            }
        }
        Err(_) => 1024,
    }
}

/// A `wsdeck-bench server` or `tcp-server` child. It exits when its stdin closes (so it
/// never outlives this process) and is killed on drop.
#[derive(Debug)]
pub struct ServerChild {
    child: Child,
    /// Held open: the child exits when it reaches EOF.
    _stdin: Option<ChildStdin>,
    pub port: u16,
}

impl ServerChild {
    /// Starts `current_exe() <subcommand> --port 0` and waits for `LISTENING <port>`.
    pub fn spawn(subcommand: &str) -> Result<Self> {
        let exe = std::env::current_exe().context("locating wsdeck-bench itself")?;
        let mut child = Command::new(exe)
            .args([subcommand, "--port", "0"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting wsdeck-bench {subcommand}"))?;
        let stdin = child.stdin.take();
        let Some(stdout) = child.stdout.take() else {
            bail!("no stdout from the {subcommand} child");
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                bail!("the {subcommand} child did not print LISTENING within 10 s");
            }
        };
        let port = line
            .trim()
            .strip_prefix("LISTENING ")
            .and_then(|p| p.parse::<u16>().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            bail!("unexpected first line from the {subcommand} child: {line:?}");
        };
        Ok(ServerChild {
            child,
            _stdin: stdin,
            port,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// CPU seconds (user + system) the child has used so far.
    pub fn cpu_seconds(&self) -> f64 {
        proc_cpu_seconds(&format!("/proc/{}/stat", self.pid())).unwrap_or(0.0)
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU seconds (user + system) of this process so far.
pub fn self_cpu_seconds() -> f64 {
    usage_seconds(UsageWho::RUSAGE_SELF)
}

/// CPU seconds of all waited-for children so far.
pub fn children_cpu_seconds() -> f64 {
    usage_seconds(UsageWho::RUSAGE_CHILDREN)
}

fn usage_seconds(who: UsageWho) -> f64 {
    match getrusage(who) {
        Ok(u) => {
            let t = |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 / 1e6;
            t(u.user_time()) + t(u.system_time())
        }
        Err(_) => 0.0,
    }
}

/// utime + stime from a `/proc/PID/stat` file, in seconds (USER_HZ is 100 on Linux).
pub fn proc_cpu_seconds(path: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(path).ok()?;
    // The command name is in parentheses and may contain spaces: split after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of stat(5); `rest` starts at field 3.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Busy CPU seconds of the whole machine so far (all processes, all cores), from /proc/stat.
pub fn machine_busy_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = stat.lines().find(|l| l.starts_with("cpu ")) else {
        return 0.0;
    };
    let v: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal: everything but idle and iowait.
    let busy: f64 = [0, 1, 2, 5, 6, 7].iter().filter_map(|&i| v.get(i)).sum();
    busy / 100.0
}

/// This process's resident set size in bytes (VmRSS in /proc/self/status).
pub fn vm_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// The peak resident set (VmHWM) of process `pid` so far, in bytes; 0 once it is gone.
pub fn peak_rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Median of a non-empty list (the lower middle for even lengths).
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.get((v.len().max(1) - 1) / 2).copied().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_three_and_two() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0]), 1.0);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn own_rss_and_cpu_are_readable() {
        assert!(vm_rss_bytes() > 0);
        let me = format!("/proc/{}/stat", std::process::id());
        assert!(proc_cpu_seconds(&me).is_some());
        assert!(machine_busy_seconds() > 0.0);
    }
}
