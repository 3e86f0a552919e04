//! The rows of an asv result file, read in one pass in either layout (`asv.rs` turns
//! them into benchmarks): version 2 rows straight into their places when
//! `result_columns` comes first, as asv writes it, else kept raw until the layout is
//! known; version 1 entries and bare numbers from their raw JSON.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::json::Entries;

/// The file's layout, for the messages of a file that is not valid JSON or not an object.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub(super) struct AsvFile<'a> {
    #[serde(borrow)]
    results: Entries<&'a RawValue>,
    #[serde(default)]
    result_columns: Option<Vec<String>>,
}

/// The file as read in one pass: each benchmark's row is read as the file goes when
/// `result_columns` comes before `results` (as asv writes it), else kept raw until the
/// layout is known.
pub(super) struct Rows<'a> {
    pub result_columns: Option<Vec<String>>,
    pub rows: Vec<(String, Row<'a>)>,
}

/// A benchmark's results: read, or raw.
pub(super) enum Row<'a> {
    Read(Series),
    Raw(&'a RawValue),
}

/// Reads the file's object; a row that is wrong leaves its message in `failed`.
pub(super) struct FileSeed<'f> {
    pub failed: &'f std::cell::RefCell<Option<String>>,
}

impl<'de> serde::de::DeserializeSeed<'de> for FileSeed<'_> {
    type Value = Rows<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Rows<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for FileSeed<'_> {
    type Value = Rows<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an asv result file")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Rows<'de>, A::Error> {
        use serde::de::Error as _;
        let mut result_columns: Option<Vec<String>> = None;
        let mut columns_seen = false;
        let mut rows = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "result_columns" if !columns_seen => {
                    result_columns = map.next_value()?;
                    columns_seen = true;
                }
                "results" if rows.is_none() => {
                    rows = Some(match result_columns.as_deref() {
                        Some(names) => map.next_value_seed(ReadRows {
                            columns: &Columns::of(names),
                            failed: self.failed,
                        })?,
                        None => map
                            .next_value::<Entries<&'de RawValue>>()?
                            .0
                            .into_iter()
                            .map(|(name, raw)| (name, Row::Raw(raw)))
                            .collect(),
                    });
                }
                "result_columns" => return Err(A::Error::duplicate_field("result_columns")),
                "results" => return Err(A::Error::duplicate_field("results")),
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(Rows {
            result_columns,
            rows: rows.ok_or_else(|| A::Error::missing_field("results"))?,
        })
    }
}

/// `results` read row by row in the layout `columns` gives.
struct ReadRows<'c> {
    columns: &'c Columns,
    failed: &'c std::cell::RefCell<Option<String>>,
}

impl<'de> serde::de::DeserializeSeed<'de> for ReadRows<'_> {
    type Value = Vec<(String, Row<'de>)>;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for ReadRows<'_> {
    type Value = Vec<(String, Row<'de>)>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map of benchmark names to rows")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut rows = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(name) = map.next_key::<String>()? {
            let cell = std::cell::RefCell::new(None);
            let row = RowSeed {
                columns: self.columns,
                failed: &cell,
            };
            match map.next_value_seed(row) {
                Ok(series) => rows.push((name, Row::Read(series))),
                Err(e) => {
                    let what = row_failure(&cell, &e);
                    *self.failed.borrow_mut() = Some(format!("`results.{name}`: {what}"));
                    return Err(e);
                }
            }
        }
        Ok(rows)
    }
}

/// Version 1's entry for one benchmark.
#[derive(Debug, Deserialize)]
struct V1Entry {
    #[serde(default)]
    result: Option<Box<RawValue>>,
    #[serde(default)]
    params: Vec<Vec<String>>,
    #[serde(default)]
    stats: Vec<Option<V1Stats>>,
    #[serde(default)]
    samples: Vec<Option<Vec<Option<f64>>>>,
}

#[derive(Debug, Deserialize)]
struct V1Stats {
    #[serde(default)]
    q_25: Option<f64>,
    #[serde(default)]
    q_75: Option<f64>,
    #[serde(default)]
    repeat: Option<f64>,
}

/// One benchmark's results in either layout, one slot per parameter combination.
#[derive(Default)]
pub(super) struct Series {
    pub params: Vec<Vec<String>>,
    pub results: Vec<Option<f64>>,
    pub q25: Vec<Option<f64>>,
    pub q75: Vec<Option<f64>>,
    pub repeat: Vec<Option<f64>>,
    pub samples: Vec<Option<Vec<Option<f64>>>>,
}

fn from_raw<T: DeserializeOwned>(raw: &RawValue) -> std::result::Result<T, String> {
    serde_json::from_str(raw.get()).map_err(|e| e.to_string())
}

/// Where the columns bench-bot reads are in a version 2 row (`result_columns`).
#[derive(Default)]
pub(super) struct Columns {
    result: Option<usize>,
    params: Option<usize>,
    q25: Option<usize>,
    q75: Option<usize>,
    repeat: Option<usize>,
    samples: Option<usize>,
}

