//! Raw sample arrays as the file has them (JSON text kept by `&RawValue`), parsed into
//! numbers after the document itself: most of a results file is samples, and parsing
//! them apart lets every core take a share.

/// A value that is not a usable sample.
#[derive(Debug, Clone, PartialEq)]
pub struct BadSample {
    /// Its index in the array (`None`: the array itself is wrong).
    pub index: Option<usize>,
    /// What is wrong, to follow the field name.
    pub problem: String,
}

/// Parses every array (scaled by `scale`) on the available cores, in order.
/// `None` stays `None` (the field was absent or null).
pub fn parse_all(arrays: &[Option<&str>], scale: f64) -> Vec<Result<Option<Vec<f64>>, BadSample>> {
    let one = |a: &Option<&str>| a.map(|text| parse(text, scale)).transpose();
    let total: usize = arrays.iter().flatten().map(|a| a.len()).sum();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    // Below a few megabytes a thread costs more than it saves.
    if threads < 2 || total < (4 << 20) {
        return arrays.iter().map(one).collect();
    }
    // Chunks of about equal bytes, so that one huge array does not leave a core idle.
    let share = total.div_ceil(threads);
    let mut chunks: Vec<&[Option<&str>]> = Vec::with_capacity(threads + 1);
    let (mut start, mut bytes) = (0, 0);
    for (i, a) in arrays.iter().enumerate() {
        bytes += a.map_or(0, str::len);
        if bytes >= share {
            chunks.push(&arrays[start..=i]);
            (start, bytes) = (i + 1, 0);
        }
    }
    chunks.push(&arrays[start..]);
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || chunk.iter().map(one).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .expect("sample parsing does not panic: every error is a value")
            })
            .collect()
    })
}

/// Parses one JSON array of numbers (already known to be valid JSON), each a finite,
/// non-negative number, times `scale`.
pub fn parse(text: &str, scale: f64) -> Result<Vec<f64>, BadSample> {
    let whole = |problem: &str| BadSample {
        index: None,
        problem: problem.to_string(),
    };
    let inner = text
        .trim()
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .ok_or_else(|| whole("is not a list of numbers"))?;
    if inner.trim().is_empty() {
        return Ok(Vec::new());
    }
    // Commas split the values unless a value is itself a string, list or object.
    if inner.contains(['"', '[', '{']) {
        return Err(whole("is not a list of numbers"));
    }
    let mut out = Vec::with_capacity(inner.len() / 16 + 1);
    for (i, token) in inner.split(',').enumerate() {
        let token = token.trim();
        let bad = |problem: String| BadSample {
            index: Some(i),
            problem,
        };
        let v: f64 = match token {
            "null" => return Err(bad("is missing, null or NaN".into())),
            // JSON's number grammar is a subset of Rust's; `true`/`false` are not numbers.
            t => t
                .parse()
                .map_err(|_| bad(format!("is not a number (`{t}`)")))?,
        };
        if !v.is_finite() {
            return Err(bad(format!("is not a finite number ({v})")));
        }
        if v < 0.0 {
            return Err(bad(format!("is negative ({v})")));
        }
        out.push(v * scale);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_nulls_and_shapes() {
        assert_eq!(parse("[1.5, 2e-3 ,0]", 10.0), Ok(vec![15.0, 0.02, 0.0]));
        assert_eq!(parse(" [ ] ", 1.0), Ok(vec![]));
        let e = parse("[1, null]", 1.0).unwrap_err();
        assert_eq!(e.index, Some(1));
        assert_eq!(e.problem, "is missing, null or NaN");
        assert_eq!(
            parse("[1, -2]", 1.0).unwrap_err().problem,
            "is negative (-2)"
        );
        assert!(
            parse("[1e999]", 1.0)
                .unwrap_err()
                .problem
                .contains("not a finite number")
        );
        assert_eq!(parse("[true]", 1.0).unwrap_err().index, Some(0));
        assert_eq!(parse("[[1, 2]]", 1.0).unwrap_err().index, None);
        assert_eq!(parse("\"1,2\"", 1.0).unwrap_err().index, None);
    }

    #[test]
    fn many_arrays_in_parallel_keep_their_order() {
        let texts: Vec<String> = (0..64)
            .map(|i| {
                let values: Vec<String> = (0..20_000)
                    .map(|j| format!("{}.5", i * 100_000 + j))
                    .collect();
                format!("[{}]", values.join(", "))
            })
            .collect();
        let mut arrays: Vec<Option<&str>> = texts.iter().map(|t| Some(t.as_str())).collect();
        arrays.insert(3, None);
        let parsed = parse_all(&arrays, 2.0);
        assert_eq!(parsed.len(), 65);
        assert_eq!(parsed[3], Ok(None));
        for (k, p) in parsed.iter().enumerate().filter(|(k, _)| *k != 3) {
            let i = if k < 3 { k } else { k - 1 };
            let v = p.as_ref().expect("ok").as_ref().expect("some");
            assert_eq!(v.len(), 20_000);
            assert_eq!(v[7], 2.0 * ((i * 100_000 + 7) as f64 + 0.5));
        }
    }
}
