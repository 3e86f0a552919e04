//! JSON helpers shared by the JSON formats: tolerant of Python's `NaN`/`Infinity`
//! tokens, and precise about where a document is wrong.

use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Parses `bytes` as `T`. Python writes bare `NaN`, `Infinity` and `-Infinity`, which
/// strict JSON rejects: on a syntax error those tokens are read as `null`, so that the
/// format's own checks can name the field that held them.
pub fn parse<T: DeserializeOwned>(path: &Path, format: &'static str, bytes: &[u8]) -> Result<T> {
    match serde_json::from_slice(bytes) {
        Ok(v) => Ok(v),
        Err(first) => {
            let retry = if first.is_syntax() {
                nan_to_null(bytes)
            } else {
                None
            };
            located(path, format, retry.as_deref().unwrap_or(bytes))
        }
    }
}

/// The slow path of a parse that failed: parses `doc` again, following the path to the
/// field, so that the error names where the document is wrong.
pub fn located<'a, T: Deserialize<'a>>(
    path: &Path,
    format: &'static str,
    doc: &'a [u8],
) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_slice(doc);
    serde_path_to_error::deserialize::<_, T>(de)
        .map_err(|e| Error::input(path, Some(format), describe(&e)))
}

/// Parses `bytes` as a `T` that borrows from them (raw values are not copied). Python's
/// `NaN` and `Infinity` tokens are read as `null`: when the bytes hold any, they are
/// rewritten first into `rewritten`, which the result then borrows.
pub fn parse_borrowed<'a, T: Deserialize<'a>>(
    path: &Path,
    format: &'static str,
    bytes: &'a [u8],
    rewritten: &'a mut Option<Vec<u8>>,
) -> Result<T> {
    let doc = without_nan(bytes, rewritten);
    serde_json::from_slice(doc).or_else(|_| located(path, format, doc))
}

/// The bytes to parse: `bytes`, or when they hold Python's `NaN` or `Infinity` tokens,
/// their rewrite with `null` in `rewritten`.
pub fn without_nan<'a>(bytes: &'a [u8], rewritten: &'a mut Option<Vec<u8>>) -> &'a [u8] {
    let special = |token: &[u8]| memchr::memmem::find(bytes, token).is_some();
    if special(b"NaN") || special(b"Infinity") {
        *rewritten = nan_to_null(bytes);
    }
    rewritten.as_deref().unwrap_or(bytes)
}

fn describe(err: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let at = err.path().to_string();
    let what = reason(err.inner());
    if at.is_empty() || at == "." {
        what
    } else {
        format!("at `{at}`: {what}")
    }
}

/// What went wrong in a JSON document, a truncated file said in so many words.
pub fn reason(err: &serde_json::Error) -> String {
    if err.is_eof() {
        "the JSON ends early (truncated file?)".to_string()
    } else {
        err.to_string()
    }
}

/// Rewrites bare `NaN`, `Infinity` and `-Infinity` outside strings as `null`.
/// Returns `None` when there is nothing to rewrite. The text between the bytes that
/// matter (quotes, backslashes in strings, the tokens' first letters outside them) is
/// copied in runs.
pub fn nan_to_null(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len() + 16);
    let mut changed = false;
    let mut i = 0;
    while let Some(at) = memchr::memchr3(b'"', b'N', b'I', &bytes[i..]).map(|at| i + at) {
        match bytes[at] {
            b'"' => {
                // Copy the string whole: find its closing quote, skipping escapes.
                let mut j = at + 1;
                // (`j` passes the end after a backslash that ends the text.)
                while let Some(rest) = bytes.get(j..) {
                    match memchr::memchr2(b'"', b'\\', rest) {
                        Some(k) if bytes[j + k] == b'\\' => j += k + 2,
                        Some(k) => {
                            j += k + 1;
                            break;
                        }
                        None => {
                            j = bytes.len();
                            break;
                        }
                    }
                }
                let j = j.min(bytes.len());
                out.extend_from_slice(&bytes[i..j]);
                i = j;
            }
            letter => {
                let token: &[u8] = if letter == b'N' { b"NaN" } else { b"Infinity" };
                let minus = letter == b'I' && at > i && bytes[at - 1] == b'-';
                if bytes[at..].starts_with(token) {
                    out.extend_from_slice(&bytes[i..at - usize::from(minus)]);
                    out.extend_from_slice(b"null");
                    changed = true;
                    i = at + token.len();
                } else {
                    out.extend_from_slice(&bytes[i..=at]);
                    i = at + 1;
                }
            }
        }
    }
    out.extend_from_slice(&bytes[i..]);
    changed.then_some(out)
}

