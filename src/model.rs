//! The normalised model every input format becomes: a `Run` of `Benchmark`s, each
//! with one or more `Measurement`s in canonical units.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One benchmark run: the results of one CI job (or several merged shards).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// Where the run came from.
    pub meta: RunMeta,
    /// The benchmarks, in the order the inputs listed them.
    pub benchmarks: Vec<Benchmark>,
}

/// Metadata of a run; every field is optional because formats carry different parts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunMeta {
    /// The commit the run measured (40 hex when known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The branch or ref the run measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// When the run happened (RFC 3339, as the tool wrote it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The tool that wrote the results (`pytest-benchmark`, `criterion`, …).
    pub tool: String,
    /// The tool's version, when the format records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_version: Option<String>,
    /// Machine description, opaque (its keys vary by platform).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<serde_json::Value>,
    /// Suite name, when several suites are tracked separately.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suite: Option<String>,
    /// The input files the run was read from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

impl RunMeta {
    /// When the run happened, when its timestamp is one [`parse_time`] reads.
    pub fn time(&self) -> Option<std::time::SystemTime> {
        self.timestamp.as_deref().and_then(parse_time)
    }

    /// The run's time when its timestamp is written with a fraction of a second
    /// (`.000` too): a time that orders the run within its second.
    pub fn time_within_second(&self) -> Option<std::time::SystemTime> {
        let written = self.timestamp.as_deref()?;
        let fraction = written.trim().get(19..)?.starts_with('.');
        self.time().filter(|_| fraction)
    }
}

/// The instant of an RFC 3339 timestamp as tools write it: `T` or a space between the
/// date and the time, any fraction of a second, and `Z`, an offset (`+01:00`,
/// `-0500`) or no zone, which is read as UTC. `None` for anything else.
pub fn parse_time(t: &str) -> Option<std::time::SystemTime> {
    let t = t.trim();
    let (local, offset) = match t.strip_suffix(['Z', 'z']) {
        Some(local) => (local, 0),
        // An offset's sign comes after the date's two dashes.
        None => match t.rfind(['+', '-']).filter(|&i| i > 10) {
            Some(i) => (&t[..i], offset_seconds(&t[i..])?),
            None => (t, 0),
        },
    };
    let at = humantime::parse_rfc3339_weak(local).ok()?;
    // The local time is `offset` ahead of UTC.
    let shift = std::time::Duration::from_secs(offset.unsigned_abs());
    if offset >= 0 {
        at.checked_sub(shift)
    } else {
        at.checked_add(shift)
    }
}

/// `+HH:MM`, `-HH:MM`, `+HHMM` or `-HHMM` in seconds east of UTC.
fn offset_seconds(zone: &str) -> Option<i64> {
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits: Vec<i64> = zone[1..]
        .chars()
        .filter(|c| *c != ':')
        .map(|c| c.to_digit(10).map(i64::from))
        .collect::<Option<_>>()?;
    let [h1, h2, m1, m2] = digits[..] else {
        return None;
    };
    let (hours, minutes) = (h1 * 10 + h2, m1 * 10 + m2);
    (hours < 24 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

/// One benchmark with its measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Benchmark {
    /// Stable id, the join key across runs (`file::test[param]`, `group/function/value`).
    pub id: String,
    /// The group the tool put the benchmark in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// One measurement per metric.
    pub measurements: Vec<Measurement>,
}

/// What a measurement measures.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// Time per iteration, in ns.
    Time,
    /// Work per second (bytes/s, elements/s, ops/s).
    Throughput,
    /// Memory, in bytes.
    Memory,
    /// A named custom metric (e.g. from pytest-benchmark's `extra_info`).
    Custom(String),
}

impl Metric {
    /// The metric's name as written in reports and configuration.
    pub fn as_str(&self) -> &str {
        match self {
            Metric::Time => "time",
            Metric::Throughput => "throughput",
            Metric::Memory => "memory",
            Metric::Custom(name) => name,
        }
    }

