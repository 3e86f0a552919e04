//! The fast path for pytest-benchmark files with raw samples.
//!
//! In a `--benchmark-json` file most bytes are `stats.data`: one number per round, one
//! per line. This module finds each `benchmarks[i].stats.data` array with a structural
//! scan (strings and nesting tracked, the arrays themselves skipped with `memchr`),
//! hands the rest of the document, with those arrays emptied, to serde, and parses the
//! numbers itself, on a second thread while a core is spare ([`Reading`]). Anything it
//! is not sure of (a token that is not a plain non-negative JSON number, a nested value,
//! a document that is not an object) makes it step aside: the caller then parses the
//! whole file the ordinary way, so the results and the error messages are the same
//! either way.

use std::ops::Range;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A document with its sample arrays taken out.
#[derive(Debug)]
pub(super) struct Split {
    /// The document with every `stats.data` array found emptied (`[]`).
    pub rest: Vec<u8>,
    /// For each array taken out: the index of its benchmark in `benchmarks` and the
    /// bytes between its brackets.
    pub arrays: Vec<(usize, Range<usize>)>,
}

/// Where the scanner is, as far as the sample arrays are concerned.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tag {
    Root,
    Benchmarks,
    Benchmark,
    Stats,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Key {
    Benchmarks,
    Stats,
    Data,
    Other,
}

/// Takes the sample arrays out of `bytes`, or `None` when the document is not one this
/// path is sure of (then parse it whole).
pub(super) fn split(bytes: &[u8]) -> Option<Split> {
    // Files without samples (saved files, `--benchmark-json` of old versions) gain
    // nothing from a second pass.
    memchr::memmem::find(bytes, b"\"data\"")?;
    let mut rest = Vec::with_capacity(bytes.len() / 4);
    let mut arrays = Vec::new();
    let mut copied = 0;
    // Each open container: whether it is an object, and its tag.
    let mut stack: Vec<(bool, Tag)> = Vec::with_capacity(16);
    let mut key = Key::Other;
    let mut expect_key = false;
    let mut benchmark = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let end = string_end(bytes, i + 1)?;
                if expect_key {
                    key = match &bytes[i + 1..end] {
                        b"benchmarks" => Key::Benchmarks,
                        b"stats" => Key::Stats,
                        b"data" => Key::Data,
                        _ => Key::Other,
                    };
                }
                i = end + 1;
                continue;
            }
            b':' => expect_key = false,
            b',' => expect_key = stack.last().is_some_and(|(obj, _)| *obj),
            open @ (b'{' | b'[') => {
                let object = open == b'{';
                let in_object = stack.last().map(|(obj, _)| *obj);
                let parent = stack.last().map_or(Tag::Root, |(_, t)| *t);
                let tag = match (stack.len(), parent, object, key) {
                    (0, _, true, _) => Tag::Root,
                    (0, _, false, _) => return None,
                    (_, Tag::Root, false, Key::Benchmarks) => Tag::Benchmarks,
                    (_, Tag::Benchmarks, true, _) => {
                        benchmark += 1;
                        Tag::Benchmark
                    }
                    (_, Tag::Benchmark, true, Key::Stats) => Tag::Stats,
                    (_, Tag::Stats, false, Key::Data) if in_object == Some(true) => {
                        let close = i + 1 + memchr::memchr(b']', &bytes[i + 1..])?;
                        // A nested value or a string makes `parse_numbers` step aside.
                        let inner = i + 1..close;
                        rest.extend_from_slice(&bytes[copied..=i]);
                        copied = close;
                        arrays.push((benchmark - 1, inner));
                        key = Key::Other;
                        i = close + 1;
                        continue;
                    }
                    _ => Tag::Other,
                };
                stack.push((object, tag));
                expect_key = object;
                key = Key::Other;
            }
            b'}' | b']' => {
                stack.pop()?;
                expect_key = false;
            }
            _ => {}
        }
        i += 1;
    }
    if arrays.is_empty() {
        return None;
    }
    rest.extend_from_slice(&bytes[copied..]);
    Some(Split { rest, arrays })
}

