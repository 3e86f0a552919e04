//! `bench-bot action` end to end: the binary with GitHub's environment, event payloads in
//! GitHub's documented shapes, real git repositories, and a fake GitHub API on 127.0.0.1
//! (wiremock) that keeps comments between runs and records every request.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use common::repo as repo_file;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const REPO: &str = "octo-org/widgets";
const TOKEN: &str = "ghs_secret_test_token_123";
const HEAD: &str = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const BOT: &str = "github-actions[bot]";

/// Comments on issues and commits, shared by the responders.
#[derive(Default)]
struct State {
    comments: Vec<Value>,
    next_id: u64,
}

#[derive(Clone)]
struct Fake(Arc<Mutex<State>>);

impl Fake {
    fn seed(&self, login: &str, body: &str) {
        let mut s = self.0.lock().expect("lock");
        s.next_id += 1;
        let id = s.next_id;
        s.comments.push(comment(id, login, body, "issue"));
    }

    fn comments(&self) -> Vec<Value> {
        self.0.lock().expect("lock").comments.clone()
    }
}

fn comment(id: u64, login: &str, body: &str, on: &str) -> Value {
    json!({
        "id": id, "node_id": format!("IC_{id}"),
        "url": format!("https://api.github.com/repos/{REPO}/issues/comments/{id}"),
        "html_url": format!("https://github.com/{REPO}/pull/2#issuecomment-{id}"),
        "body": body, "user": {"login": login, "id": 41898282, "type": "Bot"},
        "created_at": "2026-11-24T05:00:00Z", "updated_at": "2026-11-24T05:00:00Z",
        "author_association": "NONE", "on": on
    })
}

fn query(req: &Request, key: &str) -> Option<String> {
    req.url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// GET lists (paginated), POST creates, PATCH updates; comments are GitHub-shaped.
struct Comments {
    fake: Fake,
    on: &'static str,
}

impl Respond for Comments {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut s = self.fake.0.lock().expect("lock");
        match req.method.as_str() {
            "GET" => {
                let page: usize = query(req, "page").and_then(|p| p.parse().ok()).unwrap_or(1);
                let per: usize = query(req, "per_page")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(30);
                let mine: Vec<&Value> = s.comments.iter().filter(|c| c["on"] == self.on).collect();
                let slice: Vec<&Value> = mine
                    .iter()
                    .skip((page - 1) * per)
                    .take(per)
                    .copied()
                    .collect();
                ResponseTemplate::new(200).set_body_json(slice)
            }
            "POST" => {
                let body: Value = serde_json::from_slice(&req.body).expect("json body");
                s.next_id += 1;
                let id = s.next_id;
                let c = comment(id, BOT, body["body"].as_str().expect("body"), self.on);
                s.comments.push(c.clone());
                ResponseTemplate::new(201).set_body_json(c)
            }
            _ => {
                let id: u64 = req
                    .url
                    .path()
                    .rsplit('/')
                    .next()
                    .and_then(|x| x.parse().ok())
                    .expect("id");
                let body: Value = serde_json::from_slice(&req.body).expect("json body");
                match s.comments.iter_mut().find(|c| c["id"] == id) {
                    Some(c) => {
                        c["body"] = body["body"].clone();
                        ResponseTemplate::new(200).set_body_json(c.clone())
                    }
                    None => {
                        ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}))
                    }
                }
            }
        }
    }
}

async fn github(prefix: &str) -> (MockServer, Fake) {
    let server = MockServer::start().await;
    let fake = Fake(Arc::new(Mutex::new(State::default())));
    let issue = format!("^{prefix}/repos/{REPO}/issues/2/comments$");
    let issue_update = format!("^{prefix}/repos/{REPO}/issues/comments/\\d+$");
    let commit = format!("^{prefix}/repos/{REPO}/commits/{HEAD}/comments$");
    let commit_update = format!("^{prefix}/repos/{REPO}/comments/\\d+$");
    for (m, p, on) in [
        ("GET", &issue, "issue"),
        ("POST", &issue, "issue"),
        ("PATCH", &issue_update, "issue"),
        ("GET", &commit, "commit"),
        ("POST", &commit, "commit"),
        ("PATCH", &commit_update, "commit"),
    ] {
        Mock::given(method(m))
            .and(path_regex(p.as_str()))
            .respond_with(Comments {
                fake: fake.clone(),
                on,
            })
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(format!("{prefix}/repos/{REPO}/issues/2/labels")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"id": 1, "name": "performance-regression"}])),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{prefix}/repos/{REPO}/check-runs")))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"id": 4, "status": "completed"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{prefix}/repos/{REPO}/pulls/2")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"number": 2, "state": "open", "head": {"sha": HEAD, "ref": "faster-parser"}}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{prefix}/repos/{REPO}/pulls")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!([{"number": 2, "state": "open", "head": {"sha": HEAD, "ref": "faster-parser"}}]),
        ))
        .mount(&server)
        .await;
    (server, fake)
}

struct Run {
    code: i32,
    stdout: String,
    outputs: String,
    summary: String,
}

/// A `bench-bot action` run to make: GitHub's variables for `workspace`, a
/// `pull_request` event by default, the API at the fake server, and the inputs.
struct ActionRun<'a> {
    server: &'a MockServer,
    workspace: &'a Path,
    api_path: &'a str,
    event: &'a str,
    payload: &'a str,
    inputs: Vec<(&'a str, String)>,
}

impl<'a> ActionRun<'a> {
    fn new(server: &'a MockServer, workspace: &'a Path) -> Self {
        ActionRun {
            server,
            workspace,
            api_path: "",
            event: "pull_request",
            payload: "pull_request.json",
            inputs: Vec::new(),
        }
    }

    /// The API below this path of the server (GitHub Enterprise Server: `/api/v3`).
    fn api_path(mut self, path: &'a str) -> Self {
        self.api_path = path;
        self
    }

    /// The event and its payload under fixtures/github/.
    fn event(mut self, name: &'a str, payload: &'a str) -> Self {
        self.event = name;
        self.payload = payload;
        self
    }

