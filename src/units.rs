//! Units: parsing the units tools write into canonical ones, and formatting canonical
//! values for people (ns/µs/ms/s, KiB/MiB, ops/s).

use crate::model::{Direction, Metric};

/// A unit as a tool wrote it, resolved to a metric, direction and canonical scale.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedUnit {
    /// What the unit measures.
    pub metric: Metric,
    /// Which way is better, when the unit says.
    pub direction: Direction,
    /// The canonical unit (`ns`, `B`, `B/s`, `elements/s`, `ops/s`, or the unit itself).
    pub canonical: String,
    /// Multiply a value in the written unit by this to get the canonical unit.
    pub factor: f64,
    /// False when the unit is unknown and the direction is only a default.
    pub known: bool,
}

/// Resolves a unit string such as `ns/iter`, `ms`, `iter/sec`, `MiB/s` or `B`.
///
/// Only the first whitespace-separated token counts: some tools write units like
/// `"ns/op\t 0 B/op\t 0 allocs/op"`. Unknown units become a custom metric named after
/// the unit, lower is better unless the configuration says otherwise.
pub fn parse_unit(raw: &str) -> ParsedUnit {
    let unit = raw.split_whitespace().next().unwrap_or("");
    let time = |f: f64| (Metric::Time, Direction::LowerIsBetter, "ns", f);
    let thr = |c: &'static str, f: f64| (Metric::Throughput, Direction::HigherIsBetter, c, f);
    let mem = |f: f64| (Metric::Memory, Direction::LowerIsBetter, "B", f);
    let lower = unit.to_ascii_lowercase();
    // Per-iteration suffixes say nothing about the scale.
    let base = ["/iter", "/op", "/call"]
        .iter()
        .find_map(|s| lower.strip_suffix(s))
        .unwrap_or(&lower);
    let found = match base {
        "ns" | "nsec" | "nanoseconds" => Some(time(1.0)),
        "us" | "µs" | "μs" | "usec" | "microseconds" => Some(time(1e3)),
        "ms" | "msec" | "milliseconds" => Some(time(1e6)),
        "s" | "sec" | "secs" | "seconds" => Some(time(1e9)),
        "min" => Some(time(60e9)),
        "ops/s" | "op/s" | "ops/sec" | "op/sec" | "iter/sec" | "iter/s" | "iters/s" | "hz"
        | "runs/s" | "calls/s" | "req/s" | "requests/s" => Some(thr("ops/s", 1.0)),
        // JMH's throughput units: operations per its time unit.
        "ops/ms" => Some(thr("ops/s", 1e3)),
        "ops/us" | "ops/µs" => Some(thr("ops/s", 1e6)),
        "ops/ns" => Some(thr("ops/s", 1e9)),
        "ops/min" => Some(thr("ops/s", 1.0 / 60.0)),
        "elements/s" | "elem/s" | "items/s" | "item/s" => Some(thr("elements/s", 1.0)),
        "b/s" | "bytes/s" => Some(thr("B/s", 1.0)),
        "kb/s" => Some(thr("B/s", 1e3)),
        "kib/s" => Some(thr("B/s", 1024.0)),
        "mb/s" => Some(thr("B/s", 1e6)),
        "mib/s" => Some(thr("B/s", 1024.0 * 1024.0)),
        "gb/s" => Some(thr("B/s", 1e9)),
        "gib/s" => Some(thr("B/s", 1024.0 * 1024.0 * 1024.0)),
        "b" | "bytes" => Some(mem(1.0)),
        "kb" => Some(mem(1e3)),
        "kib" => Some(mem(1024.0)),
        "mb" => Some(mem(1e6)),
        "mib" => Some(mem(1024.0 * 1024.0)),
        "gb" => Some(mem(1e9)),
        "gib" => Some(mem(1024.0 * 1024.0 * 1024.0)),
        _ => None,
    };
    match found {
        Some((metric, direction, canonical, factor)) => ParsedUnit {
            metric,
            direction,
            canonical: canonical.to_string(),
            factor,
            known: true,
        },
        None => ParsedUnit {
            metric: Metric::Custom(if unit.is_empty() { "value" } else { unit }.to_string()),
            direction: Direction::LowerIsBetter,
            canonical: unit.to_string(),
            factor: 1.0,
            known: false,
        },
    }
}

/// Formats a value in a canonical unit for people: `1.23 ms`, `4.5 MiB`, `12.3 Kops/s`.
pub fn human(value: f64, unit: &str) -> String {
    if !value.is_finite() {
        return format!("{value} {unit}");
    }
    match unit {
        "ns" => scaled(value, &[(1e9, "s"), (1e6, "ms"), (1e3, "µs"), (1.0, "ns")]),
        "B" => binary(value, ""),
        "B/s" => binary(value, "/s"),
        "bit/s" => decimal(value, "bit/s"),
        "ops/s" => decimal(value, "ops/s"),
        "elements/s" => decimal(value, "elem/s"),
        "" => sig(value),
        other => format!("{} {other}", sig(value)),
    }
}

