//! Every parser on a generated 100 MB file of its format: the real fixtures' benchmarks
//! repeated under new ids until the file is 100 MB, written as the tool writes it.
//! Throughput is reported in bytes/s (target: 200 MB/s each).
//!
//! `cargo bench --bench formats` (one format: `cargo bench --bench formats -- jmh`; only
//! the formats a filter names are generated, so `-- 'bmf|dart'` takes seconds to start).

#[path = "support/allocator.rs"]
mod allocator;

use std::hint::black_box;
use std::path::Path;

use bench_bot::ingest::{Format, parse_bytes};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;

const SIZE: usize = 100 * 1024 * 1024;

fn fixture(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel);
    std::fs::read_to_string(&p).expect("fixture")
}

/// A JSON fixture whose list of benchmarks (`list` picks it) is repeated, each copy's
/// `keys` suffixed with its copy number, until the pretty-printed file reaches SIZE.
fn grow_json(rel: &str, list: fn(&mut Value) -> &mut Vec<Value>, keys: &[&str]) -> Vec<u8> {
    let mut doc: Value = serde_json::from_str(&fixture(rel)).expect("json");
    let template = list(&mut doc).clone();
    let one = serde_json::to_vec_pretty(&template)
        .expect("json")
        .len()
        .max(1);
    let copies = SIZE / one + 1;
    let items = list(&mut doc);
    items.clear();
    for copy in 0..copies {
        for item in &template {
            let mut item = item.clone();
            for key in keys {
                if let Some(Value::String(s)) = item.get_mut(*key) {
                    s.push_str(&format!("#{copy}"));
                }
            }
            items.push(item);
        }
    }
    serde_json::to_vec_pretty(&doc).expect("json")
}

/// An asv result file whose `results` object is repeated, each copy's benchmark names
/// suffixed with its copy number, until the file reaches SIZE (asv writes one line).
fn grow_asv(rel: &str) -> Vec<u8> {
    let text = fixture(rel).replace("NaN", "null");
    let mut doc: Value = serde_json::from_str(&text).expect("json");
    let template = doc["results"].as_object().expect("results").clone();
    let one = serde_json::to_vec(&template).expect("json").len().max(1);
    let mut results = serde_json::Map::new();
    for copy in 0..SIZE / one + 1 {
        for (name, v) in &template {
            // The kind is in the last part of the name: the copy goes in front.
            results.insert(format!("c{copy}.{name}"), v.clone());
        }
    }
    doc["results"] = Value::Object(results);
    serde_json::to_vec(&doc).expect("json")
}

/// Julia's BenchmarkTools file with its top group's groups repeated under new names
/// until the file reaches SIZE.
fn grow_julia(rel: &str) -> Vec<u8> {
    let mut doc: Value = serde_json::from_str(&fixture(rel)).expect("json");
    let top = &mut doc[1][0][1]["data"];
    let template = top.as_object().expect("groups").clone();
    let one = serde_json::to_vec(&template).expect("json").len().max(1);
    let mut groups = serde_json::Map::new();
    for copy in 0..SIZE / one + 1 {
        for (name, v) in &template {
            groups.insert(format!("{name}{copy}"), v.clone());
        }
    }
    *top = Value::Object(groups);
    serde_json::to_vec(&doc).expect("json")
}

/// A text made of a header, `block(i)` repeated until SIZE, and a footer.
fn grow_text(header: &str, block: impl Fn(usize) -> String, footer: &str) -> Vec<u8> {
    let mut out = String::with_capacity(SIZE + 4096);
    out.push_str(header);
    let mut i = 0;
    while out.len() < SIZE {
        out.push_str(&block(i));
        i += 1;
    }
    out.push_str(footer);
    out.into_bytes()
}

/// The filters given on the command line (criterion's positional argument, a regex: its `|`
/// alternatives are read as substrings, `^` and `$` anchored): a format whose input is not wanted is not built.
fn wanted(name: &str) -> bool {
    const VALUED: &[&str] = &[
        "--warm-up-time",
        "--measurement-time",
        "--profile-time",
        "--sample-size",
        "--save-baseline",
        "--baseline",
        "--load-baseline",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--nresamples",
        "--output-format",
        "--color",
        "--plotting-backend",
        "--format",
    ];
    let mut filters = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if VALUED.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            filters.push(arg);
        }
    }
    let id = format!("formats/{name}");
    filters.is_empty()
        || filters
            .iter()
            .any(|f| f.split('|').any(|alt| matches(&id, alt)))
}

/// `alt` found in `id`, a leading `^` or trailing `$` anchoring it as in a regex.
fn matches(id: &str, alt: &str) -> bool {
    match (alt.strip_prefix('^'), alt.strip_suffix('$')) {
        (Some(a), _) if a.ends_with('$') => id == &a[..a.len() - 1],
        (Some(a), None) => id.starts_with(a),
        (None, Some(a)) => id.ends_with(a),
        _ => id.contains(alt),
    }
}

