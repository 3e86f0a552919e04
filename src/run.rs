//! Runs a parsed command line: the glue between the CLI, the library and the sinks.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::analysis;
use crate::cli::{AnalyzeArgs, Cli, ColorArg, Command, OutputFormat};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ingest::{self, LoadOptions};
use crate::report::{ColorChoice, Renderer, Report, TemplateKind, terminal_table};

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
    }
}

fn analyze(args: &AnalyzeArgs) -> Result<Outcome> {
    let mut config = Config::discover(args.config.as_deref())?;
    if args.fail_on.is_some() {
        config.fail_on = args.fail_on;
    }
    let options = LoadOptions {
        format: args.format_in,
        max_input_size: config.max_input_size,
    };
    let current = ingest::load_all(&args.current, &options)?;
    let mut warnings = current.warnings;
    let mut baselines = Vec::with_capacity(args.baseline.len());
    for path in &args.baseline {
        let loaded = ingest::load(path, &options)?;
        warnings.extend(loaded.warnings);
        baselines.push(loaded.run);
    }
    let mut report = analysis::analyze(&current.run, &baselines, &config);
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
    let text = render(&report, format, color)?;
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

/// Renders a report in one of the output formats.
pub fn render(report: &Report, format: OutputFormat, color: ColorChoice) -> Result<String> {
    match format {
        OutputFormat::Text => Ok(terminal_table(report, color)),
        OutputFormat::Json => {
            let mut s =
                serde_json::to_string_pretty(report).map_err(|e| Error::Usage(e.to_string()))?;
            s.push('\n');
            Ok(s)
        }
        OutputFormat::Markdown => {
            let extra = serde_json::json!({"suite": null, "marker": false});
            Renderer::new().render(TemplateKind::Comment, report, &extra)
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
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}
