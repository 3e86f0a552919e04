//! The process's environment, read once at start and passed down: whether stdout is a
//! terminal, `NO_COLOR`, every `GITHUB_*` variable bench-bot uses, the action's
//! `INPUT_*` and the API's test knobs. Nothing below `app` reads the environment.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::ColorArg;
use crate::github::api::ApiSettings;
use crate::report::ColorChoice;

/// The default REST API (GitHub Enterprise Server sets `GITHUB_API_URL`).
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// The environment, settled.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// Whether standard output is a terminal.
    pub stdout_is_terminal: bool,
    /// `NO_COLOR` is set to something.
    pub no_color: bool,
    /// What GitHub Actions tells the step.
    pub github: GithubEnv,
    /// The REST client's timeouts (`BENCH_BOT_API_TIMEOUT_MS`, `BENCH_BOT_API_RETRY_MS`).
    pub api: ApiSettings,
    /// Every variable with a value, for the action's `INPUT_*`.
    vars: HashMap<String, String>,
}

/// The `GITHUB_*` variables, each `None` when unset or empty.
#[derive(Debug, Clone, Default)]
pub struct GithubEnv {
    /// `GITHUB_TOKEN`.
    pub token: Option<String>,
    /// `GITHUB_REPOSITORY` (`owner/name`).
    pub repository: Option<String>,
    /// `GITHUB_API_URL`, else [`DEFAULT_API_URL`].
    pub api_url: String,
    /// `GITHUB_SERVER_URL`, else `https://github.com`.
    pub server_url: String,
    /// `GITHUB_RUN_ID`.
    pub run_id: Option<String>,
    /// `GITHUB_EVENT_NAME`.
    pub event_name: Option<String>,
    /// `GITHUB_EVENT_PATH`.
    pub event_path: Option<PathBuf>,
    /// `GITHUB_WORKSPACE`.
    pub workspace: Option<PathBuf>,
    /// `GITHUB_SHA`.
    pub sha: Option<String>,
    /// `GITHUB_REF_NAME`.
    pub ref_name: Option<String>,
    /// `GITHUB_HEAD_REF` (pull requests).
    pub head_ref: Option<String>,
    /// `GITHUB_BASE_REF` (pull requests).
    pub base_ref: Option<String>,
    /// `GITHUB_STEP_SUMMARY`.
    pub step_summary: Option<PathBuf>,
    /// `GITHUB_OUTPUT`.
    pub output: Option<PathBuf>,
}

impl Environment {
    /// Reads this process's environment.
    pub fn from_process() -> Environment {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
        let mut env = Environment::from_vars(vars);
        env.stdout_is_terminal = std::io::stdout().is_terminal();
        env
    }

    /// An environment from name–value pairs (stdout is not a terminal).
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Environment {
        let vars: HashMap<String, String> =
            vars.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let get = |name: &str| vars.get(name).cloned();
        let ms = |name: &str, default: Duration| {
            get(name)
                .and_then(|v| v.parse().ok())
                .map_or(default, Duration::from_millis)
        };
        let defaults = ApiSettings::default();
        Environment {
            stdout_is_terminal: false,
            no_color: get("NO_COLOR").is_some(),
            github: GithubEnv {
                token: get("GITHUB_TOKEN"),
                repository: get("GITHUB_REPOSITORY"),
                api_url: get("GITHUB_API_URL").unwrap_or_else(|| DEFAULT_API_URL.into()),
                server_url: get("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into()),
                run_id: get("GITHUB_RUN_ID"),
                event_name: get("GITHUB_EVENT_NAME"),
                event_path: get("GITHUB_EVENT_PATH").map(PathBuf::from),
                workspace: get("GITHUB_WORKSPACE").map(PathBuf::from),
                sha: get("GITHUB_SHA"),
                ref_name: get("GITHUB_REF_NAME"),
                head_ref: get("GITHUB_HEAD_REF"),
                base_ref: get("GITHUB_BASE_REF"),
                step_summary: get("GITHUB_STEP_SUMMARY").map(PathBuf::from),
                output: get("GITHUB_OUTPUT").map(PathBuf::from),
            },
            api: ApiSettings {
                timeout: ms("BENCH_BOT_API_TIMEOUT_MS", defaults.timeout),
                retry_base: ms("BENCH_BOT_API_RETRY_MS", defaults.retry_base),
            },
            vars,
        }
    }

    /// A variable's value, `None` when unset or empty.
    pub fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    /// Whether text output is coloured: `--color`, else only on a terminal without
    /// `NO_COLOR` (output to a file is never coloured by default).
    pub fn color(&self, arg: ColorArg, to_file: bool) -> ColorChoice {
        color_choice(arg, self.stdout_is_terminal && !to_file, self.no_color)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Environment {
        Environment::from_vars(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string())),
        )
    }

    #[test]
    fn colour_follows_the_terminal_and_no_color() {
        let mut e = env(&[]);
        e.stdout_is_terminal = true;
        assert_eq!(e.color(ColorArg::Auto, false), ColorChoice::Always);
        assert_eq!(e.color(ColorArg::Auto, true), ColorChoice::Never);
        let mut e = env(&[("NO_COLOR", "1")]);
        e.stdout_is_terminal = true;
        assert_eq!(e.color(ColorArg::Auto, false), ColorChoice::Never);
        assert_eq!(e.color(ColorArg::Always, true), ColorChoice::Always);
        let e = env(&[("NO_COLOR", "")]);
        assert!(!e.no_color, "an empty NO_COLOR is unset");
        assert_eq!(e.color(ColorArg::Auto, false), ColorChoice::Never);
        assert_eq!(e.color(ColorArg::Never, false), ColorChoice::Never);
    }

    #[test]
    fn github_variables_are_settled_with_defaults() {
        let e = env(&[
            ("GITHUB_REPOSITORY", "o/r"),
            ("GITHUB_TOKEN", ""),
            ("BENCH_BOT_API_RETRY_MS", "10"),
        ]);
        assert_eq!(e.github.repository.as_deref(), Some("o/r"));
        assert_eq!(e.github.token, None, "an empty token is no token");
        assert_eq!(e.github.api_url, DEFAULT_API_URL);
        assert_eq!(e.api.retry_base, Duration::from_millis(10));
        assert_eq!(e.api.timeout, ApiSettings::default().timeout);
    }
}