impl Columns {
    pub(super) fn of(names: &[String]) -> Columns {
        let at = |name: &str| names.iter().position(|c| c == name);
        Columns {
            result: at("result"),
            params: at("params"),
            q25: at("stats_q_25"),
            q75: at("stats_q_75"),
            repeat: at("stats_repeat"),
            samples: at("samples"),
        }
    }
}

/// A result: one number, `null`, or a list of them.
#[derive(Debug)]
struct Numbers(Vec<Option<f64>>);

impl<'de> Deserialize<'de> for Numbers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Numbers;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number, null or a list of them")
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Numbers, E> {
                Ok(Numbers(vec![Some(v)]))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Numbers, E> {
                Ok(Numbers(vec![Some(v as f64)]))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Numbers, E> {
                Ok(Numbers(vec![Some(v as f64)]))
            }
            fn visit_unit<E>(self) -> std::result::Result<Numbers, E> {
                Ok(Numbers(vec![None]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Numbers, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(v) = seq.next_element()? {
                    out.push(v);
                }
                Ok(Numbers(out))
            }
        }
        d.deserialize_any(Visit)
    }
}

/// Reads a version 2 row in one pass, each cell bench-bot reads straight into its
/// place and the others skipped. A cell that is wrong leaves its message in `failed`.
struct RowSeed<'a> {
    columns: &'a Columns,
    failed: &'a std::cell::RefCell<Option<String>>,
}

impl<'de> serde::de::DeserializeSeed<'de> for RowSeed<'_> {
    type Value = Series;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Series, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RowSeed<'_> {
    type Value = Series;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of cells in the order of `result_columns`")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Series, A::Error> {
        use serde::de::IgnoredAny;
        let mut series = Series {
            results: vec![None],
            ..Series::default()
        };
        let c = self.columns;
        let failed = |name: &str, e: A::Error| {
            *self.failed.borrow_mut() = Some(format!("`{name}`: {e}"));
            e
        };
        let mut i = 0;
        loop {
            let at = Some(i);
            let more = if at == c.result {
                seq.next_element::<Option<Numbers>>()
                    .map_err(|e| failed("result", e))?
                    .map(|v| series.results = v.map_or_else(|| vec![None], |n| n.0))
            } else if at == c.params {
                seq.next_element::<Option<Vec<Vec<String>>>>()
                    .map_err(|e| failed("params", e))?
                    .map(|v| series.params = v.unwrap_or_default())
            } else if at == c.samples {
                seq.next_element::<Option<Vec<Option<Vec<Option<f64>>>>>>()
                    .map_err(|e| failed("samples", e))?
                    .map(|v| series.samples = v.unwrap_or_default())
            } else if let Some((name, column)) = [
                (c.q25, "stats_q_25", &mut series.q25),
                (c.q75, "stats_q_75", &mut series.q75),
                (c.repeat, "stats_repeat", &mut series.repeat),
            ]
            .into_iter()
            .find_map(|(place, name, column)| (place == at).then_some((name, column)))
            {
                seq.next_element::<Option<Vec<Option<f64>>>>()
                    .map_err(|e| failed(name, e))?
                    .map(|v| *column = v.unwrap_or_default())
            } else {
                seq.next_element::<IgnoredAny>()?.map(|_| ())
            };
            if more.is_none() {
                return Ok(series);
            }
            i += 1;
        }
    }
}

/// What is wrong with a row that did not read: its cell's message, else that it is not
/// a row at all.
fn row_failure(failed: &std::cell::RefCell<Option<String>>, e: impl std::fmt::Display) -> String {
    failed.take().unwrap_or_else(|| format!("not a row ({e})"))
}

pub(super) fn v2_series(columns: &Columns, raw: &RawValue) -> std::result::Result<Series, String> {
    let failed = std::cell::RefCell::new(None);
    let row = RowSeed {
        columns,
        failed: &failed,
    };
    let mut de = serde_json::Deserializer::from_str(raw.get());
    serde::de::DeserializeSeed::deserialize(row, &mut de)
        .and_then(|series| de.end().map(|()| series))
        .map_err(|e| row_failure(&failed, e))
}

pub(super) fn v1_series(raw: &RawValue) -> std::result::Result<Series, String> {
    if !raw.get().trim_start().starts_with('{') {
        return Ok(Series {
            results: from_raw::<Numbers>(raw)?.0,
            ..Series::default()
        });
    }
    let entry: V1Entry = from_raw(raw)?;
    let (q25, (q75, repeat)) = entry
        .stats
        .iter()
        .map(|s| match s {
            Some(s) => (s.q_25, (s.q_75, s.repeat)),
            None => (None, (None, None)),
        })
        .unzip();
    Ok(Series {
        results: match &entry.result {
            Some(v) => {
                from_raw::<Numbers>(v)
                    .map_err(|e| format!("`result`: {e}"))?
                    .0
            }
            None => vec![None],
        },
        params: entry.params,
        q25,
        q75,
        repeat,
        samples: entry.samples,
    })
}
