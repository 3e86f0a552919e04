//! Several runs a commit in the window: a CI matrix (Python versions, operating systems)
//! whose entries all record into one history. Every comparison then mixes the entries'
//! levels, and their differences count as noise, so real changes read as noisy. The
//! note says so, naming what tells the entries apart when the runs' machine description
//! shows it (pytest-benchmark's `machine_info.python_version`, say).

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Run;

/// Values of a machine key shown in the note, at most.
const SHOWN_VALUES: usize = 5;
/// Characters of each value shown, at most.
const SHOWN_CHARS: usize = 40;

/// Which runs the note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    /// The baseline window of a comparison (`analyze`).
    Baseline,
    /// A history scanned for change points (`changes`).
    History,
}

/// The note, when most commits of the runs were measured more than once: at least
/// two commits, on average two runs or more each, and more than one run for at least
/// half of them.
pub fn note(window: &[Run], about: Runs) -> Option<String> {
    let mut by_commit: BTreeMap<&str, Vec<&Run>> = BTreeMap::new();
    for run in window {
        if let Some(commit) = run.meta.commit.as_deref() {
            by_commit.entry(commit).or_default().push(run);
        }
    }
    let commits = by_commit.len();
    let runs: usize = by_commit.values().map(Vec::len).sum();
    let repeated: Vec<&Vec<&Run>> = by_commit.values().filter(|r| r.len() > 1).collect();
    if commits < 2 || runs < 2 * commits || 2 * repeated.len() < commits {
        return None;
    }
    let per_commit = runs as f64 / commits as f64;
    let each = if per_commit.fract() == 0.0 {
        format!("{per_commit:.0} runs a commit")
    } else {
        format!("{per_commit:.1} runs a commit on average")
    };
    let (what, effect) = match about {
        Runs::Baseline => (
            "baseline runs",
            "every comparison mixes them and counts their differences as noise",
        ),
        Runs::History => ("runs", "each benchmark's history interleaves their levels"),
    };
    let advice = "give each entry its own suite (`name:` in the action, `--suite` on the \
                  command line)";
    Some(match entry_key(&repeated) {
        Some((key, values)) => {
            let mut effect = effect.to_string();
            if let Some(first) = effect.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            format!(
                "The {runs} {what} measured {commits} commits, {each}, and the runs of a \
                 commit differ in `{key}` ({values}): the entries of a CI matrix recording \
                 into one history. {effect}; {advice}."
            )
        }
        None => format!(
            "The {runs} {what} measured {commits} commits, {each}. If these are the \
             entries of a CI matrix recording into one history, {effect}; {advice}."
        ),
    })
}

