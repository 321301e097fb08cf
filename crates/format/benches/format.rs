//! Throughput of the formats half on realistic messages, against plain serde_json.
//!
//! `cargo bench -p wsdeck-format --bench format -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use wsdeck_format::binary::{decode_base64, decode_hex, encode_base64, encode_hex};
use wsdeck_format::hexdump::HexDump;
use wsdeck_format::{Indent, detect, html, json, xml};

const MIB: usize = 1024 * 1024;

/// A deterministic pseudo-random sequence (no dependency, same data every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Compact JSON like a market-data or chat stream: an array of event objects with strings,
/// escapes, non-ASCII, integers, floats, big ids, booleans, nulls and nesting.
fn json_events(target: usize) -> String {
    let mut rng = Lcg(42);
    let mut out = String::from("[");
    let mut i = 0u64;
    while out.len() < target {
        if i > 0 {
            out.push(',');
        }
        let r = rng.next();
        out.push_str(&format!(
            concat!(
                r#"{{"id":{},"type":"{}","symbol":"BTC-USD","price":{}.{:02},"qty":0.{:05},"#,
                r#""ts":{},"seq":123456789012345678901{},"ok":{},"parent":null,"#,
                r#""tags":["alpha","beta","{}"],"user":{{"name":"user-{}","note":"héllo \"quoted\" \\ line\nnext","#,
                r#""prefs":{{"theme":"dark","lang":"en-GB","limits":[1,2,3,{}]}}}}}}"#
            ),
            i,
            ["trade", "quote", "chat", "presence"][(r % 4) as usize],
            r % 100_000,
            r % 100,
            r % 100_000,
            1_700_000_000_000u64 + i,
            r % 10,
            r.is_multiple_of(2),
            r % 1000,
            r % 5000,
            r % 7,
        ));
        i += 1;
    }
    out.push(']');
    out
}

/// XML of the same kind of records, with attributes, text, entities, comments and CDATA.
fn xml_events(target: usize) -> String {
    let mut rng = Lcg(7);
    let mut out = String::from("<?xml version=\"1.0\"?><events>");
    let mut i = 0u64;
    while out.len() < target {
        let r = rng.next();
        out.push_str(&format!(
            "<event id=\"{i}\" type=\"trade\"><symbol>BTC-USD</symbol><price currency='USD'>{}.{:02}</price>\
             <!-- seq {i} --><user><name>user-{}</name><note>héllo &amp; &lt;world&gt;</note></user>\
             <payload><![CDATA[{{\"raw\": {r}}}]]></payload><flags><a/><b/></flags></event>",
            r % 100_000,
            r % 100,
            r % 1000,
        ));
        i += 1;
    }
    out.push_str("</events>");
    out
}

/// An HTML page: a table of rows, paragraphs with inline markup, a script and a style.
fn html_page(target: usize) -> String {
    let mut out = String::from(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>Log</title>\
         <style>td { padding: 2px }</style></head><body><h1>Events</h1><table>",
    );
    let mut i = 0u64;
    while out.len() < target {
        out.push_str(&format!(
            "<tr><td>{i}</td><td><a href=\"/e/{i}\">event {i}</a></td><td>ok &amp; <b>fine</b></td></tr>\
             <tr><td colspan=3><p>Note {i}: <em>héllo</em> world<br>second line</p></td></tr>"
        ));
        i += 1;
    }
    out.push_str("</table><script>console.log('<div>');</script></body></html>");
    out
}

fn binary(len: usize) -> Vec<u8> {
    let mut rng = Lcg(1);
    (0..len).map(|_| rng.next() as u8).collect()
}

fn bench_json(c: &mut Criterion) {
    for (label, size) in [("1MiB", MIB), ("10MiB", 10 * MIB)] {
        let compact = json_events(size);
        let pretty = json::beautify(&compact, Indent::Spaces(2)).unwrap();
        let mut group = c.benchmark_group(format!("json/{label}"));
        if size > MIB {
            group.sample_size(10);
        }
        group.throughput(Throughput::Bytes(compact.len() as u64));
        group.bench_function("validate", |b| {
            b.iter(|| json::validate(black_box(&compact)).unwrap())
        });
        group.bench_function("beautify", |b| {
            b.iter(|| json::beautify(black_box(&compact), Indent::Spaces(2)).unwrap())
        });
        group.bench_function("serde_value+to_string_pretty", |b| {
            b.iter(|| {
                let value: serde_json::Value =
                    serde_json::from_slice(black_box(compact.as_bytes())).unwrap();
                serde_json::to_string_pretty(&value).unwrap()
            })
        });
        group.bench_function("serde_value_parse", |b| {
            b.iter(|| {
                serde_json::from_slice::<serde_json::Value>(black_box(compact.as_bytes())).unwrap()
            })
        });
        group.throughput(Throughput::Bytes(pretty.len() as u64));
        group.bench_function("minify(pretty input)", |b| {
            b.iter(|| json::minify(black_box(&pretty)).unwrap())
        });
        group.bench_function("serde_value+to_string(pretty input)", |b| {
            b.iter(|| {
                let value: serde_json::Value =
                    serde_json::from_slice(black_box(pretty.as_bytes())).unwrap();
                serde_json::to_string(&value).unwrap()
            })
        });
        group.finish();
    }
}

fn bench_markup(c: &mut Criterion) {
    let document = xml_events(MIB);
    let mut group = c.benchmark_group("xml/1MiB");
    group.throughput(Throughput::Bytes(document.len() as u64));
    group.bench_function("validate", |b| {
        b.iter(|| xml::validate(black_box(&document)).unwrap())
    });
    group.bench_function("beautify", |b| {
        b.iter(|| xml::beautify(black_box(&document), Indent::Spaces(2)).unwrap())
    });
    group.bench_function("minify", |b| {
        b.iter(|| xml::minify(black_box(&document)).unwrap())
    });
    group.finish();

    let page = html_page(MIB);
    let mut group = c.benchmark_group("html/1MiB");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("check", |b| b.iter(|| html::check(black_box(&page))));
    group.bench_function("beautify", |b| {
        b.iter(|| html::beautify(black_box(&page), Indent::Spaces(2)).unwrap())
    });
    group.finish();
}

fn bench_binary(c: &mut Criterion) {
    let data = binary(MIB);
    let hex = encode_hex(&data);
    let base64 = encode_base64(&data);
    let mut group = c.benchmark_group("binary/1MiB");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("hexdump", |b| {
        b.iter(|| {
            let mut out = String::new();
            HexDump::new(black_box(&data)).write_into(&mut out);
            out
        })
    });
    group.bench_function("hex_decode", |b| {
        b.iter(|| decode_hex(black_box(&hex)).unwrap())
    });
    group.bench_function("base64_decode", |b| {
        b.iter(|| decode_base64(black_box(&base64)).unwrap())
    });
    group.finish();
}

fn bench_detect(c: &mut Criterion) {
    let inputs = [
        ("json", json_events(MIB).into_bytes()),
        ("xml", xml_events(MIB).into_bytes()),
        ("html", html_page(MIB).into_bytes()),
        ("binary", binary(MIB)),
        (
            "text",
            "plain log line with words and numbers 12345\n"
                .repeat(MIB / 44)
                .into_bytes(),
        ),
    ];
    let mut group = c.benchmark_group("detect/1MiB");
    for (name, bytes) in &inputs {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), bytes, |b, bytes| {
            b.iter(|| detect(black_box(bytes)))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_json,
    bench_markup,
    bench_binary,
    bench_detect
);
criterion_main!(benches);