/// Checks that a value is a finite number, not negative where that cannot be.
pub fn check_value(
    v: Option<f64>,
    what: impl Fn() -> String,
    non_negative: bool,
) -> Result<f64, String> {
    match v {
        None => Err(format!("{} is missing, null or NaN", what())),
        Some(x) if !x.is_finite() => Err(format!("{} is not a finite number ({x})", what())),
        Some(x) if non_negative && x < 0.0 => Err(format!("{} is negative ({x})", what())),
        Some(x) => Ok(x),
    }
}

/// A JSON object read as its entries in file order, duplicates kept, so that a format
/// keyed by benchmark name can keep the file's order and name a key written twice.
#[derive(Debug)]
pub struct Entries<T>(pub Vec<(String, T)>);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Entries<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
            type Value = Entries<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Entries<T>, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry::<String, T>()? {
                    out.push(entry);
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_keep_the_file_order_and_duplicates() {
        let e: Entries<u32> = serde_json::from_str(r#"{"b": 1, "a": 2, "b": 3}"#).expect("map");
        let keys: Vec<(&str, u32)> = e.0.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(keys, [("b", 1), ("a", 2), ("b", 3)]);
        assert!(serde_json::from_str::<Entries<u32>>("[1]").is_err());
    }

    #[test]
    fn python_special_floats_become_null_outside_strings() {
        let text = br#"{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN \" Infinity"}"#;
        let out = nan_to_null(text).expect("changed");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            r#"{"a": null, "b": [null, null], "c": "NaN \" Infinity"}"#
        );
        assert!(nan_to_null(br#"{"a": "NaN"}"#).is_none());
    }

    /// Byte by byte: what the rewrite must give.
    fn nan_to_null_by_bytes(bytes: &[u8]) -> Option<Vec<u8>> {
        let (mut out, mut in_string, mut escaped, mut changed) = (Vec::new(), false, false, false);
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if in_string {
                (escaped, in_string) = (!escaped && b == b'\\', escaped || b != b'"');
                out.push(b);
                i += 1;
                continue;
            }
            let rest = &bytes[i..];
            match [&b"-Infinity"[..], b"Infinity", b"NaN"]
                .into_iter()
                .find(|t| rest.starts_with(t))
            {
                Some(t) => {
                    out.extend_from_slice(b"null");
                    changed = true;
                    i += t.len();
                }
                None => {
                    in_string = b == b'"';
                    out.push(b);
                    i += 1;
                }
            }
        }
        changed.then_some(out)
    }

    proptest::proptest! {
        #[test]
        fn the_rewrite_is_the_byte_by_byte_one(
            text in proptest::collection::vec(proptest::sample::select(
                b"\"\\NaIfinty- x".to_vec()), 0..60),
            tokens in proptest::collection::vec((0usize..60, 0usize..4), 0..6),
        ) {
            let mut text = text;
            for (at, which) in tokens {
                let t: &[u8] = [&b"NaN"[..], b"Infinity", b"-Infinity", b"\"NaN\""][which];
                let at = at.min(text.len());
                text.splice(at..at, t.iter().copied());
            }
            proptest::prop_assert_eq!(nan_to_null(&text), nan_to_null_by_bytes(&text));
        }
    }

    #[test]
    fn errors_name_the_field_and_truncation() {
        #[derive(serde::Deserialize, Debug)]
        #[expect(dead_code, reason = "only the error matters")]
        struct T {
            a: Vec<f64>,
        }
        let e = parse::<T>(Path::new("f.json"), "x", br#"{"a": [1, "two"]}"#).unwrap_err();
        assert!(e.to_string().contains("at `a[1]`"), "{e}");
        let e = parse::<T>(Path::new("f.json"), "x", br#"{"a": [1, 2"#).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }
}
