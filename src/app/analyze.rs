//! `bench-bot analyze`, and the one analyze pipeline that it and the action share:
//! the current run and a baseline source in, a report with its warnings out.

use std::path::{Path, PathBuf};

use super::{Environment, Outcome};
use crate::analysis;
use crate::cli::{AnalyzeArgs, OutputFormat, ReportArgs};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::fs::{print_stdout, write_atomic};
use crate::history::{HistoryRepo, WindowRequest};
use crate::ingest::{self, Format, LoadOptions, Loaded};
use crate::model::Run;
use crate::report::{ColorChoice, RenderContext, Renderer, Report, TemplateKind, terminal_table};

/// Where the baseline runs come from.
pub enum BaselineSource<'a> {
    /// Result files, one run each, oldest first.
    Files(&'a [PathBuf]),
    /// A window of the history branch.
    History(&'a HistoryRepo, WindowRequest),
}

/// The baseline runs, how they were chosen, and what was worth a warning.
#[derive(Debug, Default)]
pub struct Baselines {
    /// The runs, oldest first.
    pub runs: Vec<Run>,
    /// How the history window was chosen (history only).
    pub chosen: Option<String>,
    /// Files skipped or assumed on the way.
    pub warnings: Vec<String>,
    /// The history branch does not exist: the sentence that says so and names the
    /// branches that hold runs (history only).
    pub missing_branch: Option<String>,
}

impl Baselines {
    /// Loads the baselines from their source.
    pub fn load(source: BaselineSource<'_>, options: &LoadOptions) -> Result<Baselines> {
        match source {
            BaselineSource::Files(paths) => {
                let (runs, warnings) = ingest::load_each(paths, options)?;
                Ok(Baselines {
                    runs,
                    chosen: None,
                    warnings,
                    missing_branch: None,
                })
            }
            BaselineSource::History(repo, request) => {
                let window = repo.window(&request)?;
                let missing_branch = window.missing_branch.map(|holding| {
                    let whereabouts = repo.remote_name().map_or_else(
                        || "does not exist here (and there is no remote to fetch it from)".into(),
                        |r| format!("exists neither here nor on `{r}`"),
                    );
                    let holding = match holding.as_slice() {
                        [] => "no branch here holds bench-bot runs yet".to_string(),
                        names => format!(
                            "branches holding bench-bot runs: {}",
                            names
                                .iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    format!(
                        "history branch `{}` {whereabouts}; {holding}",
                        repo.branch()
                    )
                });
                let mut warnings = window.warnings;
                warnings.extend(missing_branch.clone());
                Ok(Baselines {
                    runs: window.runs,
                    chosen: Some(window.description),
                    warnings,
                    missing_branch,
                })
            }
        }
    }
}

/// How inputs are read under `config`, with `format` forced when given.
pub fn load_options(config: &Config, format: Option<Format>) -> LoadOptions {
    LoadOptions {
        format,
        max_input_size: config.max_input_size,
        clock: config.google_benchmark_time,
    }
}

/// The pipeline: compares the current run with the baselines and puts every warning of
/// the way into the report.
pub fn run(current: &Loaded, baselines: Baselines, config: &Config) -> Report {
    // A runner shift inside the window: compare with the runs since, when there are
    // enough of them, and say so either way.
    let (shift, levels) = analysis::changes::window_runner_shift(&baselines.runs, config);
    let trimmed;
    // The window's level starts hold for the window scanned, not for the runs since a
    // shift.
    let (window, levels): (&[Run], _) = match &shift {
        Some((_, since)) if *since >= config.min_history => {
            trimmed = baselines.runs[baselines.runs.len() - since..].to_vec();
            (&trimmed, None)
        }
        _ => (&baselines.runs, Some(&levels)),
    };
    let mut report = analysis::analyze_with(&current.run, window, config, levels);
    if let Some((s, since)) = &shift {
        let name = |r: &crate::report::HistoryRun| {
            r.commit.as_deref().map_or_else(
                || format!("baseline run {}", r.index + 1),
                |c| c[..c.len().min(12)].to_string(),
            )
        };
        let moved = format!(
            "The runner moved between {} and {}: {} of {} benchmarks {} together",
            name(&s.last_before),
            name(&s.first_after),
            s.benchmarks,
            s.of,
            crate::units::fmt_pct(s.change_pct)
        );
        report.notes.push(if *since >= config.min_history {
            format!("{moved}; compared with the {since} runs since.")
        } else {
            format!("{moved}; only {since} runs since.")
        });
    }
    if let Some(missing) = &baselines.missing_branch {
        let mut note = missing.clone();
        if let Some(first) = note.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        // It says why there is no baseline, which `--history` was given for.
        report.notes.retain(|n| n != analysis::NO_BASELINE);
        report.notes.insert(0, format!("{note}."));
    }
    if let Some(how) = baselines.chosen {
        report.baseline.description = format!("{}: {how}", report.baseline.description);
    }
    report.warnings = current.warnings.clone();
    report.warnings.extend(baselines.warnings);
    report
}

/// `bench-bot analyze`.
pub fn command(args: &AnalyzeArgs, env: &Environment) -> Result<Outcome> {
    let config = config_for(&args.report)?;
    let options = load_options(&config, args.format_in);
    // The run under test is read on its own thread while the baselines load.
    let current = std::thread::scope(|scope| {
        let current = scope.spawn(|| ingest::load_all(&args.current, &options));
        let baselines = load_baselines(args, env, &config, &options);
        let current = current
            .join()
            .map_err(|_| Error::Internal("the thread reading the results panicked".into()))?;
        Ok::<_, Error>((current?, baselines?))
    });
    let (current, baselines) = current?;
    config.check_override_metrics(&current.run)?;
    let report = run(&current, baselines, &config);
    emit(&report, &args.report, env, args.template.as_deref())?;
    Ok(Outcome::of_report(&report, config.require_baseline))
}

/// The config a report command uses: the file found or named, with `--fail-on`.
pub fn config_for(args: &ReportArgs) -> Result<Config> {
    let mut config = Config::discover(args.config.as_deref())?;
    if args.fail_on.is_some() {
        config.fail_on = args.fail_on;
    }
    Ok(config)
}

/// Renders the report as asked and writes it to `--output` (atomically) or stdout.
pub fn emit(
    report: &Report,
    args: &ReportArgs,
    env: &Environment,
    template: Option<&Path>,
) -> Result<()> {
    let format = args.format.unwrap_or(OutputFormat::Text);
    let color = env.color(args.color, args.output.is_some());
    let text = render(report, format, color, template)?;
    match &args.output {
        Some(path) => write_atomic(path, text.as_bytes()),
        None => print_stdout(&text),
    }
}

/// The baselines of `analyze`: `--history`'s window, else the `--baseline` files.
fn load_baselines(
    args: &AnalyzeArgs,
    env: &Environment,
    config: &Config,
    options: &LoadOptions,
) -> Result<Baselines> {
    let repo;
    let source = match &args.history {
        Some(branch) => {
            repo = HistoryRepo::open_named(&args.repo.repo, branch, args.repo.remote.as_deref())?
                .with_token(env.github.token.clone());
            let request = WindowRequest {
                base_branch: args
                    .base_branch
                    .clone()
                    .unwrap_or_else(|| default_base_branch(repo.git(), env)),
                head: None,
                suite: args.suite.clone(),
                window: config.window,
            };
            BaselineSource::History(&repo, request)
        }
        None => BaselineSource::Files(&args.baseline),
    };
    Baselines::load(source, options)
}

/// The base branch when none is named: $GITHUB_BASE_REF, else the remote's default
/// branch (`origin/HEAD`), else `main`. Used by `analyze --history` and `ab`.
pub fn default_base_branch(git: &git2::Repository, env: &Environment) -> String {
    if let Some(base) = &env.github.base_ref {
        return base.clone();
    }
    git.find_reference("refs/remotes/origin/HEAD")
        .ok()
        .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_string))
        .and_then(|t| t.rsplit('/').next().map(str::to_string))
        .unwrap_or_else(|| "main".to_string())
}

/// Renders a report in one of the output formats.
pub fn render(
    report: &Report,
    format: OutputFormat,
    color: ColorChoice,
    template: Option<&Path>,
) -> Result<String> {
    match format {
        OutputFormat::Text => Ok(terminal_table(report, color)),
        OutputFormat::Json => report_json(report),
        OutputFormat::Markdown => {
            let renderer = match template {
                Some(path) => Renderer::with_template(path)?,
                None => Renderer::new(),
            };
            let ctx = RenderContext {
                full_report: "run with `--format json` for every result".into(),
                ..RenderContext::default()
            };
            renderer.render(TemplateKind::Comment, report, &ctx, None)
        }
    }
}

/// The JSON report, pretty-printed, with a final newline.
pub fn report_json(report: &Report) -> Result<String> {
    let mut s = serde_json::to_string_pretty(report)
        .map_err(|e| Error::Internal(format!("the report did not serialize: {e}")))?;
    s.push('\n');
    Ok(s)
}
