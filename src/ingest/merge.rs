//! Merging the inputs of one run (shards of a CI matrix) into one `Run`.

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

use super::Loaded;
use crate::error::{Error, Result};

/// Merges runs read from several inputs. The first input's metadata wins; an id
/// present in two inputs (or twice in one) is an error that names both files.
pub fn merge(parts: Vec<Loaded>) -> Result<Loaded> {
    let mut iter = parts.into_iter();
    let Some(mut merged) = iter.next() else {
        return Err(Error::Usage("no input files given".to_string()));
    };
    let first_source = merged.run.meta.sources.first().cloned().unwrap_or_default();
    let mut seen: HashMap<String, String> =
        HashMap::with_capacity_and_hasher(merged.run.benchmarks.len(), Default::default());
    for b in &merged.run.benchmarks {
        if seen.insert(b.id.clone(), first_source.clone()).is_some() {
            return Err(duplicate(&first_source, &b.id, &first_source));
        }
    }
    for part in iter {
        let source = part.run.meta.sources.first().cloned().unwrap_or_default();
        for b in &part.run.benchmarks {
            if let Some(other) = seen.insert(b.id.clone(), source.clone()) {
                return Err(duplicate(&source, &b.id, &other));
            }
        }
        if merged.run.meta.tool != part.run.meta.tool
            && !merged.run.meta.tool.contains(&part.run.meta.tool)
        {
            merged.run.meta.tool = format!("{}+{}", merged.run.meta.tool, part.run.meta.tool);
        }
        merged.run.meta.sources.extend(part.run.meta.sources);
        merged.run.benchmarks.extend(part.run.benchmarks);
        merged.warnings.extend(part.warnings);
    }
    Ok(merged)
}

fn duplicate(path: &str, id: &str, other: &str) -> Error {
    let where_ = if path == other {
        "twice in this file".to_string()
    } else {
        // Two runs of one suite, most likely: the shards of one run never overlap.
        format!(
            "also in {other} (several inputs are shards of one run; to compare two runs, \
             pass the older one with --baseline)"
        )
    };
    Error::input(
        Path::new(path),
        None,
        format!("duplicate benchmark id `{id}`: {where_}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Benchmark, Run, RunMeta};

    fn part(source: &str, ids: &[&str]) -> Loaded {
        Loaded {
            run: Run {
                meta: RunMeta {
                    tool: "custom".into(),
                    sources: vec![source.into()],
                    ..RunMeta::default()
                },
                benchmarks: ids
                    .iter()
                    .map(|id| Benchmark {
                        id: (*id).into(),
                        group: None,
                        measurements: vec![],
                    })
                    .collect(),
            },
            warnings: vec![],
        }
    }

    #[test]
    fn shards_merge_and_duplicates_name_both_files() {
        let merged = merge(vec![part("a.json", &["x"]), part("b.json", &["y"])]).expect("merges");
        assert_eq!(merged.run.benchmarks.len(), 2);
        assert_eq!(merged.run.meta.sources, ["a.json", "b.json"]);
        let msg = merge(vec![part("a.json", &["x"]), part("b.json", &["x"])])
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("b.json") && msg.contains("also in a.json") && msg.contains("`x`"),
            "{msg}"
        );
        let msg = merge(vec![part("a.json", &["x", "x"])])
            .unwrap_err()
            .to_string();
        assert!(msg.contains("twice in this file"), "{msg}");
    }
}
