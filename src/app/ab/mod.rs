//! `bench-bot ab`: base and head measured on this machine in alternating rounds (ABBA:
//! A B, B A, A B, … so that a drift of the machine during the run cancels), each side
//! in its own git worktree, then compared round by round (`analysis::analyze_paired`).

mod filter;
mod runner;
mod trees;

use std::time::{Duration, Instant};

use self::filter::Dialect;
use self::runner::Job;
use self::trees::{Side, Trees};
use super::analyze::{config_for, default_base_branch, emit, load_options};
use super::{Environment, Outcome};
use crate::analysis::{self, AbInfo};
use crate::cli::AbArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ingest::{self, LoadOptions};
use crate::model::Run;
use crate::report::{Status, Verdict};

/// Rounds planned when the budget decides: at least this many…
const MIN_ROUNDS: usize = 3;
/// …and at most this many.
const MAX_ROUNDS: usize = 30;
/// The undecided benchmarks' extra rounds go on while the budget lasts, up to this many
/// rounds in all (the exact test's table stays small: n(n + 1) entries).
const MAX_TOTAL_ROUNDS: usize = 100;

/// `bench-bot ab`.
pub fn command(args: &AbArgs, env: &Environment) -> Result<Outcome> {
    let config = config_for(&args.report)?;
    let options = load_options(&config, args.format_in);
    // Rounds take minutes: a report that could not be written afterwards would lose them.
    let output = args.report.output.as_deref();
    if let Some(folder) = output.and_then(std::path::Path::parent) {
        if !folder.as_os_str().is_empty() && !folder.is_dir() {
            return Err(Error::Usage(format!(
                "failed to write {}: the folder {} does not exist (checked before the rounds)",
                output.unwrap_or(folder).display(),
                folder.display()
            )));
        }
    }
    let repo = git2::Repository::discover(&args.repo).map_err(|e| {
        Error::Usage(format!(
            "bench-bot ab needs a git repository: {} is not in one ({})",
            args.repo.display(),
            e.message()
        ))
    })?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| Error::Usage("bench-bot ab needs a checkout, not a bare repository".into()))?
        .to_path_buf();
    let head = resolve(&repo, &args.head)?;
    let base = match &args.base {
        Some(rev) => resolve(&repo, rev)?,
        None => default_base(&repo, head, args.base_branch.as_deref(), env)?,
    };
    let info = AbInfo {
        base: short(&repo, base),
        head: short(&repo, head),
    };
    runner::catch_interrupts();
    let mut trees = Trees::add(&workdir, &base.to_string(), &head.to_string())?;
    if let Some(shared) = env.var("CARGO_TARGET_DIR") {
        trees.share_cargo_target(shared.into());
        progress(&format!(
            "CARGO_TARGET_DIR is set: the base side builds in {}, the head side in {}",
            trees.cargo_target(Side::Base).unwrap_or_default().display(),
            trees.cargo_target(Side::Head).unwrap_or_default().display()
        ));
    }
    let results = trees.results();
    std::fs::create_dir_all(&results)
        .map_err(|e| Error::Ab(format!("failed to create {}: {e}", results.display())))?;
    if let Some(build) = &args.build {
        for side in [Side::Base, Side::Head] {
            progress(&format!(
                "building the {} side ({})",
                side.name(),
                side_id(&info, side)
            ));
            runner::run(&Job {
                command: build,
                dir: &trees.path(side),
                env: trees.env(side),
                log: &results.join(format!("build-{}.log", side.name())),
                what: format!("the build of the {} side", side.name()),
            })?;
        }
    }
    let rounds = measure(args, &trees, &options, &config, &info)?;
    drop(trees);
    let report = analysis::analyze_paired(&rounds, &config, &info);
    emit(&report, &args.report, env, None)?;
    Ok(Outcome::of_report(&report, config.require_baseline))
}