    /// Parses a metric name; anything but the three kinds is a custom metric.
    pub fn from_name(name: &str) -> Metric {
        match name {
            "time" => Metric::Time,
            "throughput" => Metric::Throughput,
            "memory" => Metric::Memory,
            other => Metric::Custom(other.to_string()),
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Metric {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Ok(Metric::from_name(&name))
    }
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Smaller values are better (time, memory).
    LowerIsBetter,
    /// Larger values are better (throughput).
    HigherIsBetter,
}

impl Direction {
    /// +1 when an increase is worse, -1 when a decrease is worse.
    pub fn worse_sign(self) -> f64 {
        match self {
            Direction::LowerIsBetter => 1.0,
            Direction::HigherIsBetter => -1.0,
        }
    }
}

/// One measured quantity of a benchmark, in its canonical unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// What is measured.
    pub metric: Metric,
    /// Which way is better.
    pub direction: Direction,
    /// Canonical unit: `ns`, `B`, `B/s`, `elements/s`, `ops/s`, or a custom unit.
    pub unit: String,
    /// The point estimate the comparison uses (see docs/formats.md per format).
    pub value: f64,
    /// Standard deviation of one sample, when the format has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stddev: Option<f64>,
    /// Number of samples behind `value`, when the format has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    /// Raw per-iteration samples, when the format has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<Vec<f64>>,
    /// Which statistic of the run `value` is (`median`, `mean`, `min`, or `value` when
    /// the tool wrote a single number); `None` in runs recorded before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimator: Option<Estimator>,
    /// Computed by the tool from the time measurement of the same benchmark
    /// (criterion's `throughput`, pytest-benchmark's `ops`): judged with it, not alone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub derived: bool,
    /// A count the code decides alone (allocations, bytes allocated per operation,
    /// instructions): no run-to-run noise, so it is judged by percentage alone against
    /// the tiers' stricter `deterministic` thresholds.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deterministic: bool,
}

/// The statistic of a run's samples that a measurement's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Estimator {
    /// The median of the samples: robust to the slow rounds a busy machine adds.
    Median,
    /// The arithmetic mean.
    Mean,
    /// The fastest sample.
    Min,
    /// One number as the tool wrote it, whose statistic the format does not say.
    Value,
}

impl Estimator {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Estimator::Median => "median",
            Estimator::Mean => "mean",
            Estimator::Min => "min",
            Estimator::Value => "value",
        }
    }
}

impl Measurement {
    /// A measurement with only a value.
    pub fn new(metric: Metric, direction: Direction, unit: &str, value: f64) -> Measurement {
        Measurement {
            metric,
            direction,
            unit: unit.to_string(),
            value,
            stddev: None,
            n: None,
            samples: None,
            estimator: None,
            derived: false,
            deterministic: false,
        }
    }

    /// Marks a count the code decides alone (see `deterministic`).
    pub fn deterministic(mut self) -> Measurement {
        self.deterministic = true;
        self
    }

    /// Says which statistic the value is.
    pub fn with_estimator(mut self, estimator: Estimator) -> Measurement {
        self.estimator = Some(estimator);
        self
    }

    /// Adds the spread and sample count.
    pub fn with_spread(mut self, stddev: Option<f64>, n: Option<u64>) -> Measurement {
        self.stddev = stddev;
        self.n = n;
        self
    }
}

/// A run of one time measurement (ns, lower is better) per `(id, value)`, for tests.
#[cfg(test)]
pub(crate) fn time_run(values: &[(&str, f64)]) -> Run {
    Run {
        meta: RunMeta::default(),
        benchmarks: values
            .iter()
            .map(|(id, v)| Benchmark {
                id: (*id).to_string(),
                group: None,
                measurements: vec![Measurement::new(
                    Metric::Time,
                    Direction::LowerIsBetter,
                    "ns",
                    *v,
                )],
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_with_offsets_fractions_or_no_zone() {
        let utc = |t: &str| {
            parse_time(t).map(|t| {
                t.duration_since(std::time::UNIX_EPOCH)
                    .expect("after 1970")
                    .as_secs_f64()
            })
        };
        let noon = utc("2024-01-08T12:00:00Z").expect("reads");
        assert_eq!(utc("2024-01-08T12:00:00"), Some(noon));
        assert_eq!(utc("2024-01-08 12:00:00+00:00"), Some(noon));
        assert_eq!(utc("2024-01-08T13:00:00+01:00"), Some(noon));
        assert_eq!(utc("2024-01-08T07:30:00-0430"), Some(noon));
        assert_eq!(utc("2024-01-08T12:00:00.25+00:00"), Some(noon + 0.25));
        assert_eq!(utc("2024-01-08T12:00:00.174830"), Some(noon + 0.17483));
        let meta = |t: &str| RunMeta {
            timestamp: Some(t.into()),
            ..RunMeta::default()
        };
        let within = meta("2024-01-08T12:00:00.000000+00:00").time_within_second();
        assert_eq!(within, parse_time("2024-01-08T12:00:00Z"));
        assert_eq!(meta("2024-01-08T12:00:00+00:00").time_within_second(), None);
        for bad in [
            "",
            "yesterday",
            "2024-01-08T12:00:00+1",
            "2024-01-08T12:00:00+25:00",
            "01/08/24 12:00:00",
        ] {
            assert_eq!(utc(bad), None, "{bad}");
        }
    }
}