/// The index of the quote that closes the string whose contents start at `from`.
fn string_end(bytes: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let at = from + memchr::memchr2(b'"', b'\\', &bytes[from..])?;
        if bytes[at] == b'"' {
            return Some(at);
        }
        from = at + 2;
        if from > bytes.len() {
            return None;
        }
    }
}

/// The numbers of one array's contents; `None` unless every element
/// is a plain, non-negative JSON number whose value is finite.
pub(super) fn parse_numbers(inner: &[u8]) -> Option<Vec<f64>> {
    // About 20 bytes a number with pytest-benchmark's indentation; a guess, not a bound.
    let mut out = Vec::with_capacity(inner.len() / 24 + 1);
    let read = each_number(inner, |token| {
        // `number_end` has checked the token's grammar and that its value is finite.
        fast_float2::parse::<f64, _>(token)
            .map(|v| out.push(v))
            .is_ok()
    });
    read.then_some(out)
}

/// Whether `parse_numbers` would take the array, without converting a number: where
/// the value is the fastest round (`stats.min`, in every file pytest-benchmark
/// writes) the samples are not used, yet they must still be valid numbers.
pub(super) fn valid_numbers(inner: &[u8]) -> bool {
    each_number(inner, |_| true)
}

/// Walks the comma-separated numbers of an array's contents, handing each token to
/// `take` (which returns whether it took it); `false` at the first element that is not
/// a plain, non-negative, finite JSON number, or a separator that is not a comma. One
/// pass: each token's JSON number grammar, its sign, and whether its value can reach
/// infinity (only then is it converted to find out).
fn each_number(inner: &[u8], mut take: impl FnMut(&[u8]) -> bool) -> bool {
    let mut i = skip_space(inner, 0);
    if i == inner.len() {
        return true;
    }
    loop {
        let Some(end) = number_end(inner, i) else {
            return false;
        };
        if !take(&inner[i..end]) {
            return false;
        }
        i = skip_space(inner, end);
        match inner.get(i) {
            None => return true,
            Some(b',') => i = skip_space(inner, i + 1),
            Some(_) => return false,
        }
    }
}

/// The end of the plain, non-negative, finite JSON number that starts at `from`.
#[inline(always)]
fn number_end(bytes: &[u8], from: usize) -> Option<usize> {
    let int_end = digits_end(bytes, from);
    let int_digits = int_end - from;
    match int_digits {
        0 => return None,
        1 => {}
        _ if bytes[from] == b'0' => return None,
        _ => {}
    }
    let mut i = int_end;
    if bytes.get(i) == Some(&b'.') {
        let end = digits_end(bytes, i + 1);
        if end == i + 1 {
            return None;
        }
        i = end;
    }
    // The value is below 10^(int_digits + exponent): finite while that is at most 308.
    let mut magnitude = int_digits as i64;
    if let Some(b'e' | b'E') = bytes.get(i) {
        i += 1;
        let negative = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let end = digits_end(bytes, i);
        if end == i {
            return None;
        }
        let exponent = bytes[i..end]
            .iter()
            .fold(0i64, |e, d| (e * 10 + i64::from(d - b'0')).min(1 << 32));
        magnitude += if negative { -exponent } else { exponent };
        i = end;
    }
    if magnitude > 308 {
        let (v, len) = fast_float2::parse_partial::<f64, _>(&bytes[from..i]).ok()?;
        if len != i - from || !v.is_finite() {
            return None;
        }
    }
    Some(i)
}

/// The end of the run of ASCII digits that starts at `from`, eight bytes at a time.
fn digits_end(bytes: &[u8], mut from: usize) -> usize {
    const LOW: u64 = u64::from_ne_bytes([0x30; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0xF0; 8]);
    const SIX: u64 = u64::from_ne_bytes([0x06; 8]);
    while let Some(word) = bytes.get(from..from + 8) {
        let x = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        // Every byte 0x30..=0x39: its high nibble is 3, and adding 6 does not carry it.
        if x & HIGH != LOW || x.wrapping_add(SIX) & HIGH != LOW {
            break;
        }
        from += 8;
    }
    while bytes.get(from).is_some_and(u8::is_ascii_digit) {
        from += 1;
    }
    from
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    loop {
        // pytest-benchmark indents each sample by 20 spaces: eight at a time first.
        while bytes.get(i..i + 8) == Some(b"        ") {
            i += 8;
        }
        match bytes.get(i) {
            Some(b' ' | b'\n' | b'\r' | b'\t') => i += 1,
            _ => return i,
        }
    }
}

