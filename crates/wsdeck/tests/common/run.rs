//! Running the wsdeck binary to its end under a guard, shared by the tests that spawn it:
//! stdout and stderr are drained on their own threads (a full pipe never blocks it), and a
//! process that outlives the guard is killed, so no test hangs.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Starts `command` with all three pipes and writes `input` to its stdin on a thread, then
/// closes it. The process may exit without reading stdin: a write error is not a failure.
/// Join the thread after [`finish`].
pub fn spawn_fed(mut command: Command, input: &[u8]) -> (Child, JoinHandle<()>) {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", command.get_program()));
    let mut pipe = child.stdin.take().expect("piped stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    (child, writer)
}

/// What a finished (or killed) process left.
#[derive(Debug)]
pub struct Finished {
    /// `None` when killed by the guard or by a signal.
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// It ended by itself before the guard.
    pub in_time: bool,
}

/// Waits for `child` (at most `guard`, then kills it) and collects what it printed on the
/// pipes it still has.
pub fn finish(mut child: Child, guard: Duration) -> Finished {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            buf
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + guard;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => panic!("waiting for wsdeck: {e}"),
        }
    };
    Finished {
        code: status.and_then(|s| s.code()),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        in_time: status.is_some(),
    }
}