    /// The action's inputs (`INPUT_<NAME>`).
    fn inputs(mut self, inputs: &[(&'a str, String)]) -> Self {
        self.inputs.extend_from_slice(inputs);
        self
    }

    /// Runs the binary and collects what it wrote.
    async fn run(self) -> Run {
        let ActionRun {
            server,
            workspace,
            api_path,
            event,
            payload,
            inputs,
        } = self;
        let out_file = workspace.join(".gh-output");
        let summary_file = workspace.join(".gh-summary");
        let _ = std::fs::remove_file(&out_file);
        let _ = std::fs::remove_file(&summary_file);
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("bench-bot"));
        cmd.arg("action")
            .current_dir(workspace)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("GITHUB_EVENT_NAME", event)
            .env(
                "GITHUB_EVENT_PATH",
                repo_file(&format!("fixtures/github/{payload}")),
            )
            .env("GITHUB_REPOSITORY", REPO)
            .env("GITHUB_API_URL", format!("{}{api_path}", server.uri()))
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_RUN_ID", "7")
            .env("GITHUB_SHA", "1111111111111111111111111111111111111111")
            .env("GITHUB_WORKSPACE", workspace)
            .env("GITHUB_OUTPUT", &out_file)
            .env("GITHUB_STEP_SUMMARY", &summary_file)
            .env("BENCH_BOT_API_RETRY_MS", "10")
            .env("BENCH_BOT_API_TIMEOUT_MS", "1500")
            .env("INPUT_GITHUB-TOKEN", TOKEN);
        for (k, v) in &inputs {
            cmd.env(format!("INPUT_{}", k.to_uppercase()), v);
        }
        let out = tokio::task::spawn_blocking(move || cmd.output().expect("runs"))
            .await
            .expect("join");
        Run {
            code: out.status.code().expect("exit code"),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
            outputs: std::fs::read_to_string(&out_file).unwrap_or_default(),
            summary: std::fs::read_to_string(&summary_file).unwrap_or_default(),
        }
    }
}

/// The pytest fixtures, copied into the workspace (inputs must live there).
fn pytest_inputs(ws: &Path) -> Vec<(&'static str, String)> {
    for name in ["candidate.json", "baseline.json"] {
        std::fs::copy(repo_file(&format!("fixtures/pytest/{name}")), ws.join(name))
            .expect("copy fixture");
    }
    vec![
        ("results", "candidate.json".into()),
        ("baseline", "baseline.json".into()),
    ]
}

async fn requests(server: &MockServer, m: &str, contains: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.method.as_str() == m && r.url.path().contains(contains))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_request_gets_one_comment_updated_in_place() {
    let (server, fake) = github("").await;
    let ws = tempfile::tempdir().expect("tmp");
    let run = ActionRun::new(&server, ws.path())
        .inputs(&pytest_inputs(ws.path()))
        .run()
        .await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    let posted = requests(&server, "POST", "/issues/2/comments").await;
    assert_eq!(posted.len(), 1);
    let body: Value = serde_json::from_slice(&posted[0].body).expect("json");
    let body = body["body"].as_str().expect("body");
    assert!(body.starts_with("<!-- bench-bot:default -->"), "{body}");
    assert!(
        body.contains("`test_fixture_suite.py::test_sort_slowed`") && body.contains("critical"),
        "{body}"
    );
    assert!(
        body.contains("https://github.com/octo-org/widgets/actions/runs/7"),
        "{body}"
    );
    // Outputs, summary, annotations.
    assert!(
        run.outputs.contains("verdict=critical\n") && run.outputs.contains("blocked=true\n"),
        "{}",
        run.outputs
    );
    assert!(run.outputs.contains("regressions=1\n") && run.outputs.contains("improvements=2\n"));
    assert!(
        run.outputs
            .contains("comment-url=https://github.com/octo-org/widgets/pull/2#issuecomment-1")
    );
    let report_line = run
        .outputs
        .lines()
        .find(|l| l.starts_with("report="))
        .expect("report output");
    // Workspace-relative, so it is valid on the runner (the container's workspace path
    // is not).
    assert_eq!(report_line, "report=bench-bot-report/report.json");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(ws.path().join(&report_line[7..])).expect("saved"),
    )
    .expect("json");
    assert_eq!(report["schema"], "bench-bot/report/v1");
    assert!(
        run.summary.contains("## 🔴 bench-bot")
            && run
                .summary
                .contains("`test_fixture_suite.py::test_sort_slowed`"),
        "{}",
        run.summary
    );
    assert!(run.stdout.contains("::error title=bench-bot%3A critical regression::test_fixture_suite.py::test_sort_slowed"), "{}", run.stdout);
    // The token is masked, never printed otherwise.
    assert_eq!(run.stdout.matches(TOKEN).count(), 1, "{}", run.stdout);
    assert!(run.stdout.contains(&format!("::add-mask::{TOKEN}")));
    let auth = posted[0]
        .headers
        .get("authorization")
        .expect("auth")
        .to_str()
        .expect("ascii");
    assert_eq!(auth, format!("Bearer {TOKEN}"));