type Input = (&'static str, Format, Box<dyn Fn() -> Vec<u8>>);

fn inputs() -> Vec<Input> {
    let catch2_xml = fixture("catch2/baseline.xml");
    let start = catch2_xml
        .find("      <BenchmarkResults")
        .expect("a benchmark");
    let end = catch2_xml[start..]
        .find("</BenchmarkResults>")
        .expect("its end")
        + start;
    let xml_block = format!("{}</BenchmarkResults>\n", &catch2_xml[start..end]);
    let console = fixture("catch2/baseline.txt");
    let table = console.find("sort 4096").expect("a benchmark");
    let console_block: String = console[table..]
        .lines()
        .take(4)
        .map(|l| format!("{l}\n"))
        .collect();
    let gungraun = fixture("gungraun/candidate.txt");
    let sort = gungraun
        .find("fib::fib_group::bench_sort")
        .expect("a benchmark");
    let gungraun_block: String = gungraun[sort..]
        .lines()
        .take(7)
        .map(|l| format!("{l}\n"))
        .collect();
    // The whole Go run (two packages, `-count 5`) again and again, its benchmarks renamed.
    let go = fixture("go/baseline.txt");
    vec![
        (
            "jmh",
            Format::Jmh,
            Box::new(move || {
                grow_json(
                    "jmh/baseline.json",
                    |d| d.as_array_mut().expect("list"),
                    &["benchmark"],
                )
            }),
        ),
        (
            "benchmarkdotnet",
            Format::BenchmarkDotNet,
            Box::new(move || {
                grow_json(
                    "benchmarkdotnet/baseline.json",
                    |d| d["Benchmarks"].as_array_mut().expect("list"),
                    &["FullName"],
                )
            }),
        ),
        (
            "hyperfine",
            Format::Hyperfine,
            Box::new(move || {
                grow_json(
                    "hyperfine/baseline.json",
                    |d| d["results"].as_array_mut().expect("list"),
                    &["command"],
                )
            }),
        ),
        (
            "google-benchmark",
            Format::GoogleBenchmark,
            Box::new(move || {
                grow_json(
                    "google-benchmark/baseline.json",
                    |d| d["benchmarks"].as_array_mut().expect("list"),
                    &["name", "run_name"],
                )
            }),
        ),
        (
            "asv-v2",
            Format::Asv,
            Box::new(move || grow_asv("asv/v2/baseline.json")),
        ),
        (
            "asv-v1",
            Format::Asv,
            Box::new(move || grow_asv("asv/v1/baseline.json")),
        ),
        (
            "julia",
            Format::Julia,
            Box::new(move || grow_julia("julia/julia_output.json")),
        ),
        (
            "gungraun",
            Format::Gungraun,
            Box::new(move || {
                grow_text(
                    "",
                    |i| gungraun_block.replace("bench_sort", &format!("bench_sort_{i}")),
                    "",
                )
            }),
        ),
        (
            "bmf",
            Format::Bmf,
            Box::new(move || {
                grow_text(
                    "{\n",
                    |i| {
                        format!(
                            "    \"tests::benchmark_{i}\": {{\n        \"latency\": {{\n            \"value\": 3247.0,\n            \"lower_value\": 1044.0,\n            \"upper_value\": 1044.0\n        }}\n    }},\n"
                        )
                    },
                    "    \"last\": {\"latency\": {\"value\": 1.0}}\n}",
                )
            }),
        ),
        (
            "catch2-xml",
            Format::Catch2,
            Box::new(move || {
                grow_text(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Catch name=\"bench\">\n  <Group name=\"bench\">\n    <TestCase name=\"t\">\n",
                    |i| xml_block.replacen("name=\"sort 4096\"", &format!("name=\"sort {i}\""), 1),
                    "    </TestCase>\n  </Group>\n</Catch>\n",
                )
            }),
        ),
        (
            "catch2-console",
            Format::Catch2,
            Box::new(move || {
                grow_text(
                    "benchmark name                       samples       iterations    estimated\n                                     mean          low mean      high mean\n                                     std dev       low std dev   high std dev\n-------------------------------------------------------------------------------\n",
                    |i| console_block.replacen("sort 4096", &format!("sort {i:<8}"), 1),
                    "",
                )
            }),
        ),
        (
            "benchmarkjs",
            Format::BenchmarkJs,
            Box::new(move || {
                grow_text(
                    "",
                    |i| format!("sort {i} x 3,942 ops/sec \u{b1}1.10% (23 runs sampled)\n"),
                    "Fastest is sort 0\n",
                )
            }),
        ),
        (
            "dart",
            Format::Dart,
            Box::new(move || {
                grow_text(
                    "",
                    |i| {
                        format!(
                            "Running Benchmark {i} ...\nQuoteBuffer{i}(RunTime): 10.750438575314245 us.\n\n"
                        )
                    },
                    "",
                )
            }),
        ),
        (
            "go",
            Format::Go,
            Box::new(move || {
                grow_text(
                    "",
                    |i| go.replace("Benchmark", &format!("Benchmark{i}_")),
                    "",
                )
            }),
        ),
    ]
}

fn formats(c: &mut Criterion) {
    let mut group = c.benchmark_group("formats");
    group.sample_size(10);
    for (name, format, grow) in inputs() {
        if !wanted(name) {
            continue;
        }
        let bytes = grow();
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| black_box(parse_bytes(format, Path::new(name), &bytes).expect("parses")))
        });
    }
    group.finish();
}

criterion_group!(benches, formats);
criterion_main!(benches);
