//! The session log is the engine's hot path: the socket reader appends one event per frame
//! and every front end reads in batches (the CLI and the UI in batches of 4096).
//!
//! `cargo bench -p wsdeck-engine --bench session_log`

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use wsdeck_engine::{ByteString, Direction, EventKind, Payload, Retention, SessionLog};

/// Events per measured iteration.
const N: usize = 100_000;
/// The front ends' read batch.
const BATCH: usize = 4096;

fn message(payload: &Payload) -> EventKind {
    EventKind::Message {
        direction: Direction::In,
        payload: payload.clone(),
    }
}

fn small() -> Payload {
    Payload::text(ByteString::from("x".repeat(32)))
}

fn filled(n: usize, retention: Retention) -> SessionLog {
    let log = SessionLog::new(retention, Instant::now());
    let payload = small();
    for _ in 0..n {
        log.append(message(&payload));
    }
    log
}

fn append(c: &mut Criterion) {
    let mut g = c.benchmark_group("session_log/append");
    g.throughput(Throughput::Elements(N as u64));
    let payload = small();
    g.bench_function("32B into an empty log", |b| {
        b.iter_batched(
            || SessionLog::new(Retention::default(), Instant::now()),
            |log| {
                for _ in 0..N {
                    black_box(log.append(message(&payload)));
                }
                log
            },
            BatchSize::PerIteration,
        );
    });
    // At the retention limit every append also evicts the oldest event.
    let retention = Retention {
        max_events: N,
        max_bytes: usize::MAX,
    };
    let log = filled(N, retention);
    g.bench_function("32B at the retention limit (evicting)", |b| {
        b.iter(|| {
            for _ in 0..N {
                black_box(log.append(message(&payload)));
            }
        });
    });
    g.finish();
}

fn read(c: &mut Criterion) {
    let mut g = c.benchmark_group("session_log/read");
    let total = 1_000_000;
    let log = filled(total, Retention::default());
    let mut out = Vec::with_capacity(BATCH);
    g.throughput(Throughput::Elements(total as u64));
    g.bench_function("1M events in batches of 4096", |b| {
        b.iter(|| {
            let mut seq = 0;
            let mut n = 0;
            loop {
                out.clear();
                let r = log.read(seq, BATCH, &mut out);
                n += out.len();
                if r.next_seq == seq {
                    break;
                }
                seq = r.next_seq;
            }
            black_box(n)
        });
    });
    g.finish();
}

/// One thread appends (the socket reader) while another follows with `next_batch` (a front
/// end), the way a receive burst runs: lock contention and wake-ups included.
fn append_while_reading(c: &mut Criterion) {
    let mut g = c.benchmark_group("session_log/append+read");
    g.throughput(Throughput::Elements(N as u64));
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("32B, 1 appender + 1 reader (batches of 4096)", |b| {
        b.iter_custom(|iters| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let log = Arc::new(SessionLog::new(Retention::default(), Instant::now()));
                let start = Instant::now();
                let writer = {
                    let log = log.clone();
                    std::thread::spawn(move || {
                        let payload = small();
                        for _ in 0..N {
                            log.append(message(&payload));
                        }
                        log.finish();
                    })
                };
                let read = rt.block_on(async {
                    let mut out = Vec::with_capacity(BATCH);
                    let (mut seq, mut n) = (0, 0);
                    // Bounded: the writer appends N events, then finishes the log.
                    loop {
                        out.clear();
                        let r = log.next_batch(seq, BATCH, &mut out).await;
                        n += out.len();
                        seq = r.next_seq;
                        if r.at_end {
                            break n;
                        }
                    }
                });
                total += start.elapsed();
                writer.join().expect("the writer thread");
                assert_eq!(read, N);
            }
            total
        });
    });
    g.finish();
}

criterion_group!(benches, append, read, append_while_reading);
criterion_main!(benches);