    // A second run updates the same comment.
    let run = ActionRun::new(&server, ws.path())
        .inputs(&pytest_inputs(ws.path()))
        .run()
        .await;
    assert_eq!(run.code, 1);
    assert_eq!(
        requests(&server, "POST", "/issues/2/comments").await.len(),
        1
    );
    assert_eq!(
        requests(&server, "PATCH", "/issues/comments/1").await.len(),
        1
    );
    assert_eq!(fake.comments().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_marker_pasted_by_someone_else_is_left_alone_and_pages_are_followed() {
    let (server, fake) = github("").await;
    for i in 0..120 {
        fake.seed("someone", &format!("comment {i}"));
    }
    fake.seed("mallory", "<!-- bench-bot:default -->\nfake results");
    let ws = tempfile::tempdir().expect("tmp");
    let run = ActionRun::new(&server, ws.path())
        .inputs(&pytest_inputs(ws.path()))
        .run()
        .await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    let gets = requests(&server, "GET", "/issues/2/comments").await;
    assert_eq!(gets.len(), 2, "two pages of 100");
    assert!(
        requests(&server, "PATCH", "/issues/comments/")
            .await
            .is_empty(),
        "mallory's comment untouched"
    );
    assert_eq!(
        requests(&server, "POST", "/issues/2/comments").await.len(),
        1
    );
    let all = fake.comments();
    assert!(all.iter().any(|c| c["user"]["login"] == "mallory"
        && c["body"] == "<!-- bench-bot:default -->\nfake results"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_tier_adds_a_label_and_a_neutral_check_run() {
    let (server, _fake) = github("").await;
    let ws = tempfile::tempdir().expect("tmp");
    std::fs::write(
        ws.path().join("bench-bot.toml"),
        "[tiers.critical]\ntime = 60\n",
    )
    .expect("config");
    let mut inputs = pytest_inputs(ws.path());
    inputs.push(("check-run", "true".into()));
    inputs.push(("name", "py".into()));
    let run = ActionRun::new(&server, ws.path())
        .inputs(&inputs)
        .run()
        .await;
    assert_eq!(run.code, 0, "a warning does not block: {}", run.stdout);
    assert!(run.outputs.contains("verdict=warning"));
    let labels = requests(&server, "POST", "/issues/2/labels").await;
    assert_eq!(labels.len(), 1);
    assert_eq!(
        serde_json::from_slice::<Value>(&labels[0].body).expect("json")["labels"][0],
        "performance-regression"
    );
    let checks = requests(&server, "POST", "/check-runs").await;
    let check: Value = serde_json::from_slice(&checks[0].body).expect("json");
    assert_eq!(
        (check["conclusion"].as_str(), check["head_sha"].as_str()),
        (Some("neutral"), Some(HEAD))
    );
    assert_eq!(check["name"], "bench-bot (py)");
    let posted: Value =
        serde_json::from_slice(&requests(&server, "POST", "/issues/2/comments").await[0].body)
            .expect("json");
    assert!(
        posted["body"]
            .as_str()
            .expect("body")
            .starts_with("<!-- bench-bot:py -->")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_token_degrades_to_summary_and_report() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(".*/comments$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment", "status": "403"})),
        )
        .mount(&server)
        .await;
    let ws = tempfile::tempdir().expect("tmp");
    let run = ActionRun::new(&server, ws.path())
        .event("pull_request", "pull_request_fork.json")
        .inputs(&pytest_inputs(ws.path()))
        .run()
        .await;
    assert_eq!(run.code, 1, "the verdict stands: {}", run.stdout);
    assert!(
        run.stdout.contains("::warning title=bench-bot::") && run.stdout.contains("read-only"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("mode: comment") && run.stdout.contains("bench-bot-report"),
        "{}",
        run.stdout
    );
    assert_eq!(
        requests(&server, "POST", "/comments").await.len(),
        1,
        "403 is not retried"
    );
    assert!(run.outputs.contains("blocked=true") && run.summary.contains("bench-bot"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_and_rate_limits_are_retried_with_backoff() {
    let server = MockServer::start().await;
    // First a 502, then a 429 with retry-after, then the real answer.
    Mock::given(method("GET"))
        .and(path_regex(".*/comments$"))
        .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(".*/comments$"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"message": "API rate limit exceeded"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(".*/comments$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(".*/comments$"))
        .respond_with(ResponseTemplate::new(201).set_body_json(comment(9, BOT, "x", "issue")))
        .mount(&server)
        .await;
    let ws = tempfile::tempdir().expect("tmp");
    let run = ActionRun::new(&server, ws.path())
        .inputs(&pytest_inputs(ws.path()))
        .run()
        .await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(requests(&server, "GET", "/comments").await.len(), 3);
    assert_eq!(requests(&server, "POST", "/comments").await.len(), 1);
    assert!(!run.stdout.contains("::warning"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_errors_and_timeouts_warn_and_never_change_the_verdict() {
    for (status, retried) in [(401u16, 1usize), (404, 1), (422, 1), (500, 4)] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_json(json!({"message": format!("error {status}")})),
            )
            .mount(&server)
            .await;
        let ws = tempfile::tempdir().expect("tmp");
        let run = ActionRun::new(&server, ws.path())
            .inputs(&pytest_inputs(ws.path()))
            .run()
            .await;
        assert_eq!(run.code, 1, "{status}: {}", run.stdout);
        assert!(
            run.stdout.contains(&format!("HTTP {status}")),
            "{}",
            run.stdout
        );
        assert_eq!(
            requests(&server, "GET", "/comments").await.len(),
            retried,
            "{status}"
        );
        assert!(run.outputs.contains("comment-url=\n"));
    }
    // A server that never answers in time.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([]))
                .set_delay(std::time::Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let ws = tempfile::tempdir().expect("tmp");
    let run = ActionRun::new(&server, ws.path())
        .inputs(&pytest_inputs(ws.path()))
        .run()
        .await;
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("::warning title=bench-bot::list the pull request"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_enterprise_api_paths_are_honoured() {
    let (server, _fake) = github("/api/v3").await;
    let ws = tempfile::tempdir().expect("tmp");
    let run = ActionRun::new(&server, ws.path())
        .api_path("/api/v3")
        .inputs(&pytest_inputs(ws.path()))
        .run()
        .await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        requests(
            &server,
            "POST",
            "/api/v3/repos/octo-org/widgets/issues/2/comments"
        )
        .await
        .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_comment_is_cut_and_keeps_its_marker() {
    let (server, _fake) = github("").await;
    let ws = tempfile::tempdir().expect("tmp");
    let doc = |v: f64| -> String {
        let rows: Vec<Value> = (0..3000)
            .map(|i| json!({"name": format!("bench/with/a/rather/long/name/number_{i:05}"), "value": if i % 3 == 0 { v } else { 100.0 }, "unit": "ns", "range": "± 1"}))
            .collect();
        serde_json::to_string(&rows).expect("json")
    };
    std::fs::write(ws.path().join("base.json"), doc(100.0)).expect("write");
    std::fs::write(ws.path().join("cur.json"), doc(150.0)).expect("write");
    let inputs = vec![
        ("results", "cur.json".to_string()),
        ("baseline", "base.json".to_string()),
    ];
    let run = ActionRun::new(&server, ws.path())
        .inputs(&inputs)
        .run()
        .await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    let posted: Value =
        serde_json::from_slice(&requests(&server, "POST", "/issues/2/comments").await[0].body)
            .expect("json");
    let body = posted["body"].as_str().expect("body");
    assert!(body.chars().count() <= 65_536, "{}", body.chars().count());
    assert!(body.starts_with("<!-- bench-bot:default -->") && body.contains("left out to fit"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fork_safe_second_half_confirms_the_pull_request() {
    let (server, fake) = github("").await;
    let ws = tempfile::tempdir().expect("tmp");
    // The first half: a fork's PR run saves its report.
    let first = ActionRun::new(&server, ws.path())
        .event("pull_request", "pull_request_fork.json")
        .inputs(&[("comment", "never".into())])
        .inputs(&pytest_inputs(ws.path()))
        .run()
        .await;
    assert_eq!(first.code, 1);
    assert!(fake.comments().is_empty());
    // The second half posts it after finding the PR by the fork's owner and branch.
    let run = ActionRun::new(&server, ws.path())
        .event("workflow_run", "workflow_run.json")
        .inputs(&[("mode", "comment".into())])
        .run()
        .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    let found = requests(&server, "GET", "/pulls").await;
    assert!(
        found.iter().any(|r| r
            .url
            .query()
            .unwrap_or_default()
            .contains("head=forker%3Afaster-parser")),
        "{found:?}"
    );
    assert_eq!(fake.comments().len(), 1);
    assert!(
        fake.comments()[0]["body"]
            .as_str()
            .expect("body")
            .contains("test_sort_slowed")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unconfirmed_pull_request_gets_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}/pulls")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!([{"number": 3, "head": {"sha": "0000000000000000000000000000000000000000"}}]),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}/pulls/3")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"number": 3, "head": {"sha": "0000000000000000000000000000000000000000"}}),
        ))
        .mount(&server)
        .await;
    let ws = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(ws.path().join("bench-bot-report")).expect("mkdir");
    let report = common::analyze_json(
        ws.path(),
        &[
            "--baseline",
            &repo_file("fixtures/pytest/baseline.json")
                .display()
                .to_string(),
            &repo_file("fixtures/pytest/candidate.json")
                .display()
                .to_string(),
        ],
    )
    .1;
    std::fs::write(
        ws.path().join("bench-bot-report/report.json"),
        report.to_string(),
    )
    .expect("write");
    let run = ActionRun::new(&server, ws.path())
        .event("workflow_run", "workflow_run.json")
        .inputs(&[("mode", "comment".into())])
        .run()
        .await;
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("no open pull request has head"),
        "{}",
        run.stdout
    );
    assert!(requests(&server, "POST", "/comments").await.is_empty());
}

fn git_workspace() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let work = tmp.path().join("work");
    git_repository(&tmp.path().join("remote.git"), &work);
    (tmp, work)
}

/// A bare remote at `remote` and a checkout at `work` with one commit on `main`, pushed
/// to it as `origin`.
fn git_repository(remote: &Path, work: &Path) -> git2::Repository {
    let mut opts = git2::RepositoryInitOptions::new();
    opts.bare(true).initial_head("main");
    git2::Repository::init_opts(remote, &opts).expect("bare");
    let url = format!("file://{}", remote.display());
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo = git2::Repository::init_opts(work, &opts).expect("init");
    std::fs::write(work.join("a.txt"), "a").expect("write");
    {
        let mut index = repo.index().expect("index");
        index.add_path(Path::new("a.txt")).expect("add");
        let tree = repo
            .find_tree(index.write_tree().expect("tree"))
            .expect("tree");
        let sig = git2::Signature::now("dev", "dev@example.com").expect("sig");
        repo.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[])
            .expect("commit");
    }
    repo.remote("origin", &url).expect("remote");
    repo.find_remote("origin")
        .expect("origin")
        .push(&["refs/heads/main:refs/heads/main"], None)
        .expect("push");
    repo
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_to_main_records_and_comments_on_the_commit_only_on_regression() {
    let (server, fake) = github("").await;
    let (tmp, work) = git_workspace();
    for name in ["candidate.json", "baseline.json"] {
        std::fs::copy(
            repo_file(&format!("fixtures/pytest/{name}")),
            work.join(name),
        )
        .expect("copy fixture");
    }
    let base = vec![("results", "baseline.json".to_string())];
    let run = ActionRun::new(&server, &work)
        .event("push", "push.json")
        .inputs(&base)
        .run()
        .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("no baseline"), "{}", run.stdout);
    assert!(
        fake.comments().is_empty(),
        "no regression, no commit comment"
    );
    let remote = git2::Repository::open(tmp.path().join("remote.git")).expect("remote");
    assert!(
        remote.find_reference("refs/heads/bench-bot-data").is_ok(),
        "the run was recorded"
    );
    // The next push is slower: compared with the recorded run, and commented on. It also
    // regenerates the dashboard, in the same commit as its run.
    let cur = vec![
        ("results", "candidate.json".to_string()),
        ("dashboard", "true".to_string()),
    ];
    let run = ActionRun::new(&server, &work)
        .event("push", "push.json")
        .inputs(&cur)
        .run()
        .await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    let comments = fake.comments();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0]["on"], "commit");
    assert!(
        comments[0]["body"]
            .as_str()
            .expect("body")
            .contains("bench-bot on ec26c3e57ca3")
    );
    let tip = remote
        .find_reference("refs/heads/bench-bot-data")
        .expect("ref")
        .peel_to_commit()
        .expect("commit");
    let tree = tip.tree().expect("tree");
    let page = tree
        .get_path(Path::new("dashboard/index.html"))
        .expect("dashboard in the tip");
    let html = String::from_utf8(
        remote
            .find_blob(page.id())
            .expect("blob")
            .content()
            .to_vec(),
    )
    .expect("utf8");
    assert!(
        html.contains("https://github.com/octo-org/widgets"),
        "commit links"
    );
    assert!(html.contains("test_sort_slowed"), "the new run is charted");
    let runs = |t: &git2::Tree<'_>| {
        let id = t.get_path(Path::new("runs/main")).expect("runs").id();
        remote.find_tree(id).expect("tree").len()
    };
    let parent = tip.parent(0).expect("parent").tree().expect("tree");
    assert_eq!(
        runs(&tree),
        runs(&parent) + 1,
        "the run and the page in one commit"
    );
    assert!(parent.get_path(Path::new("dashboard/index.html")).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_inputs_and_missing_results_exit_2() {
    let (server, _fake) = github("").await;
    let ws = tempfile::tempdir().expect("tmp");
    let mut inputs = pytest_inputs(ws.path());
    inputs.push(("fail-on", "sometimes".into()));
    let run = ActionRun::new(&server, ws.path())
        .inputs(&inputs)
        .run()
        .await;
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("input `fail-on` is `sometimes`"),
        "{}",
        run.stdout
    );
    let run = ActionRun::new(&server, ws.path()).inputs(&[]).run().await;
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("input `results` is required"),
        "{}",
        run.stdout
    );
    let run = ActionRun::new(&server, ws.path())
        .inputs(&[("results", "nothing/*.json".into())])
        .run()
        .await;
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains("matches no file"), "{}", run.stdout);
    // A link out of the workspace is refused, not followed.
    let outside = tempfile::tempdir().expect("tmp");
    std::fs::copy(
        repo_file("fixtures/pytest/candidate.json"),
        outside.path().join("secret.json"),
    )
    .expect("copy");
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        outside.path().join("secret.json"),
        ws.path().join("link.json"),
    )
    .expect("symlink");
    let run = ActionRun::new(&server, ws.path())
        .inputs(&[("results", "link.json".into())])
        .run()
        .await;
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("link.json") && run.stdout.contains("outside the workspace"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_user_template_falls_back_with_a_warning() {
    let (server, fake) = github("").await;
    let ws = tempfile::tempdir().expect("tmp");
    std::fs::write(ws.path().join("mine.md.j2"), "{% if %}").expect("write");
    let mut inputs = pytest_inputs(ws.path());
    inputs.push(("template", "mine.md.j2".into()));
    let run = ActionRun::new(&server, ws.path())
        .inputs(&inputs)
        .run()
        .await;
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("mine.md.j2") && run.stdout.contains("using the built-in template"),
        "{}",
        run.stdout
    );
    assert!(
        fake.comments()[0]["body"]
            .as_str()
            .expect("body")
            .contains("### Regressions")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_comment_command_posts_a_saved_report_once() {
    let (server, fake) = github("").await;
    let ws = tempfile::tempdir().expect("tmp");
    let (_, report, _) = common::analyze_json(
        ws.path(),
        &[
            "--baseline",
            &repo_file("fixtures/pytest/baseline.json")
                .display()
                .to_string(),
            &repo_file("fixtures/pytest/candidate.json")
                .display()
                .to_string(),
        ],
    );
    std::fs::write(ws.path().join("report.json"), report.to_string()).expect("write");
    let (dir, uri) = (ws.path().to_path_buf(), server.uri());
    let run = move |token: Option<&'static str>| {
        let mut cmd = common::bench_bot(&dir);
        cmd.args([
            "comment",
            "--report",
            "report.json",
            "--pr",
            "2",
            "--repository",
            REPO,
            "--name",
            "py",
        ])
        .env("GITHUB_API_URL", &uri)
        .env("BENCH_BOT_API_RETRY_MS", "10");
        if let Some(t) = token {
            cmd.env("GITHUB_TOKEN", t);
        }
        cmd
    };
    let out = tokio::task::spawn_blocking(move || {
        let a = run(Some(TOKEN)).output().expect("runs");
        let b = run(Some(TOKEN)).output().expect("runs");
        let c = run(None).output().expect("runs");
        (a, b, c)
    })
    .await
    .expect("join");
    assert!(
        out.0.status.success(),
        "{}",
        String::from_utf8_lossy(&out.0.stderr)
    );
    assert!(out.1.status.success());
    assert_eq!(out.2.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.2.stderr).contains("GITHUB_TOKEN"));
    let comments = fake.comments();
    assert_eq!(
        comments.len(),
        1,
        "the second run updated the first comment"
    );
    assert!(
        comments[0]["body"]
            .as_str()
            .expect("body")
            .starts_with("<!-- bench-bot:py -->")
    );
    assert_eq!(
        requests(&server, "PATCH", "/issues/comments/").await.len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_history_branch_is_a_first_run_by_default_and_an_error_by_another_name() {
    let (server, fake) = github("").await;
    let (_tmp, work) = git_workspace();
    std::fs::copy(
        repo_file("fixtures/pytest/candidate.json"),
        work.join("candidate.json"),
    )
    .expect("copy fixture");
    let run = ActionRun::new(&server, &work)
        .inputs(&[("results", "candidate.json".into())])
        .run()
        .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.outputs.contains("verdict=unknown"), "{}", run.outputs);
    assert!(
        run.stdout.contains("verdict unknown: First run"),
        "{}",
        run.stdout
    );
    let comments = fake.comments();
    assert_eq!(comments.len(), 1);
    let body = comments[0]["body"].as_str().expect("body");
    assert!(body.contains("nothing compared"), "{body}");
    assert!(
        body.contains(r"First run: the history branch \`bench-bot-data\` does not exist yet"),
        "{body}"
    );
    // A name of the user's own that exists nowhere is a typo until a push records it.
    let run = ActionRun::new(&server, &work)
        .inputs(&[
            ("results", "candidate.json".into()),
            ("history-branch", "perf-dta".into()),
        ])
        .run()
        .await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("history branch `perf-dta` exists neither here nor on `origin`"),
        "{}",
        run.stdout
    );
    assert_eq!(fake.comments().len(), 1, "no second comment");
}

/// Runs `args` as `uid` (a user with no name here), with its own HOME.
#[cfg(unix)]
fn as_user(uid: u32, dir: &Path, home: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("setpriv")
        .args([
            &format!("--reuid={uid}"),
            &format!("--regid={uid}"),
            "--clear-groups",
            "--",
        ])
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("setpriv runs")
}

/// The container runs as root on a workspace the runner's user owns. After a push that
/// fetches and records history, that user can still fetch, push and delete the report.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workspace_is_left_to_its_owner() {
    use std::os::unix::fs::MetadataExt;
    let me = std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(1);
    let has_setpriv = std::process::Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if me != 0 || !has_setpriv {
        eprintln!("skipped: needs root and setpriv (the CI machine has both)");
        return;
    }
    const OWNER: u32 = 4242;
    let (server, _fake) = github("").await;
    let (tmp, work) = git_workspace();
    std::fs::copy(
        repo_file("fixtures/pytest/baseline.json"),
        work.join("baseline.json"),
    )
    .expect("copy fixture");
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).expect("home");
    let status = std::process::Command::new("chown")
        .args(["-R", &format!("{OWNER}:{OWNER}")])
        .arg(tmp.path())
        .status()
        .expect("chown");
    assert!(status.success());
    let run = ActionRun::new(&server, &work)
        .event("push", "push.json")
        .inputs(&[("results", "baseline.json".into())])
        .run()
        .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("recorded the run"), "{}", run.stdout);
    // Nothing under the checkout belongs to root any more.
    let mut foreign = Vec::new();
    let mut stack = vec![work.clone()];
    while let Some(p) = stack.pop() {
        let m = std::fs::symlink_metadata(&p).expect("stat");
        // The harness's GITHUB_OUTPUT and step summary stand in for the runner's own
        // files, which live outside the workspace.
        let harness = p
            .file_name()
            .is_some_and(|n| n == ".gh-output" || n == ".gh-summary");
        if m.uid() != OWNER && !harness {
            foreign.push(p.clone());
        }
        if m.is_dir() {
            stack.extend(
                std::fs::read_dir(&p)
                    .expect("dir")
                    .map(|e| e.expect("entry").path()),
            );
        }
    }
    assert!(foreign.is_empty(), "owned by someone else: {foreign:?}");
    the_owner_keeps_working(OWNER, &work, &home);
}

/// The job's next steps as the workspace's owner: fetch, fetch the history, push, and
/// delete the report bench-bot left.
#[cfg(unix)]
fn the_owner_keeps_working(owner: u32, work: &Path, home: &Path) {
    for args in [
        &["git", "fetch", "origin"][..],
        &["git", "fetch", "origin", "bench-bot-data"],
        &["git", "push", "origin", "HEAD:refs/heads/after-bench-bot"],
        &["rm", "-r", "bench-bot-report"],
    ] {
        let out = as_user(owner, work, home, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(!work.join("bench-bot-report").exists());
}

/// `bench-bot ab` on the runner, then `mode: publish` (what the composite action in
/// `ab/` does): the saved A/B report gets the pull-request comment, the summary, the
/// outputs and the merge gate, as an analyzed run would.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_ab_report_is_published_with_its_gate() {
    let (server, _fake) = github("").await;
    let (ws, base, _) = common::ab_repo::repository("1.3", &[]);
    std::fs::create_dir(ws.path().join("bench-bot-report")).expect("mkdir");
    let ab = std::process::Command::new(assert_cmd::cargo::cargo_bin("bench-bot"))
        .current_dir(ws.path())
        .args([
            "ab",
            "--base",
            &base,
            "--rounds",
            "12",
            "--run",
            "sh bench.sh {out}",
        ])
        .args(["--format", "json", "--output", "bench-bot-report/ab.json"])
        .output()
        .expect("runs");
    assert_eq!(
        ab.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&ab.stderr)
    );
    let run = ActionRun::new(&server, ws.path())
        .inputs(&[
            ("mode", "publish".into()),
            ("report", "bench-bot-report/ab.json".into()),
        ])
        .run()
        .await;
    assert_eq!(run.code, 1, "the gate holds: {}", run.stdout);
    let posted = requests(&server, "POST", "/issues/2/comments").await;
    assert_eq!(posted.len(), 1);
    let body: Value = serde_json::from_slice(&posted[0].body).expect("json");
    let body = body["body"].as_str().expect("body");
    assert!(
        body.contains("`sort`") && body.contains("critical"),
        "{body}"
    );
    assert!(
        body.contains("same-runner A/B, 12 rounds in ABBA order"),
        "{body}"
    );
    assert!(run.outputs.contains("verdict=critical\n") && run.outputs.contains("blocked=true\n"));
    assert!(
        run.outputs.contains("report=bench-bot-report/ab.json"),
        "{}",
        run.outputs
    );
    assert!(run.summary.contains("## 🔴 bench-bot"), "{}", run.summary);
    // Without the report input: exit 2, naming it.
    let run = ActionRun::new(&server, ws.path())
        .inputs(&[("mode", "publish".into())])
        .run()
        .await;
    assert_eq!(run.code, 2);
    assert!(
        run.stdout
            .contains("`mode: publish` needs the `report` input"),
        "{}",
        run.stdout
    );
}

/// Issues of the fake API: listed by creator, opened, updated and closed.
#[derive(Clone, Default)]
struct Issues(Arc<Mutex<Vec<Value>>>);

impl Respond for Issues {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut issues = self.0.lock().expect("lock");
        let number: Option<u64> = req
            .url
            .path()
            .rsplit('/')
            .next()
            .and_then(|x| x.parse().ok());
        match (req.method.as_str(), number) {
            ("GET", None) => {
                let creator = query(req, "creator").unwrap_or_default();
                let open: Vec<&Value> = issues
                    .iter()
                    .filter(|i| i["state"] == "open" && i["user"]["login"] == creator.as_str())
                    .collect();
                ResponseTemplate::new(200).set_body_json(open)
            }
            ("POST", None) => {
                let body: Value = serde_json::from_slice(&req.body).expect("json");
                let number = 100 + issues.len() as u64;
                let issue = json!({
                    "id": number, "number": number, "state": "open",
                    "title": body["title"], "body": body["body"],
                    "user": {"login": BOT, "id": 41898282, "type": "Bot"},
                    "html_url": format!("https://github.com/{REPO}/issues/{number}"),
                });
                issues.push(issue.clone());
                ResponseTemplate::new(201).set_body_json(issue)
            }
            ("PATCH", Some(n)) => {
                let patch: Value = serde_json::from_slice(&req.body).expect("json");
                let Some(issue) = issues.iter_mut().find(|i| i["number"] == n) else {
                    return ResponseTemplate::new(404)
                        .set_body_json(json!({"message": "Not Found"}));
                };
                for key in ["body", "state", "state_reason"] {
                    if !patch[key].is_null() {
                        issue[key] = patch[key].clone();
                    }
                }
                ResponseTemplate::new(200).set_body_json(issue.clone())
            }
            _ => ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})),
        }
    }
}

