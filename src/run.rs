//! Runs a parsed command line: the glue between the CLI, the library and the sinks.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::analysis;
use crate::cli::{
    AnalyzeArgs, Cli, ColorArg, Command, CommentArgs, DashboardArgs, ImportArgs, OutputFormat,
    RecordArgs,
};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::history::{HistoryRepo, WindowRequest};
use crate::ingest;
use crate::report::{ColorChoice, RenderContext, Renderer, Report, TemplateKind, terminal_table};

/// How a successful command ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing blocks.
    Pass,
    /// A regression blocks the merge.
    Blocked,
}

/// Runs the command.
pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Analyze(args) => analyze(&args),
        Command::Record(args) => record(&args),
        Command::Import(args) => import(&args),
        Command::Action => crate::github::run(&|name| std::env::var(name).ok()),
        Command::Dashboard(args) => dashboard(&args),
        Command::Comment(args) => comment(&args),
    }
}

fn analyze(args: &AnalyzeArgs) -> Result<Outcome> {
    let mut config = Config::discover(args.config.as_deref())?;
    if args.fail_on.is_some() {
        config.fail_on = args.fail_on;
    }
    let options = config.load_options(args.format_in);
    let current = ingest::load_all(&args.current, &options)?;
    let mut warnings = current.warnings;
    let (mut baselines, baseline_warnings) = ingest::load_each(&args.baseline, &options)?;
    warnings.extend(baseline_warnings);
    let mut chosen = None;
    if let Some(branch) = &args.history {
        let repo = HistoryRepo::open(&args.repo.repo, branch, &args.repo.remote)?;
        let request = WindowRequest {
            base_branch: args
                .base_branch
                .clone()
                .unwrap_or_else(|| default_base_branch(&repo)),
            head: None,
            suite: args.suite.clone(),
            window: config.window,
        };
        let window = repo.window(&request)?;
        warnings.extend(window.warnings);
        baselines = window.runs;
        chosen = Some(window.description);
    }
    let mut report = analysis::analyze(&current.run, &baselines, &config);
    if let Some(how) = chosen {
        report.baseline.description = format!("{}: {how}", report.baseline.description);
    }
    report.warnings = warnings;
    let format = args.format.unwrap_or(OutputFormat::Text);
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        ColorArg::Always => ColorChoice::Always,
        ColorArg::Never => ColorChoice::Never,
        ColorArg::Auto
            if to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) =>
        {
            ColorChoice::Always
        }
        ColorArg::Auto => ColorChoice::Never,
    };
    let text = render(&report, format, color, args.template.as_deref())?;
    match &args.output {
        Some(path) => write_atomic(path, text.as_bytes())?,
        None => print_stdout(&text),
    }
    Ok(if report.blocked {
        Outcome::Blocked
    } else {
        Outcome::Pass
    })
}

/// The base branch of a comparison: the pull request's base, else the remote's default
/// branch, else `main`.
fn default_base_branch(repo: &HistoryRepo) -> String {
    if let Some(base) = std::env::var("GITHUB_BASE_REF")
        .ok()
        .filter(|b| !b.is_empty())
    {
        return base;
    }
    repo.git()
        .find_reference("refs/remotes/origin/HEAD")
        .ok()
        .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_string))
        .and_then(|t| t.rsplit('/').next().map(str::to_string))
        .unwrap_or_else(|| "main".to_string())
}

fn record(args: &RecordArgs) -> Result<Outcome> {
    let config = Config::discover(args.config.as_deref())?;
    let options = config.load_options(args.format_in);
    let loaded = ingest::load_all(&args.current, &options)?;
    for w in &loaded.warnings {
        eprintln!("bench-bot: warning: {w}");
    }
    let repo = HistoryRepo::open(&args.repo.repo, &args.history, &args.repo.remote)?;
    let mut run = loaded.run;
    let head = repo.git().head().ok();
    if let Some(commit) = &args.commit {
        run.meta.commit = Some(commit.clone());
    } else if run.meta.commit.is_none() {
        run.meta.commit = head
            .as_ref()
            .and_then(|h| h.target())
            .map(|o| o.to_string());
    }
    if args.suite.is_some() {
        run.meta.suite = args.suite.clone();
    }
    let branch = args
        .branch
        .clone()
        .or_else(|| {
            std::env::var("GITHUB_REF_NAME")
                .ok()
                .filter(|b| !b.is_empty())
        })
        .or_else(|| {
            head.as_ref()
                .filter(|h| h.is_branch())
                .and_then(|h| h.shorthand().ok().map(str::to_string))
        })
        .or_else(|| run.meta.branch.clone())
        .ok_or_else(|| {
            Error::Usage("cannot tell which branch the run measured: pass --branch".into())
        })?;
    run.meta.branch = Some(branch.clone());
    let record_options = config.record_options();
    let outcome = repo.record(&[(run, branch)], &[], &record_options)?;
    eprintln!(
        "bench-bot: recorded {} in `{}` at {}{}",
        outcome.paths.join(", "),
        args.history,
        &outcome.commit[..12],
        if outcome.pushed {
            ", pushed"
        } else {
            " (no remote: not pushed)"
        }
    );
    Ok(Outcome::Pass)
}