/// A divisor and unit label that show values up to `max` (in canonical `unit`) readably,
/// for chart axes: `(1e3, "µs")` for times in the microseconds.
pub fn axis_scale(max: f64, unit: &str) -> (f64, String) {
    const K: f64 = 1024.0;
    let steps: Vec<(f64, String)> = match unit {
        "ns" => vec![
            (1e9, "s".into()),
            (1e6, "ms".into()),
            (1e3, "µs".into()),
            (1.0, "ns".into()),
        ],
        "B" | "B/s" => {
            let suffix = unit.trim_start_matches('B');
            vec![
                (K * K * K, format!("GiB{suffix}")),
                (K * K, format!("MiB{suffix}")),
                (K, format!("KiB{suffix}")),
                (1.0, format!("B{suffix}")),
            ]
        }
        "ops/s" | "elements/s" | "bit/s" => {
            let u = if unit == "elements/s" { "elem/s" } else { unit };
            vec![
                (1e9, format!("G{u}")),
                (1e6, format!("M{u}")),
                (1e3, format!("K{u}")),
                (1.0, u.to_string()),
            ]
        }
        other => vec![(1.0, other.to_string())],
    };
    steps
        .iter()
        .find(|(f, _)| max.abs() >= *f)
        .or_else(|| steps.last())
        .cloned()
        .unwrap_or((1.0, unit.to_string()))
}

/// A signed percentage for people: `+4.2 %`, `−3.1 %` (a real minus sign).
pub fn fmt_pct(v: f64) -> String {
    if v >= 0.0 {
        format!("+{v:.1} %")
    } else {
        format!("\u{2212}{:.1} %", -v)
    }
}

fn scaled(value: f64, steps: &[(f64, &str)]) -> String {
    let abs = value.abs();
    let mut k = steps
        .iter()
        .position(|(factor, _)| abs >= *factor)
        .unwrap_or(steps.len() - 1);
    // 999.86 ns rounds to "1000 ns": say "1.00 µs" instead.
    let mut scaled = value / steps[k].0;
    if k > 0 {
        let shown: f64 = sig(scaled).parse().unwrap_or(0.0);
        let ratio = steps[k - 1].0 / steps[k].0;
        if shown.abs() >= ratio {
            k -= 1;
            scaled = shown / ratio;
        }
    }
    format!("{} {}", sig(scaled), steps[k].1)
}

fn binary(value: f64, suffix: &str) -> String {
    const K: f64 = 1024.0;
    let steps = [
        (K * K * K, format!("GiB{suffix}")),
        (K * K, format!("MiB{suffix}")),
        (K, format!("KiB{suffix}")),
        (1.0, format!("B{suffix}")),
    ];
    let refs: Vec<(f64, &str)> = steps.iter().map(|(f, n)| (*f, n.as_str())).collect();
    scaled(value, &refs)
}

fn decimal(value: f64, unit: &str) -> String {
    let steps = [
        (1e9, format!("G{unit}")),
        (1e6, format!("M{unit}")),
        (1e3, format!("K{unit}")),
        (1.0, unit.to_string()),
    ];
    let refs: Vec<(f64, &str)> = steps.iter().map(|(f, n)| (*f, n.as_str())).collect();
    scaled(value, &refs)
}

/// Three significant digits, no exponent for everyday magnitudes.
fn sig(value: f64) -> String {
    let abs = value.abs();
    if abs == 0.0 {
        "0".to_string()
    } else if abs >= 100.0 {
        format!("{value:.0}")
    } else if abs >= 10.0 {
        format!("{value:.1}")
    } else if abs >= 1.0 {
        format!("{value:.2}")
    } else if abs >= 0.001 {
        format!("{value:.3}")
    } else {
        format!("{value:.3e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_resolve_to_canonical_scales() {
        let u = parse_unit("ms");
        assert_eq!(
            (u.metric, u.factor, u.canonical.as_str()),
            (Metric::Time, 1e6, "ns")
        );
        let u = parse_unit("ns/op\t 0 B/op\t 0 allocs/op");
        assert_eq!((u.metric, u.factor), (Metric::Time, 1.0));
        let u = parse_unit("iter/sec");
        assert_eq!(u.direction, Direction::HigherIsBetter);
        assert_eq!(u.canonical, "ops/s");
        let u = parse_unit("MiB");
        assert_eq!((u.metric, u.factor), (Metric::Memory, 1048576.0));
        let u = parse_unit("allocs/op");
        assert!(!u.known);
        assert_eq!(u.metric, Metric::Custom("allocs/op".into()));
    }

    #[test]
    fn human_units_pick_a_readable_scale() {
        assert_eq!(human(1234.0, "ns"), "1.23 µs");
        assert_eq!(human(999.0, "ns"), "999 ns");
        assert_eq!(human(999.86, "ns"), "1.00 µs");
        assert_eq!(human(999_600.0, "ns"), "1.00 ms");
        assert_eq!(human(1023.9, "B"), "1.00 KiB");
        assert_eq!(human(2.5e9, "ns"), "2.50 s");
        assert_eq!(human(0.25, "ns"), "0.250 ns");
        assert_eq!(human(3.0 * 1024.0 * 1024.0, "B"), "3.00 MiB");
        assert_eq!(human(1500.0, "ops/s"), "1.50 Kops/s");
        assert_eq!(human(2048.0, "B/s"), "2.00 KiB/s");
        assert_eq!(human(7.0, "allocs/op"), "7.00 allocs/op");
    }
}