/// The arrays cut into runs of consecutive arrays of at least `bytes` sample bytes each
/// (the last may hold less): the units the reading threads claim.
pub(super) fn chunks(arrays: &[(usize, Range<usize>)], bytes: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut held) = (0, 0);
    for (i, (_, r)) in arrays.iter().enumerate() {
        held += r.len();
        if held >= bytes {
            out.push(start..i + 1);
            (start, held) = (i + 1, 0);
        }
    }
    if start < arrays.len() {
        out.push(start..arrays.len());
    }
    out
}

/// The pytest-benchmark files being read at once (`analyze` reads the baseline and the
/// current run side by side): a file's samples take a second thread only while a core
/// is spare. Two files on two cores each with a helper thread ran 5 % slower than
/// without (thread starts, and each thread's first allocations zeroing fresh pages).
static READING: AtomicUsize = AtomicUsize::new(0);

/// One file being read, counted in [`READING`] while it lives.
pub(super) struct Reading;

impl Reading {
    pub(super) fn start() -> Reading {
        READING.fetch_add(1, Ordering::Relaxed);
        Reading
    }

    /// Whether fewer files are being read than there are cores (asked after every chunk,
    /// so the count of cores, which reads the cgroup's files, is asked once).
    pub(super) fn core_spare() -> bool {
        static CORES: OnceLock<usize> = OnceLock::new();
        let cores =
            *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from));
        READING.load(Ordering::Relaxed) < cores
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        READING.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_out_only_the_stats_data_of_benchmarks() {
        let doc = br#"{"machine_info": {"data": [1, 2]},
            "benchmarks": [
              {"name": "a \"data\": [9]", "extra_info": {"data": [7]},
               "stats": {"min": 1.0, "data": [ 1.5e-05,
                 2.0e-05 ], "rounds": 2}},
              {"name": "b", "stats": {"mean": 1.0}},
              {"name": "c", "stats": {"data": []}}
            ]}"#;
        let s = split(doc).expect("splits");
        let arrays: Vec<(usize, &[u8])> = s
            .arrays
            .iter()
            .map(|(b, r)| (*b, &doc[r.clone()]))
            .collect();
        assert_eq!(arrays.len(), 2);
        assert_eq!(arrays[0].0, 0);
        assert_eq!(parse_numbers(arrays[0].1), Some(vec![1.5e-05, 2.0e-05]));
        assert_eq!((arrays[1].0, arrays[1].1), (2, &b""[..]));
        let rest: serde_json::Value = serde_json::from_slice(&s.rest).expect("still JSON");
        assert_eq!(rest["machine_info"]["data"], serde_json::json!([1, 2]));
        assert_eq!(
            rest["benchmarks"][0]["extra_info"]["data"],
            serde_json::json!([7])
        );
        assert_eq!(
            rest["benchmarks"][0]["stats"]["data"],
            serde_json::json!([])
        );
        assert_eq!(rest["benchmarks"][0]["stats"]["rounds"], 2);
        assert_eq!(rest["benchmarks"][0]["name"], "a \"data\": [9]");
    }

    #[test]
    fn chunks_hold_at_least_their_bytes_and_cover_every_array_once() {
        let arrays: Vec<(usize, Range<usize>)> = [5, 3, 9, 1, 1, 1, 7]
            .iter()
            .enumerate()
            .map(|(i, n)| (i, 0..*n))
            .collect();
        assert_eq!(chunks(&arrays, 8), vec![0..2, 2..3, 3..7]);
        assert_eq!(chunks(&arrays, 100), vec![0..7]);
        assert_eq!(
            chunks(&arrays, 1),
            (0..7).map(|i| i..i + 1).collect::<Vec<_>>()
        );
        assert_eq!(chunks(&arrays[..0], 8), Vec::<Range<usize>>::new());
    }

    #[test]
    fn steps_aside_for_what_it_is_not_sure_of() {
        assert!(split(br#"{"benchmarks": []}"#).is_none(), "no data at all");
        assert!(split(br#"[{"data": [1]}]"#).is_none(), "not an object");
        for odd in [&br#"[[1], 2]"#[..], br#"[1, "a]"]"#, br#"[{"a": 1}]"#] {
            let doc = [&br#"{"benchmarks": [{"stats": {"data": "#[..], odd, b"}}]}"].concat();
            // Either the scan loses its way after the array, or the array is refused.
            let taken = split(&doc).and_then(|s| {
                s.arrays
                    .iter()
                    .map(|(_, inner)| parse_numbers(&doc[inner.clone()]))
                    .collect::<Option<Vec<_>>>()
            });
            assert_eq!(taken, None, "{:?}", String::from_utf8_lossy(odd));
        }
        let cut = br#"{"benchmarks": [{"stats": {"data": [1, 2"#;
        assert!(split(cut).is_none());
        for bad in [
            "1, -2", "1, NaN", "null", "1,", ",1", "01", "1.", ".5", "1e", "+1", "1 2", "1e999",
            "Infinity", "0x10", "1.e5", "00.5", "1.5e", "1_0", "inf", "nan",
        ] {
            assert_eq!(parse_numbers(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(
            parse_numbers(b" 0, 0.25 ,\n 1E+2, 3e-1 "),
            Some(vec![0.0, 0.25, 100.0, 0.3])
        );
    }

    #[test]
    fn validation_takes_what_parsing_takes() {
        for bad in [
            "1, -2", "1, NaN", "null", "1,", ",1", "01", "1.", ".5", "1e", "+1", "1 2", "1e999",
            "Infinity", "0x10", "1.e5", "00.5", "1.5e", "1_0", "inf", "nan", "1e+", "2e308",
        ] {
            assert!(!valid_numbers(bad.as_bytes()), "{bad}");
        }
        // 2e308 written out: past the largest double, so infinite.
        assert!(!valid_numbers(format!("2{}", "0".repeat(308)).as_bytes()));
        for good in [
            "",
            " \n ",
            "0",
            "0.25",
            "1E+2, 3e-1",
            "1.7976931348623157e308",
            "0.0e99999",
            "1e-99999",
            "12345678901234567890123",
            "1797693134862315e293",
            "1.5e-05,\n                    2.0e-05",
        ] {
            assert!(valid_numbers(good.as_bytes()), "{good}");
            assert!(parse_numbers(good.as_bytes()).is_some(), "{good}");
        }
    }

    proptest::proptest! {
        #[test]
        fn reads_what_json_reads(
            tokens in proptest::collection::vec("[0-9.eE+\\-]{1,6}|[0-9]{1,3}e[0-9]{3}|0|[1-9][0-9]{0,20}(\\.[0-9]{1,17})?(e-0[0-9])?", 0..6),
            seps in proptest::collection::vec("[ ,\n]{1,3}|, |,", 6),
        ) {
            let mut text = String::new();
            for (t, s) in tokens.iter().zip(&seps) {
                text.push_str(t);
                text.push_str(s);
            }
            if let Some(last) = tokens.last() {
                text.push_str(last);
            }
            // The reference: serde_json, the full parse's reader, on the array, taking
            // only finite numbers written without a minus sign.
            let json = serde_json::from_str::<Vec<f64>>(&format!("[{text}]"))
                .ok()
                .filter(|vs| vs.iter().all(|v| v.is_finite() && v.is_sign_positive()));
            let parsed = parse_numbers(text.as_bytes());
            proptest::prop_assert_eq!(valid_numbers(text.as_bytes()), json.is_some(), "{:?}", text);
            proptest::prop_assert_eq!(parsed.is_some(), json.is_some(), "{:?}", text);
            if let (Some(parsed), Some(json)) = (parsed, json) {
                proptest::prop_assert_eq!(parsed.len(), json.len());
                for (x, y) in parsed.iter().zip(&json) {
                    // serde_json's float reading may differ from the correctly rounded
                    // one in the last bit.
                    proptest::prop_assert!((x - y).abs() <= 4.0 * f64::EPSILON * y.abs(), "{} {}", x, y);
                }
            }
        }
    }
}