fn import(args: &ImportArgs) -> Result<Outcome> {
    let config = Config::discover(args.config.as_deref())?;
    let bytes = ingest::read_input(&args.file, config.max_input_size)?;
    let (runs, warnings) = ingest::parse_history(&args.file, &bytes)?;
    for w in &warnings {
        eprintln!("bench-bot: warning: {w}");
    }
    if runs.is_empty() {
        return Err(Error::input(
            &args.file,
            Some("github-action-benchmark"),
            "no runs in `entries`",
        ));
    }
    let repo = HistoryRepo::open(&args.repo.repo, &args.history, &args.repo.remote)?;
    let runs: Vec<(crate::model::Run, String)> = runs
        .into_iter()
        .map(|mut r| {
            r.meta.branch = Some(args.branch.clone());
            (r, args.branch.clone())
        })
        .collect();
    let record_options = config.record_options();
    let outcome = repo.record(&runs, &[], &record_options)?;
    eprintln!(
        "bench-bot: imported {} runs into `{}` at {}{}{}",
        outcome.paths.len(),
        args.history,
        &outcome.commit[..12],
        if outcome.pruned > 0 {
            format!(" ({} pruned by max_runs)", outcome.pruned)
        } else {
            String::new()
        },
        if outcome.pushed { ", pushed" } else { "" }
    );
    Ok(Outcome::Pass)
}

/// Colour only on a terminal, unless `NO_COLOR` is set or `--color` says otherwise.
pub fn color_choice(arg: ColorArg, to_terminal: bool, no_color: bool) -> ColorChoice {
    match arg {
        ColorArg::Always => ColorChoice::Always,
        ColorArg::Never => ColorChoice::Never,
        ColorArg::Auto if to_terminal && !no_color => ColorChoice::Always,
        ColorArg::Auto => ColorChoice::Never,
    }
}

fn dashboard(args: &DashboardArgs) -> Result<Outcome> {
    let config = Config::discover(args.config.as_deref())?;
    let (runs, title) = match &args.history {
        Some(branch) => {
            let repo = HistoryRepo::open(&args.repo.repo, branch, &args.repo.remote)?;
            let (runs, warnings) = repo.all_runs(&args.branch)?;
            for w in warnings {
                eprintln!("bench-bot: warning: {w}");
            }
            (runs, format!("Benchmarks on {}", args.branch))
        }
        None => {
            let (runs, warnings) = ingest::load_each(&args.runs, &config.load_options(None))?;
            for w in warnings {
                eprintln!("bench-bot: warning: {w}");
            }
            (runs, "Benchmarks".to_string())
        }
    };
    if runs.is_empty() {
        return Err(Error::Usage(
            "no runs to chart: pass result files or --history BRANCH".into(),
        ));
    }
    let html = crate::dashboard::render(&runs, &config, args.repo_url.clone(), &title);
    crate::dashboard::write(&args.out, &html)?;
    eprintln!(
        "bench-bot: wrote {} ({} runs)",
        args.out.join("index.html").display(),
        runs.len()
    );
    Ok(Outcome::Pass)
}

fn comment(args: &CommentArgs) -> Result<Outcome> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let bytes = ingest::read_input(&args.report, 64 << 20)?;
    let report: Report = serde_json::from_slice(&bytes).map_err(|e| {
        Error::input(
            &args.report,
            Some("bench-bot report"),
            format!("not a bench-bot/report/v1 report: {e}"),
        )
    })?;
    let token = env("GITHUB_TOKEN")
        .ok_or_else(|| Error::Usage("set GITHUB_TOKEN to post the comment".into()))?;
    let repository = args
        .repository
        .clone()
        .or_else(|| env("GITHUB_REPOSITORY"))
        .ok_or_else(|| {
            Error::Usage("pass --repository OWNER/NAME (or set GITHUB_REPOSITORY)".into())
        })?;
    let api_url = args
        .api_url
        .clone()
        .or_else(|| env("GITHUB_API_URL"))
        .unwrap_or_else(|| "https://api.github.com".into());
    let api = crate::github::api::Api::new(&api_url, &token, &repository)
        .map_err(|e| Error::Usage(e.to_string()))?;
    let ctx = RenderContext {
        suite: args.name.clone(),
        marker: true,
        repository: Some(repository),
        pr_number: Some(args.pr),
        full_report: format!("{} has every result", args.report.display()),
        ..RenderContext::default()
    };
    let renderer = match &args.template {
        Some(t) => Renderer::with_template(t)?,
        None => Renderer::new(),
    };
    let body = renderer.render(
        TemplateKind::Comment,
        &report,
        &ctx,
        Some(crate::report::GITHUB_COMMENT_LIMIT),
    )?;
    let url = crate::github::post_saved_report(
        &api,
        args.pr,
        &report,
        &ctx,
        &body,
        &args.author,
        &args.report,
    )?;
    eprintln!(
        "bench-bot: comment {}",
        url.unwrap_or_else(|| "posted".into())
    );
    Ok(Outcome::Pass)
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
        OutputFormat::Json => {
            let mut s =
                serde_json::to_string_pretty(report).map_err(|e| Error::Usage(e.to_string()))?;
            s.push('\n');
            Ok(s)
        }
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

/// Prints to stdout; a closed pipe (`| head`) is not an error.
fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Writes `bytes` to `path` through a temporary file in the same directory, so that
/// readers never see a partial file and a failure leaves nothing behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let err = |source| Error::Output {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    // Temporary files are private (0600); the result is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(err)?;
    }
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_the_terminal_and_no_color() {
        assert_eq!(
            color_choice(ColorArg::Auto, true, false),
            ColorChoice::Always
        );
        assert_eq!(color_choice(ColorArg::Auto, true, true), ColorChoice::Never);
        assert_eq!(
            color_choice(ColorArg::Auto, false, false),
            ColorChoice::Never
        );
        assert_eq!(
            color_choice(ColorArg::Always, false, true),
            ColorChoice::Always
        );
        assert_eq!(
            color_choice(ColorArg::Never, true, false),
            ColorChoice::Never
        );
    }
}