/// Runs the rounds: a fixed number, or as many as the budget holds (and more while a
/// change past a tier is undecided and the budget lasts).
fn measure(
    args: &AbArgs,
    trees: &Trees,
    options: &LoadOptions,
    config: &Config,
    info: &AbInfo,
) -> Result<Vec<(Run, Run)>> {
    let mut rounds: Vec<(Run, Run)> = Vec::new();
    let started = Instant::now();
    let mut planned = args.rounds.map_or(MIN_ROUNDS, |n| n as usize);
    // The whole suite (empty, or `.` for Go); after the planned rounds, the suspects only.
    let mut dialect = Dialect::of_command(&args.run, args.format_in);
    let everything = Dialect::everything(dialect);
    let mut filter = everything.to_string();
    // Whether the rounds are past the planned ones, one at a time for the undecided.
    let mut extra = false;
    loop {
        let done = rounds.len();
        let elapsed = started.elapsed();
        let per_round = (done > 0).then(|| elapsed / done as u32);
        if done >= planned {
            let room = args.rounds.is_none()
                && done < MAX_TOTAL_ROUNDS
                && per_round.is_some_and(|t| elapsed + t <= args.time_budget);
            if !room {
                break;
            }
            let report = analysis::analyze_paired(&rounds, config, info);
            let suspects: Vec<&str> = report
                .results
                .iter()
                .filter(|r| r.status == Status::Noisy)
                .map(|r| r.id.as_str())
                .collect();
            if report.verdict != Verdict::Unknown || suspects.is_empty() {
                break;
            }
            planned = done + 1;
            extra = true;
            match dialect.filter(|_| args.run.contains("{filter}")) {
                Some(d) => {
                    filter = d.select(&suspects);
                    progress(&format!(
                        "{} undecided: one more round of them only ({{filter}} = {filter})",
                        suspects.len()
                    ));
                }
                None => progress(&format!(
                    "{} undecided: one more round (put {{filter}} in --run to rerun only them)",
                    suspects.len()
                )),
            }
        }
        let order = if done % 2 == 0 {
            [Side::Base, Side::Head]
        } else {
            [Side::Head, Side::Base]
        };
        let mut base = None;
        let mut head = None;
        for side in order {
            let run = one_side(args, trees, options, side, done + 1, &filter)?;
            match side {
                Side::Base => base = Some(run),
                Side::Head => head = Some(run),
            }
        }
        let (Some(base), Some(head)) = (base, head) else {
            return Err(Error::Internal("a round ran without both sides".into()));
        };
        // A filtered round must measure some benchmark the first round had.
        let missed_all = |(_, first): &(Run, Run)| !shares_a_benchmark(first, &head);
        if filter != everything && rounds.first().is_some_and(missed_all) {
            crate::app::warn(&format!(
                "{{filter}} = `{filter}` selected none of the undecided benchmarks; the \
                 next rounds run the whole suite"
            ));
            filter = everything.to_string();
            dialect = None;
        }
        if done == 0 {
            check_overlap(&base, &head)?;
            dialect = Dialect::of_tool(&head.meta.tool).or(dialect);
            if args.rounds.is_none() {
                let first = started.elapsed().max(Duration::from_millis(1));
                // Two thirds of the budget for the whole suite, the rest for the
                // suspects' extra rounds.
                let fit =
                    (args.time_budget.as_secs_f64() * 2.0 / 3.0 / first.as_secs_f64()) as usize;
                planned = fit.clamp(MIN_ROUNDS, MAX_ROUNDS);
            }
        }
        rounds.push((base, head));
        let n = rounds.len();
        let elapsed = started.elapsed();
        let (a, b) = (order[0].letter(), order[1].letter());
        if extra {
            // One round is planned at a time now: what is left is the budget's.
            progress(&format!(
                "round {n}, an extra one ({a}{b}): {} elapsed, {} of the {} budget left",
                fmt_duration(elapsed),
                fmt_duration(args.time_budget.saturating_sub(elapsed)),
                fmt_duration(args.time_budget)
            ));
        } else {
            let left = elapsed / n as u32 * planned.saturating_sub(n) as u32;
            progress(&format!(
                "round {n}/{planned} ({a}{b}): {} elapsed, about {} left",
                fmt_duration(elapsed),
                fmt_duration(left)
            ));
        }
    }
    Ok(rounds)
}