/// A github-action-benchmark history of `n` runs of three benchmarks, suite `perf`.
fn history_js(n: usize) -> String {
    let entries: Vec<Value> = (0..n)
        .map(|i| {
            let w = |k: f64| 1.0 + 0.01 * ((i as f64) * 1.3 + k).sin();
            json!({
                "commit": {"id": format!("{:040x}", i + 1), "message": "m",
                           "timestamp": "2026-11-01T00:00:00Z", "url": "https://example.com"},
                "date": 1_700_000_000_000u64 + i as u64 * 60_000,
                "tool": "customSmallerIsBetter",
                "benches": [
                    {"name": "parse", "value": 100.0 * w(0.0), "unit": "ns"},
                    {"name": "render", "value": 200.0 * w(1.0), "unit": "ns"},
                    {"name": "serve", "value": 300.0 * w(2.0), "unit": "ns"}
                ]
            })
        })
        .collect();
    format!(
        "window.BENCHMARK_DATA = {};",
        json!({"lastUpdate": 1, "repoUrl": "https://github.com/octo-org/widgets",
               "entries": {"perf": entries}})
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_on_main_opens_one_alert_issue_and_it_closes_when_it_recovers() {
    let (server, _fake) = github("").await;
    let issues = Issues::default();
    for m in ["GET", "POST"] {
        Mock::given(method(m))
            .and(path(format!("/repos/{REPO}/issues")))
            .respond_with(issues.clone())
            .mount(&server)
            .await;
    }
    Mock::given(method("PATCH"))
        .and(path_regex(format!("^/repos/{REPO}/issues/\\d+$")))
        .respond_with(issues.clone())
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(format!(
            "^/repos/{REPO}/issues/1\\d\\d/comments$"
        )))
        .respond_with(ResponseTemplate::new(201).set_body_json(comment(900, BOT, "x", "issue")))
        .mount(&server)
        .await;
    let (_tmp, work) = git_workspace();
    std::fs::write(work.join("history.js"), history_js(30)).expect("write");
    let out = common::bench_bot(&work)
        .args(["import", "history.js"])
        .output()
        .expect("import");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let push = |parse: f64, i: usize| {
        let w = 1.0 + 0.01 * ((30 + i) as f64 * 0.7).cos();
        let rows = json!([
            {"name": "parse", "value": parse * w, "unit": "ns"},
            {"name": "render", "value": 200.0 * w, "unit": "ns"},
            {"name": "serve", "value": 300.0 * w, "unit": "ns"}
        ]);
        std::fs::write(work.join("results.json"), rows.to_string()).expect("write");
        ActionRun::new(&server, &work)
            .event("push", "push.json")
            .inputs(&[
                ("results", "results.json".to_string()),
                ("name", "perf".to_string()),
                ("mode", "record".to_string()),
            ])
            .run()
    };
    let open = || -> Vec<Value> {
        issues
            .0
            .lock()
            .expect("lock")
            .iter()
            .filter(|i| i["state"] == "open")
            .cloned()
            .collect()
    };
    // Two runs 50 % slower: not a change point yet (one or two slow runs never are).
    for i in 0..2 {
        let run = push(150.0, i).await;
        assert_eq!(run.code, 0, "{}", run.stdout);
        assert!(open().is_empty(), "{}", run.stdout);
    }
    // The third makes a change point: the job summary shows it, and says that it is
    // announced once the next run still shows it.
    let run = push(150.0, 2).await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(open().is_empty(), "{}", run.stdout);
    assert!(
        run.summary.contains("New change points in the history")
            && run.summary.contains(
                "1 of the regression change points above is shown for the first time: it is \
                 announced once the next run still shows it."
            ),
        "{}",
        run.summary
    );
    // The fourth confirms it: one issue, naming the benchmark, the size and the commit
    // range.
    let run = push(150.0, 3).await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    let now = open();
    assert_eq!(now.len(), 1, "{}", run.stdout);
    let title = now[0]["title"].as_str().expect("title");
    assert!(
        title.starts_with("Performance regression [perf]: parse time +4"),
        "{title}"
    );
    let body = now[0]["body"].as_str().expect("body");
    assert!(body.starts_with("<!-- bench-bot-alert:perf {"), "{body}");
    assert!(body.contains("```mermaid\nxychart-beta"), "{body}");
    assert!(
        body.contains(&format!(
            "https://github.com/{REPO}/compare/{:040x}...{HEAD}",
            30
        )),
        "{body}"
    );
    assert!(
        !body.contains("`render`"),
        "only the benchmark that moved: {body}"
    );
    assert!(
        run.summary.contains("New change points in the history"),
        "{}",
        run.summary
    );
    assert!(!run.summary.contains("first time"), "{}", run.summary);
    // Later slow runs update it; they never open a second one.
    for i in 4..6 {
        let run = push(150.0, i).await;
        assert_eq!(run.code, 0, "{}", run.stdout);
        assert_eq!(open().len(), 1, "{}", run.stdout);
    }
    // Back at the old level: closed with a note, once the newest runs show it.
    for i in 6..12 {
        let run = push(100.0, i).await;
        assert_eq!(run.code, 0, "{}", run.stdout);
    }
    assert!(open().is_empty(), "recovered: closed");
    let all = issues.0.lock().expect("lock").clone();
    assert_eq!(all.len(), 1, "one issue for the episode");
    assert_eq!(all[0]["state_reason"], "completed");
    assert!(
        all[0]["body"]
            .as_str()
            .expect("b")
            .contains("**Recovered:**")
    );
    let notes = requests(&server, "POST", "/issues/100/comments").await;
    assert_eq!(notes.len(), 1);
}

/// A review-tier label that does not exist yet, with a token that may not create it:
/// GitHub answers 403; the warning says what to do, and the comment, check run and
/// verdict stand.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_label_warns_with_the_permission_and_changes_nothing_else() {
    let server = MockServer::start().await;
    // Mounted first: wins over the `github` fake's successful label response.
    Mock::given(method("POST"))
        .and(path(format!("/repos/{REPO}/issues/2/labels")))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "message": "You do not have permission to create labels on this repository.",
            "errors": [{"resource": "Repository", "field": "label", "code": "unauthorized"}],
            "documentation_url": "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue",
            "status": "403"
        })))
        .mount(&server)
        .await;
    let fake = Fake(Arc::new(Mutex::new(State::default())));
    for (m, p) in [
        ("GET", format!("^/repos/{REPO}/issues/2/comments$")),
        ("POST", format!("^/repos/{REPO}/issues/2/comments$")),
    ] {
        Mock::given(method(m))
            .and(path_regex(p.as_str()))
            .respond_with(Comments {
                fake: fake.clone(),
                on: "issue",
            })
            .mount(&server)
            .await;
    }
    let ws = tempfile::tempdir().expect("tmp");
    std::fs::write(
        ws.path().join("bench-bot.toml"),
        "[tiers.critical]\ntime = 60\n",
    )
    .expect("config");
    let run = ActionRun::new(&server, ws.path())
        .inputs(&pytest_inputs(ws.path()))
        .run()
        .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.outputs.contains("verdict=warning"), "{}", run.outputs);
    assert!(
        run.stdout.contains("::warning")
            && run.stdout.contains("needs `issues: write`")
            && run.stdout.contains("create `performance-regression` once"),
        "{}",
        run.stdout
    );
    assert_eq!(
        requests(&server, "POST", "/issues/2/labels").await.len(),
        1,
        "not retried"
    );
    assert_eq!(fake.comments().len(), 1, "the comment stands");
}

