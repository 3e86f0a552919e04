//! A large pytest-benchmark file, parsed on every core. pytest-benchmark writes its JSON
//! with `indent=4`: the `benchmarks` list opens on a line `    "benchmarks": [`, closes
//! on a line `    ]`, and one benchmark ends and the next begins where a line
//! `        },` is followed by a line `        {`. A JSON string cannot hold a raw
//! newline, so these lines are always structure, never text inside a name.
//!
//! The list is cut at such boundaries into parts that are each a JSON list of their
//! own (the comma becomes `]`, the newline after it `[`), the parts are parsed side by
//! side, and the rest of the document is parsed with an empty list in their place.
//! Whatever does not fit this shape, or fails to parse, is handed back whole to the
//! ordinary parser, which then says precisely what is wrong.

use memchr::memmem;
use serde::de::DeserializeOwned;

/// Files smaller than this are parsed whole: a thread costs more than it saves.
const MIN_SPLIT: usize = 8 << 20;

const LIST_OPEN: &[u8] = b"\n    \"benchmarks\": [";
const LIST_CLOSE: &[u8] = b"\n    ]";
const BOUNDARY: &[u8] = b"\n        },\n        {";

/// A document with a `benchmarks` list that can be filled in after parsing.
pub(super) trait WithBenchmarks<B> {
    /// Puts the parsed benchmarks in place of the empty list.
    fn set_benchmarks(&mut self, benchmarks: Vec<B>);
}

impl WithBenchmarks<super::pytest::PBenchmark> for super::pytest::PFile {
    fn set_benchmarks(&mut self, benchmarks: Vec<super::pytest::PBenchmark>) {
        self.benchmarks = Some(benchmarks);
    }
}

/// Parses `bytes` split across the cores, or hands them back unchanged.
pub(super) fn parse_split<F, B>(mut bytes: Vec<u8>) -> Result<F, Vec<u8>>
where
    F: DeserializeOwned + WithBenchmarks<B>,
    B: DeserializeOwned + Send,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads < 2 || bytes.len() < MIN_SPLIT {
        return Err(bytes);
    }
    let Some(plan) = plan(&bytes, threads) else {
        return Err(bytes);
    };
    // The rest of the document, with an empty list where the benchmarks were.
    let mut outer = Vec::with_capacity(plan.open + (bytes.len() - plan.close) + 2);
    outer.extend_from_slice(&bytes[..=plan.open]);
    outer.extend_from_slice(&bytes[plan.close..]);
    let Ok(mut file) = serde_json::from_slice::<F>(&outer) else {
        return Err(bytes);
    };
    // Each cut: the comma closes the part before it, the newline opens the next.
    let mut starts = vec![plan.open];
    for &comma in &plan.cuts {
        bytes[comma] = b']';
        bytes[comma + 1] = b'[';
        starts.push(comma + 1);
    }
    let mut ends: Vec<usize> = plan.cuts.clone();
    ends.push(plan.close);
    let parsed: Vec<Result<Vec<B>, serde_json::Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = starts
            .iter()
            .zip(&ends)
            .map(|(&start, &end)| {
                let part = &bytes[start..=end];
                scope.spawn(move || serde_json::from_slice::<Vec<B>>(part))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("parsing a part does not panic"))
            .collect()
    });
    let mut all = Vec::new();
    for part in parsed {
        match part {
            Ok(benchmarks) => all.extend(benchmarks),
            Err(_) => {
                // Put the document back as it was, for the whole parse's message.
                for &comma in &plan.cuts {
                    bytes[comma] = b',';
                    bytes[comma + 1] = b'\n';
                }
                return Err(bytes);
            }
        }
    }
    file.set_benchmarks(all);
    Ok(file)
}

/// Where the list opens (`[`), closes (`]`) and is cut (at the commas).
#[derive(Debug, PartialEq)]
struct Plan {
    open: usize,
    close: usize,
    cuts: Vec<usize>,
}

fn plan(bytes: &[u8], parts: usize) -> Option<Plan> {
    let open = memmem::find(bytes, LIST_OPEN)? + LIST_OPEN.len() - 1;
    let close = open + memmem::find(&bytes[open..], LIST_CLOSE)? + LIST_CLOSE.len() - 1;
    // Only one list may open at this level, and the document must end after it.
    if memmem::find(&bytes[close..], LIST_OPEN).is_some() {
        return None;
    }
    let span = close - open;
    let mut cuts = Vec::with_capacity(parts - 1);
    let mut from = open;
    for k in 1..parts {
        let target = open + span * k / parts;
        if target <= from {
            continue;
        }
        let Some(at) = memmem::find(&bytes[target..close], BOUNDARY) else {
            break;
        };
        // The comma after `        }`.
        let comma = target + at + b"\n        }".len();
        cuts.push(comma);
        from = comma;
    }
    (!cuts.is_empty()).then_some(Plan { open, close, cuts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Doc {
        version: String,
        benchmarks: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Item {
        name: String,
        data: Vec<f64>,
    }

    impl WithBenchmarks<Item> for Doc {
        fn set_benchmarks(&mut self, benchmarks: Vec<Item>) {
            self.benchmarks = benchmarks;
        }
    }

    /// A document indented as pytest-benchmark writes it (Python's `indent=4`).
    fn doc(n: usize, rounds: usize) -> Vec<u8> {
        let items: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                serde_json::json!({
                    "name": format!("test_{i}[a\n        }},\n        {{]"),
                    "data": (0..rounds).map(|r| (i * rounds + r) as f64 * 0.5).collect::<Vec<_>>(),
                })
            })
            .collect();
        let v = serde_json::json!({"benchmarks": items, "version": "5.3.1"});
        let mut out = Vec::new();
        let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
        serde::Serialize::serialize(&v, &mut ser).expect("serializes");
        out
    }

    #[test]
    fn a_split_parse_equals_the_whole_parse() {
        let bytes = doc(40, 30_000);
        assert!(bytes.len() > MIN_SPLIT);
        let whole: Doc = serde_json::from_slice(&bytes).expect("whole");
        let plan = plan(&bytes, 4).expect("plan");
        assert_eq!(plan.cuts.len(), 3);
        let split: Doc = parse_split(bytes).unwrap_or_else(|_| panic!("splits"));
        assert_eq!(split, whole);
    }

    #[test]
    fn what_does_not_fit_comes_back_unchanged() {
        // Compact JSON has no such lines.
        let compact = serde_json::to_vec(
            &serde_json::from_slice::<serde_json::Value>(&doc(40, 30_000)).expect("json"),
        )
        .expect("json");
        assert_eq!(
            parse_split::<Doc, Item>(compact.clone()).err(),
            Some(compact)
        );
        // A broken value in the second half: handed back as it was, commas and all.
        let mut bytes = doc(40, 30_000);
        let at = bytes.len() * 3 / 4;
        let digit = at
            + bytes[at..]
                .iter()
                .position(u8::is_ascii_digit)
                .expect("digit");
        bytes[digit] = b'x';
        assert_eq!(parse_split::<Doc, Item>(bytes.clone()).err(), Some(bytes));
        // Small files are not split.
        let small = doc(3, 10);
        assert_eq!(parse_split::<Doc, Item>(small.clone()).err(), Some(small));
    }
}
