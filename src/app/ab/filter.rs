//! `{filter}` in `--run`: the benchmarks to run, in the tool's own syntax, so that extra
//! rounds measure only the suspects (changes past a tier that the rounds so far could
//! not decide). Every round before that runs the whole suite: `{filter}` is empty,
//! which selects everything for each tool below.

/// How a tool selects benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// pytest's `-k` expression: test names joined with `or` (a parametrized test is
    /// selected with all its parameters: `-k` cannot name one parameter portably).
    Pytest,
    /// A regular expression over the whole id: criterion (`cargo bench -- {filter}`),
    /// Google Benchmark (`--benchmark_filter={filter}`).
    Regex,
    /// JMH's include patterns (`java -jar benchmarks.jar '{filter}'`): a regex over the
    /// fully qualified method, so `@Param` values and the mode are left out of it (each
    /// suspect is rerun with all its parameters).
    Jmh,
    /// Go's `-bench` regex: the top-level benchmark functions (`^(BenchmarkSort)$`),
    /// each rerun with all its sub-benchmarks. Go runs no benchmark for an empty
    /// `-bench`, so the whole suite is `.`.
    Go,
}

impl Dialect {
    /// The dialect of the tool that wrote a run (`RunMeta::tool`), if it has one.
    pub fn of_tool(tool: &str) -> Option<Dialect> {
        match tool {
            "pytest-benchmark" => Some(Dialect::Pytest),
            "criterion" | "cargo-criterion" | "bencher-text" | "google-benchmark" => {
                Some(Dialect::Regex)
            }
            "jmh" => Some(Dialect::Jmh),
            "go" => Some(Dialect::Go),
            _ => None,
        }
    }

    /// The dialect a `--run` command speaks before any result says which tool it is:
    /// only Go needs to be known this early (see `everything`).
    pub fn of_command(run: &str, forced: Option<crate::ingest::Format>) -> Option<Dialect> {
        let go = forced == Some(crate::ingest::Format::Go)
            || (forced.is_none() && run.contains("go test"));
        go.then_some(Dialect::Go)
    }

    /// The filter that selects the whole suite.
    pub fn everything(dialect: Option<Dialect>) -> &'static str {
        match dialect {
            Some(Dialect::Go) => ".",
            _ => "",
        }
    }

    /// The filter that selects exactly `ids` (and, for pytest, their siblings).
    pub fn select(self, ids: &[&str]) -> String {
        match self {
            Dialect::Pytest => {
                let mut names: Vec<&str> = ids
                    .iter()
                    .map(|id| {
                        let name = id.rsplit("::").next().unwrap_or(id);
                        name.split('[').next().unwrap_or(name)
                    })
                    .collect();
                names.sort_unstable();
                names.dedup();
                names.join(" or ")
            }
            Dialect::Regex => {
                let alternatives: Vec<String> = ids.iter().map(|id| escape(id)).collect();
                format!("^({})$", alternatives.join("|"))
            }
            Dialect::Go => {
                let mut names: Vec<String> = ids
                    .iter()
                    .map(|id| {
                        // `pkg/BenchmarkSort/n=100-2`: the function, without the package,
                        // its sub-benchmarks or the GOMAXPROCS suffix.
                        let name = id
                            .split('/')
                            .find(|c| c.starts_with("Benchmark"))
                            .unwrap_or(id);
                        let name = match name.rsplit_once('-') {
                            Some((n, procs)) if procs.chars().all(|c| c.is_ascii_digit()) => n,
                            _ => name,
                        };
                        escape(name)
                    })
                    .collect();
                names.sort_unstable();
                names.dedup();
                format!("^({})$", names.join("|"))
            }
            Dialect::Jmh => {
                let mut methods: Vec<String> = ids
                    .iter()
                    .map(|id| {
                        let end = id.find([' ', '[', '(']).unwrap_or(id.len());
                        escape(&id[..end])
                    })
                    .collect();
                methods.sort_unstable();
                methods.dedup();
                format!("^({})$", methods.join("|"))
            }
        }
    }
}

fn escape(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_dialect_names_the_suspects() {
        assert_eq!(
            Dialect::Pytest.select(&[
                "tests/test_x.py::test_sort[10]",
                "tests/test_x.py::test_sort[100]",
                "tests/test_x.py::TestS::test_join",
            ]),
            "test_join or test_sort"
        );
        assert_eq!(
            Dialect::Regex.select(&["parse/digits/64", "BM_Sort/1024"]),
            "^(parse/digits/64|BM_Sort/1024)$"
        );
        assert_eq!(Dialect::Regex.select(&["a.b(c)"]), "^(a\\.b\\(c\\))$");
        assert_eq!(
            Dialect::Jmh.select(&[
                "org.x.Bench.parse [size=10]",
                "org.x.Bench.parse [size=100]",
                "org.x.Bench.emit (avgt)",
            ]),
            "^(org\\.x\\.Bench\\.emit|org\\.x\\.Bench\\.parse)$"
        );
        assert_eq!(Dialect::of_tool("jmh"), Some(Dialect::Jmh));
        assert_eq!(
            Dialect::Go.select(&[
                "example.com/x/sorting/BenchmarkSort/n=100-2",
                "example.com/x/sorting/BenchmarkSort/n=1000-2",
                "example.com/x/hashing/BenchmarkFNV-2",
            ]),
            "^(BenchmarkFNV|BenchmarkSort)$"
        );
        let go = Dialect::of_command("go test -run '^$' -bench '{filter}' ./...", None);
        assert_eq!((go, Dialect::everything(go)), (Some(Dialect::Go), "."));
        let pytest = Dialect::of_command("pytest -k '{filter}'", None);
        assert_eq!(Dialect::everything(pytest), "");
        assert_eq!(Dialect::of_tool("hyperfine"), None);
        assert_eq!(Dialect::of_tool("pytest-benchmark"), Some(Dialect::Pytest));
    }
}