/// `cargo binstall` finds the archives the release workflow attaches: its `pkg-url`
/// for each target of the workflow's matrix is the archive name the workflow writes.
#[test]
fn binstall_metadata_names_the_release_archives() {
    let manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(repo_file("Cargo.toml")).expect("read"))
            .expect("toml");
    let package = &manifest["package"];
    let binstall = &package["metadata"]["binstall"];
    let workflow =
        std::fs::read_to_string(repo_file(".github/workflows/release.yml")).expect("read");
    assert!(workflow.contains(r#"archive="bench-bot-${{ matrix.target }}.tar.gz""#));
    assert!(
        workflow.contains("tar -czf \"$archive\" -C dist ."),
        "the binary at the archive's root"
    );
    assert_eq!(binstall["pkg-fmt"].as_str(), Some("tgz"));
    assert_eq!(binstall["bin-dir"].as_str(), Some("{ bin }{ binary-ext }"));
    let targets: Vec<&str> = workflow
        .lines()
        .filter_map(|l| l.split("target: ").nth(1))
        .filter_map(|t| t.split(',').next())
        .collect();
    assert!(targets.len() >= 4, "{targets:?}");
    let repo = package["repository"].as_str().expect("repository");
    let version = package["version"].as_str().expect("version");
    for target in targets {
        let url = binstall["pkg-url"]
            .as_str()
            .expect("pkg-url")
            .replace("{ repo }", repo)
            .replace("{ version }", version)
            .replace("{ name }", "bench-bot")
            .replace("{ target }", target);
        assert_eq!(
            url,
            format!("{repo}/releases/download/v{version}/bench-bot-{target}.tar.gz")
        );
    }
}

/// The image's final stage in an empty root, run as GitHub runs a Docker action: as root,
/// the checkout at /github/workspace owned by the runner's user, HOME at /github/home, the
/// event and the file commands under /github. `scripts/container-check.sh` builds the
/// static binary and the root from the Dockerfile and runs this test; the fake API listens
/// on 127.0.0.1 outside the root and the git remote lives inside it. A push records its
/// run; a slower pull request is compared with it, commented on and blocked; afterwards the
/// runner's user can still fetch, push and delete what bench-bot left.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the image's root: scripts/container-check.sh builds it and runs this test"]
async fn the_image_runs_in_an_empty_root() {
    const OWNER: u32 = 4242;
    let var = |k: &str| {
        std::env::var(k).unwrap_or_else(|_| panic!("{k} is set by scripts/container-check.sh"))
    };
    let root = PathBuf::from(var("BENCH_BOT_IMAGE_ROOT"));
    let command: Vec<String> = var("BENCH_BOT_IMAGE_CMD")
        .split(' ')
        .map(String::from)
        .collect();
    let image_env: Vec<(String, String)> = var("BENCH_BOT_IMAGE_ENV")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let (server, fake) = github("").await;

    // What the runner mounts: the checkout, the event, the file commands and HOME; a bare
    // remote beside them stands in for github.com.
    let gh = root.join("github");
    // What an earlier run of this test left in the root.
    for d in ["github", "remote.git", "runner-home"] {
        let _ = std::fs::remove_dir_all(root.join(d));
    }
    for d in ["workspace", "workflow", "file_commands", "home"] {
        std::fs::create_dir_all(gh.join(d)).expect("mkdir");
    }
    let ws = gh.join("workspace");
    let repo = git_repository(&root.join("remote.git"), &ws);
    for name in ["candidate.json", "baseline.json"] {
        std::fs::copy(repo_file(&format!("fixtures/pytest/{name}")), ws.join(name))
            .expect("copy fixture");
    }
    let outside = format!("file://{}", root.join("remote.git").display());
    // Inside the root the remote is at /remote.git.
    repo.remote_set_url("origin", "file:///remote.git")
        .expect("set-url");
    let chown = |p: &Path| {
        let status = std::process::Command::new("chown")
            .args(["-R", &format!("{OWNER}:{OWNER}")])
            .arg(p)
            .status()
            .expect("chown");
        assert!(status.success());
    };
    chown(&ws);
    chown(&root.join("remote.git"));

    let run = |event: &str, payload: &str, results: &str| {
        std::fs::copy(
            repo_file(&format!("fixtures/github/{payload}")),
            gh.join("workflow/event.json"),
        )
        .expect("event");
        let _ = std::fs::remove_file(gh.join("file_commands/output"));
        let _ = std::fs::remove_file(gh.join("file_commands/summary"));
        let mut cmd = std::process::Command::new("unshare");
        cmd.arg(format!("--root={}", root.display()))
            .arg("--wd=/github/workspace")
            .args(&command)
            .env_clear()
            .envs(image_env.iter().map(|(k, v)| (k, v)))
            .env("HOME", "/github/home")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_EVENT_NAME", event)
            .env("GITHUB_EVENT_PATH", "/github/workflow/event.json")
            .env("GITHUB_REPOSITORY", REPO)
            .env("GITHUB_API_URL", server.uri())
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_RUN_ID", "7")
            .env("GITHUB_SHA", HEAD)
            .env("GITHUB_WORKSPACE", "/github/workspace")
            .env("GITHUB_OUTPUT", "/github/file_commands/output")
            .env("GITHUB_STEP_SUMMARY", "/github/file_commands/summary")
            .env("BENCH_BOT_API_RETRY_MS", "10")
            .env("INPUT_GITHUB-TOKEN", TOKEN)
            .env("INPUT_RESULTS", results);
        let out = cmd.output().expect("unshare runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let outputs = std::fs::read_to_string(gh.join("file_commands/output")).unwrap_or_default();
        (out.status.code().expect("exit code"), text, outputs)
    };

    let (code, text, outputs) = run("push", "push.json", "baseline.json");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("recorded the run"), "{text}");
    assert!(outputs.contains("verdict="), "{outputs}");
    // The remote belongs to the workspace's owner: ask git, which is told it is safe.
    let pushed = std::process::Command::new("git")
        .args(["-c", "safe.directory=*", "--git-dir"])
        .arg(root.join("remote.git"))
        .args(["rev-parse", "--verify", "refs/heads/bench-bot-data"])
        .output()
        .expect("git runs");
    assert!(pushed.status.success(), "the run was pushed to the remote");

    let (code, text, outputs) = run("pull_request", "pull_request.json", "candidate.json");
    assert_eq!(code, 1, "the slower pull request is blocked: {text}");
    assert!(outputs.contains("verdict=critical"), "{outputs}");
    let report = outputs
        .lines()
        .find_map(|l| l.strip_prefix("report="))
        .expect("report output");
    assert!(
        !report.starts_with('/'),
        "a workspace-relative path: {report}"
    );
    assert!(ws.join(report).is_file(), "{report}");
    let comments = fake.comments();
    assert_eq!(comments.len(), 1, "one comment on the pull request");
    assert!(
        comments[0]["body"]
            .as_str()
            .expect("body")
            .contains("test_sort_slowed")
    );

    // `BENCH_BOT_IMAGE_TIMINGS=N`: the pull-request run N more times, its wall time
    // printed (the figure in docs/action.md; nothing is asserted on it).
    if let Some(n) = std::env::var("BENCH_BOT_IMAGE_TIMINGS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        let mut ms: Vec<f64> = (0..n)
            .map(|_| {
                let start = std::time::Instant::now();
                let (code, text, _) = run("pull_request", "pull_request.json", "candidate.json");
                assert_eq!(code, 1, "{text}");
                start.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        eprintln!(
            "bench-bot action in the image's root, pull request against the loopback API: \
             median {:.1} ms, min {:.1} ms, max {:.1} ms over {n} runs",
            ms[n / 2],
            ms[0],
            ms[n - 1]
        );
    }

    // The runner's next step, as the workspace's owner, outside the root.
    let home = root.join("runner-home");
    std::fs::create_dir_all(&home).expect("home");
    chown(&home);
    // Outside the root the remote has its full path (and the owner may write the config).
    let out = as_user(
        OWNER,
        &ws,
        &home,
        &["git", "remote", "set-url", "origin", &outside],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    the_owner_keeps_working(OWNER, &ws, &home);
}