/// One side's run of one round, read back.
fn one_side(
    args: &AbArgs,
    trees: &Trees,
    options: &LoadOptions,
    side: Side,
    round: usize,
    filter: &str,
) -> Result<Run> {
    let results = trees.results();
    let out = results.join(format!("round-{round:02}-{}", side.name()));
    let command = args
        .run
        .replace("{out}", &out.display().to_string())
        .replace("{filter}", filter);
    let what = format!("round {round}, {} side", side.name());
    let log = results.join(format!("round-{round:02}-{}.log", side.name()));
    runner::run(&Job {
        command: &command,
        dir: &trees.path(side),
        env: [
            ("BENCH_BOT_OUT", out.display().to_string()),
            ("BENCH_BOT_SIDE", side.name().to_string()),
            ("BENCH_BOT_ROUND", round.to_string()),
        ]
        .into_iter()
        .chain(trees.env(side))
        .collect(),
        log: &log,
        what: what.clone(),
    })?;
    if !out.exists() {
        return Err(Error::Ab(format!(
            "{what}: `{command}` exited 0 but wrote no results to {} (use `{{out}}` or \
             $BENCH_BOT_OUT in --run)\n{}",
            out.display(),
            runner::tail(&log, 20)
        )));
    }
    let loaded = ingest::load(&out, options).map_err(|e| Error::Ab(format!("{what}: {e}")))?;
    for w in &loaded.warnings {
        super::warn(&format!("{what}: {w}"));
    }
    Ok(loaded.run)
}

/// Whether two runs have a benchmark id in common.
fn shares_a_benchmark(a: &Run, b: &Run) -> bool {
    let ids: std::collections::HashSet<&str> = a.benchmarks.iter().map(|x| x.id.as_str()).collect();
    b.benchmarks.iter().any(|x| ids.contains(x.id.as_str()))
}

/// The two sides must share benchmarks: otherwise the command ran different suites
/// (or failed quietly on one side), and nothing could be compared.
fn check_overlap(base: &Run, head: &Run) -> Result<()> {
    if shares_a_benchmark(base, head) {
        return Ok(());
    }
    Err(Error::Ab(format!(
        "round 1: the base side's results ({} benchmarks) and the head side's ({}) have no \
         benchmark in common: did the command run a different suite on each side?",
        base.benchmarks.len(),
        head.benchmarks.len()
    )))
}

fn resolve(repo: &git2::Repository, rev: &str) -> Result<git2::Oid> {
    repo.revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map(|c| c.id())
        .map_err(|e| Error::Usage(format!("`{rev}` names no commit here: {}", e.message())))
}

/// The merge-base of `head` and the base branch: `--base-branch`, else
/// $GITHUB_BASE_REF, else the remote's default branch, else `main`; found as
/// `origin/<name>` first, then as a local branch.
fn default_base(
    repo: &git2::Repository,
    head: git2::Oid,
    branch: Option<&str>,
    env: &Environment,
) -> Result<git2::Oid> {
    let name = branch.map_or_else(|| default_base_branch(repo, env), str::to_string);
    let tip = [
        format!("refs/remotes/origin/{name}"),
        format!("refs/heads/{name}"),
    ]
    .iter()
    .find_map(|r| repo.refname_to_id(r).ok())
    .ok_or_else(|| {
        Error::Usage(format!(
            "no base side: the base branch `{name}` exists neither as origin/{name} nor \
             locally; pass --base REV or --base-branch NAME (a shallow clone needs \
             `fetch-depth: 0`)"
        ))
    })?;
    repo.merge_base(head, tip).map_err(|e| {
        Error::Usage(format!(
            "no merge-base of {head} and `{name}` ({}); pass --base REV (a shallow clone \
             needs `fetch-depth: 0`)",
            e.message()
        ))
    })
}

fn short(repo: &git2::Repository, oid: git2::Oid) -> String {
    repo.find_object(oid, None)
        .ok()
        .and_then(|o| o.short_id().ok())
        .and_then(|s| s.as_str().ok().map(str::to_string))
        .unwrap_or_else(|| oid.to_string()[..12].to_string())
}

fn side_id(info: &AbInfo, side: Side) -> &str {
    match side {
        Side::Base => &info.base,
        Side::Head => &info.head,
    }
}

fn progress(message: &str) {
    eprintln!("bench-bot: {message}");
}

fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}
