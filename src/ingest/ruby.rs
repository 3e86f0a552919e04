//! Ruby's `Benchmark` report (`Benchmark.bm`, `Benchmark.bmbm`): under the caption
//! `user  system  total  real`, a line per report, `LABEL  0.161098  0.003606
//! 0.164704 (  0.165091)`, in seconds for the whole block. `bmbm` first prints a
//! `Rehearsal` section, closed by a `total: …sec` line: its lines are warm-up, not
//! results.
//!
//! Compared: `real` (the wall-clock time of the block, what the user waits for), one
//! value per run (`estimator: "value"`), no spread.

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

use super::Loaded;
use crate::error::{Error, Result};
use crate::model::{Benchmark, Direction, Estimator, Measurement, Metric};

const FORMAT: &str = "ruby";
const NS_PER_S: f64 = 1e9;

/// The caption `Benchmark::CAPTION` prints above the reports.
pub(crate) fn is_caption(line: &str) -> bool {
    line.split_whitespace()
        .eq(["user", "system", "total", "real"])
}

/// A report line: its label and the four times (user, system, total, real), when all
/// four are numbers (other output between the reports is not a result).
fn report_line(line: &str) -> Option<(&str, [f64; 4])> {
    let line = line.trim_end().strip_suffix(')')?;
    let (mut rest, real) = line.rsplit_once('(')?;
    let mut times = [0.0; 4];
    times[3] = real.trim().parse().ok()?;
    for slot in times[..3].iter_mut().rev() {
        let trimmed = rest.trim_end();
        let cut = trimmed.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        *slot = trimmed[cut..].parse().ok()?;
        rest = &trimmed[..cut];
    }
    Some((rest.trim(), times))
}

/// Parses a Ruby `Benchmark` report.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let invalid = |msg: String| Error::input(path, Some(FORMAT), msg);
    let text = std::str::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8 text ({e})")))?;
    let mut benchmarks = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::default();
    let mut in_report = false;
    let mut rehearsal = false;
    for (i, line) in text.lines().enumerate() {
        let at = i + 1;
        if is_caption(line) {
            in_report = true;
            continue;
        }
        if line.starts_with("Rehearsal ") {
            rehearsal = true;
            continue;
        }
        if rehearsal {
            rehearsal = !(line.contains("total:") && line.trim_end().ends_with("sec"));
            continue;
        }
        if !in_report {
            continue;
        }
        let Some((label, values)) = report_line(line) else {
            continue;
        };
        if let Some(bad) = values.iter().find(|v| !v.is_finite() || **v < 0.0) {
            return Err(invalid(format!(
                "line {at}: `{label}`: {bad} is not a finite, non-negative time"
            )));
        }
        let id = if label.is_empty() {
            format!("#{}", benchmarks.len() + 1)
        } else {
            label.to_string()
        };
        if let Some(first) = seen.insert(id.clone(), at) {
            return Err(invalid(format!(
                "lines {first} and {at}: duplicate benchmark `{id}`"
            )));
        }
        let m = Measurement::new(
            Metric::Time,
            Direction::LowerIsBetter,
            "ns",
            values[3] * NS_PER_S,
        )
        .with_estimator(Estimator::Value);
        benchmarks.push(Benchmark {
            id,
            group: None,
            measurements: vec![m],
        });
    }
    if benchmarks.is_empty() {
        return Err(invalid(
            "no Ruby Benchmark reports (`LABEL  user  system  total  (  real)` lines under \
             the `user system total real` caption of Benchmark.bm or Benchmark.bmbm)"
                .into(),
        ));
    }
    Ok(Loaded::of(FORMAT, benchmarks, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fixture;

    fn err(text: &str) -> String {
        crate::ingest::refusal(parse, text)
    }

    #[test]
    fn bm_reports_give_the_real_time() {
        let (p, bytes) = fixture("fixtures/ruby/baseline.txt");
        let run = parse(&p, &bytes).expect("parses").run;
        let ids = crate::ingest::ids(&run);
        assert_eq!(ids, ["sort", "string join", "hash build"]);
        let text = String::from_utf8(bytes).expect("utf8");
        let sort = text
            .lines()
            .find(|l| l.starts_with("sort"))
            .expect("sort line");
        let real: f64 = sort
            .rsplit_once('(')
            .and_then(|(_, r)| r.trim_end_matches(')').trim().parse().ok())
            .expect("real");
        let m = &run.benchmarks[0].measurements[0];
        assert!(
            (m.value - real * 1e9).abs() < 1e-3,
            "{} vs {real} s",
            m.value
        );
        assert_eq!(
            (m.unit.as_str(), m.estimator, m.n),
            ("ns", Some(Estimator::Value), None)
        );
    }

    #[test]
    fn bmbm_skips_the_rehearsal_and_bad_values_are_named() {
        let bmbm = "Rehearsal -------------------------------------\n\
                    a   0.001307   0.000000   0.001307 (  0.001304)\n\
                    ---------------------------- total: 0.001307sec\n\
                    \n        user     system      total        real\n\
                    a   0.000219   0.000000   0.000219 (  0.000213)\n";
        let run = parse(Path::new("b.txt"), bmbm.as_bytes())
            .expect("parses")
            .run;
        assert_eq!(run.benchmarks.len(), 1);
        assert!((run.benchmarks[0].measurements[0].value - 213_000.0).abs() < 1e-6);
        let caption = "      user     system      total        real\n";
        assert!(err("nothing\n").contains("no Ruby Benchmark reports"));
        assert!(
            err(&format!("{caption}a 1.0 0.0 1.0 (  -1.0)\n")).contains("line 2: `a`: -1 is not")
        );
        assert!(
            err(&format!(
                "{caption}a 1.0 0.0 1.0 (  1.0)\na 1.0 0.0 1.0 (  2.0)\n"
            ))
            .contains("lines 2 and 3: duplicate benchmark `a`")
        );
        let unlabelled = format!("{caption}  0.5 0.0 0.5 (  0.6)\n");
        let run = parse(Path::new("b.txt"), unlabelled.as_bytes())
            .expect("parses")
            .run;
        assert_eq!(run.benchmarks[0].id, "#1");
    }
}