/// The top-level key of the runs' machine descriptions that tells a commit's runs
/// apart, with its values: it differs among the runs of at least half of the commits
/// measured more than once, and takes no more values than a commit has runs (an entry
/// of the matrix, not a host name that differs for every run). The key that differs
/// for the most commits, then the one with the fewest values, then the shortest name
/// (`python_version` before `python_implementation_version`).
fn entry_key(repeated: &[&Vec<&Run>]) -> Option<(String, String)> {
    let most_runs = repeated.iter().map(|r| r.len()).max()?;
    // For each key: the commits whose runs differ in it, and every value it took.
    let mut keys: BTreeMap<String, (usize, BTreeSet<String>)> = BTreeMap::new();
    for runs in repeated {
        let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for run in *runs {
            let Some(machine) = run.meta.machine.as_ref().and_then(|m| m.as_object()) else {
                continue;
            };
            for (key, value) in machine {
                let text = match value {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n.to_string(),
                    serde_json::Value::Bool(b) => b.to_string(),
                    _ => continue,
                };
                seen.entry(key.clone()).or_default().insert(text);
            }
        }
        for (key, values) in seen {
            let entry = keys.entry(key).or_default();
            entry.0 += usize::from(values.len() > 1);
            entry.1.extend(values);
        }
    }
    let (key, (_, values)) = keys
        .into_iter()
        .filter(|(_, (differ, values))| {
            2 * differ >= repeated.len() && (2..=most_runs).contains(&values.len())
        })
        .min_by(|a, b| {
            (b.1.0.cmp(&a.1.0))
                .then_with(|| a.1.1.len().cmp(&b.1.1.len()))
                .then_with(|| a.0.len().cmp(&b.0.len()))
                .then_with(|| a.0.cmp(&b.0))
        })?;
    let listed: Vec<String> = values
        .iter()
        .take(SHOWN_VALUES)
        .map(|v| match v.char_indices().nth(SHOWN_CHARS) {
            Some((cut, _)) => format!("{}…", &v[..cut]),
            None => v.clone(),
        })
        .collect();
    let more = values.len() - listed.len();
    let listed = listed.join(", ");
    Some((
        key,
        if more > 0 {
            format!("{listed} and {more} more")
        } else {
            listed
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RunMeta;

    fn run(commit: &str, machine: serde_json::Value) -> Run {
        Run {
            meta: RunMeta {
                commit: Some(commit.repeat(40)[..40].to_string()),
                tool: "pytest-benchmark".into(),
                machine: Some(machine),
                ..RunMeta::default()
            },
            benchmarks: Vec::new(),
        }
    }

    /// `commits` commits, each measured by one run per Python version, each run on
    /// its own host.
    fn matrix(commits: &[&str], versions: &[&str]) -> Vec<Run> {
        let mut host = 0;
        let mut runs = Vec::new();
        for c in commits {
            for v in versions {
                host += 1;
                runs.push(run(
                    c,
                    serde_json::json!({"python_version": v, "python_implementation_version": v,
                                       "node": format!("runner-{host}"), "cpu": {"count": 4}}),
                ));
            }
        }
        runs
    }

    #[test]
    fn a_matrix_in_one_history_is_named_with_what_tells_its_entries_apart() {
        let runs = matrix(&["a", "b", "c"], &["3.12.1", "3.10.4", "3.11.2"]);
        let note = note(&runs, Runs::Baseline).expect("a note");
        assert_eq!(
            note,
            "The 9 baseline runs measured 3 commits, 3 runs a commit, and the runs of a \
             commit differ in `python_version` (3.10.4, 3.11.2, 3.12.1): the entries of a \
             CI matrix recording into one history. Every comparison mixes them and counts \
             their differences as noise; give each entry its own suite (`name:` in the \
             action, `--suite` on the command line)."
        );
    }

    #[test]
    fn without_a_machine_key_the_note_says_what_it_cannot_tell() {
        let mut runs = matrix(&["a", "b", "c", "d"], &["x", "y"]);
        for r in &mut runs {
            r.meta.machine = None;
        }
        // One rerun more: 9 runs of 4 commits.
        runs.push(run("d", serde_json::json!({})));
        let note = note(&runs, Runs::Baseline).expect("a note");
        assert!(
            note.starts_with(
                "The 9 baseline runs measured 4 commits, 2.2 runs a commit on average. \
                 If these are the entries of a CI matrix recording into one history, \
                 every comparison mixes them"
            ),
            "{note}"
        );
    }

    #[test]
    fn one_run_a_commit_and_a_few_reruns_get_no_note() {
        let commits: Vec<String> = (0..10).map(|i| format!("{i:x}")).collect();
        let mut runs: Vec<Run> = commits
            .iter()
            .map(|c| run(c, serde_json::json!({"node": "h"})))
            .collect();
        assert_eq!(note(&runs, Runs::Baseline), None);
        // Reruns of 4 commits of 10: not most of them.
        for c in &commits[..4] {
            runs.push(run(c, serde_json::json!({"node": "h2"})));
        }
        assert_eq!(note(&runs, Runs::Baseline), None);
        // Every commit measured twice, but all of one commit: repeated runs, not a
        // matrix over commits.
        let same = matrix(&["a"], &["x", "y", "z"]);
        assert_eq!(note(&same, Runs::Baseline), None);
        // Runs without commits cannot be grouped.
        let mut anonymous = matrix(&["a", "b"], &["x", "y"]);
        for r in &mut anonymous {
            r.meta.commit = None;
        }
        assert_eq!(note(&anonymous, Runs::Baseline), None);
    }

    #[test]
    fn long_values_are_cut_in_the_note() {
        let long = "é".repeat(50);
        let runs = matrix(&["a", "b"], &[long.as_str(), "3.12"]);
        let note = note(&runs, Runs::Baseline).expect("a note");
        assert!(
            note.contains(&format!("(3.12, {}…)", "é".repeat(SHOWN_CHARS))),
            "{note}"
        );
    }

    #[test]
    fn a_host_name_that_differs_for_every_run_is_not_the_entry() {
        // Three runs a commit on fresh runners; nothing in the machine names an entry.
        let mut runs = matrix(&["a", "b", "c"], &["3.12", "3.12", "3.12"]);
        let note = note(&runs, Runs::Baseline).expect("a note");
        assert!(note.contains("If these are the entries"), "{note}");
        // A key that differs in only one commit of three does not name the entries.
        runs[0].meta.machine = Some(serde_json::json!({"python_version": "3.11"}));
        let note = super::note(&runs, Runs::Baseline).expect("a note");
        assert!(!note.contains("python_version"), "{note}");
    }
}
