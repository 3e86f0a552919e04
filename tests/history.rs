//! The history branch on real git repositories in temp dirs, with a bare remote over
//! `file://`, driven through the `bench-bot` binary.

mod common;

use std::path::{Path, PathBuf};

use common::{bench_bot, repo as repo_file};
use git2::{Repository, RepositoryInitOptions, Signature};

const BRANCH: &str = "bench-bot-data";

struct World {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    remote_url: String,
}

fn sig() -> Signature<'static> {
    Signature::new("dev", "dev@example.com", &git2::Time::new(1_700_000_000, 0)).expect("sig")
}

/// A bare remote with `commits` commits on main, and a first clone in `work`.
fn world(commits: usize) -> World {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().to_path_buf();
    let mut opts = RepositoryInitOptions::new();
    opts.bare(true).initial_head("main");
    Repository::init_opts(root.join("remote.git"), &opts).expect("bare");
    let remote_url = format!("file://{}", root.join("remote.git").display());
    let mut opts = RepositoryInitOptions::new();
    opts.initial_head("main");
    let seed = Repository::init_opts(root.join("seed"), &opts).expect("seed");
    for i in 0..commits {
        commit_file(&seed, "src.txt", &format!("version {i}\n"));
    }
    seed.remote("origin", &remote_url).expect("remote");
    seed.find_remote("origin")
        .expect("origin")
        .push(&["refs/heads/main:refs/heads/main"], None)
        .expect("push main");
    clone(&remote_url, &root.join("work"));
    World {
        _tmp: tmp,
        root,
        remote_url,
    }
}

fn commit_file(repo: &Repository, name: &str, content: &str) -> git2::Oid {
    std::fs::write(repo.workdir().expect("workdir").join(name), content).expect("write");
    let mut index = repo.index().expect("index");
    index.add_path(Path::new(name)).expect("add");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("tree");
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    let s = sig();
    repo.commit(Some("HEAD"), &s, &s, "change", &tree, &parents)
        .expect("commit")
}

/// A repository with one commit on `main` and no remote.
fn local_repo() -> (tempfile::TempDir, Repository) {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut opts = RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo = Repository::init_opts(tmp.path(), &opts).expect("init");
    commit_file(&repo, "src.txt", "v1\n");
    (tmp, repo)
}

fn clone(url: &str, to: &Path) -> Repository {
    Repository::clone(url, to).expect("clone")
}

fn record(dir: &Path, args: &[&str], file: &str) -> std::process::Output {
    bench_bot(dir)
        .args(["record", "--repo", "."])
        .args(args)
        .arg(repo_file(file))
        .output()
        .expect("runs")
}

/// The run files on the remote's history branch.
fn remote_runs(w: &World) -> Vec<String> {
    let remote = Repository::open(w.root.join("remote.git")).expect("remote");
    let Ok(tip) = remote.refname_to_id(&format!("refs/heads/{BRANCH}")) else {
        return vec![];
    };
    let tree = remote
        .find_commit(tip)
        .expect("commit")
        .tree()
        .expect("tree");
    let mut out = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.name().is_ok_and(|n| n.ends_with(".json")) {
            out.push(format!("{dir}{}", entry.name().unwrap_or_default()));
        }
        git2::TreeWalkResult::Ok
    })
    .expect("walk");
    out
}

#[test]
fn record_then_analyze_against_the_history() {
    let w = world(3);
    let work = w.root.join("work");
    let out = record(
        &work,
        &["--branch", "main"],
        "fixtures/pytest/baseline.json",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs = remote_runs(&w);
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert!(runs[0].starts_with("runs/main/"), "{runs:?}");
    // The message names the commit and the branch.
    let remote = Repository::open(w.root.join("remote.git")).expect("remote");
    let tip = remote
        .find_reference(&format!("refs/heads/{BRANCH}"))
        .expect("ref")
        .peel_to_commit()
        .expect("c");
    assert!(
        tip.message().expect("msg").contains("on main"),
        "{:?}",
        tip.message()
    );
    assert_eq!(tip.parent_count(), 0, "an orphan branch");

    // A fresh clone (as in CI) does not have the branch; analyze fetches it.
    let pr = w.root.join("pr");
    clone(&w.remote_url, &pr);
    let out = bench_bot(&pr)
        .args([
            "analyze",
            "--format",
            "json",
            "--history",
            BRANCH,
            "--base-branch",
            "main",
        ])
        .arg(repo_file("fixtures/pytest/candidate.json"))
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["baseline"]["runs"], 1);
    let how = report["baseline"]["description"]
        .as_str()
        .expect("description");
    assert!(how.contains("merge base") && how.contains(BRANCH), "{how}");
    assert_eq!(report["summary"]["compared"], 8);
}

#[test]
fn a_window_follows_first_parent_ancestry_of_the_merge_base() {
    let w = world(1);
    let work = w.root.join("work");
    let repo = Repository::open(&work).expect("work");
    // Record on three successive commits of main.
    let mut shas = Vec::new();
    for i in 0..3 {
        let oid = commit_file(&repo, "src.txt", &format!("main {i}\n"));
        shas.push(oid.to_string());
        let out = record(
            &work,
            &["--branch", "main", "--commit", &oid.to_string()],
            "fixtures/pytest/baseline.json",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A run recorded on a commit that is not an ancestor of the PR's base.
    let stray = "ffffffffffffffffffffffffffffffffffffffff";
    assert!(
        record(
            &work,
            &["--branch", "main", "--commit", stray],
            "fixtures/pytest/baseline.json"
        )
        .status
        .success()
    );
    // Branch the PR off the second commit.
    let base = repo
        .find_commit(git2::Oid::from_str(&shas[1]).expect("oid"))
        .expect("commit");
    repo.branch("feature", &base, true).expect("branch");
    repo.set_head("refs/heads/feature").expect("head");
    repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .expect("checkout");
    commit_file(&repo, "feature.txt", "new\n");
    repo.reference(
        "refs/remotes/origin/main",
        git2::Oid::from_str(&shas[2]).expect("oid"),
        true,
        "test",
    )
    .expect("tracking");
    let out = bench_bot(&work)
        .args([
            "analyze",
            "--format",
            "json",
            "--history",
            BRANCH,
            "--base-branch",
            "main",
        ])
        .arg(repo_file("fixtures/pytest/candidate.json"))
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let commits: Vec<&str> = report["baseline"]["refs"]
        .as_array()
        .expect("refs")
        .iter()
        .map(|r| r["commit"].as_str().expect("commit"))
        .collect();
    assert_eq!(
        commits,
        [shas[0].as_str(), shas[1].as_str()],
        "oldest first, up to the merge base"
    );
    let how = report["baseline"]["description"]
        .as_str()
        .expect("description");
    assert!(how.contains(&shas[1][..12]), "{how}");
}

#[test]
fn eight_concurrent_recorders_lose_nothing() {
    let w = world(1);
    let clones: Vec<PathBuf> = (0..8)
        .map(|i| {
            let dir = w.root.join(format!("job{i}"));
            clone(&w.remote_url, &dir);
            dir
        })
        .collect();
    let children: Vec<_> = clones
        .iter()
        .enumerate()
        .map(|(i, dir)| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("bench-bot"));
            cmd.current_dir(dir)
                .args(["record", "--branch", "main", "--suite", &format!("job{i}")])
                .arg(repo_file("fixtures/criterion/baseline.bencher.txt"))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let runs = remote_runs(&w);
    assert_eq!(runs.len(), 8, "{runs:?}");
    for i in 0..8 {
        assert!(
            runs.iter().any(|r| r.ends_with(&format!("_job{i}.json"))),
            "job{i} missing: {runs:?}"
        );
    }
    // Linear: every commit has at most one parent, and there are 8 of them.
    let remote = Repository::open(w.root.join("remote.git")).expect("remote");
    let mut walk = remote.revwalk().expect("walk");
    walk.push_ref(&format!("refs/heads/{BRANCH}"))
        .expect("push");
    let commits: Vec<git2::Commit<'_>> = walk
        .map(|o| remote.find_commit(o.expect("oid")).expect("commit"))
        .collect();
    assert_eq!(commits.len(), 8);
    assert!(commits.iter().all(|c| c.parent_count() <= 1));
}

#[test]
fn a_missing_branch_is_created_and_retention_prunes() {
    let w = world(1);
    let work = w.root.join("work");
    std::fs::write(work.join("bench-bot.toml"), "max_runs = 2\n").expect("config");
    for _ in 0..3 {
        let out = record(
            &work,
            &["--branch", "main"],
            "fixtures/criterion/baseline.bencher.txt",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(remote_runs(&w).len(), 2);
    let remote = Repository::open(w.root.join("remote.git")).expect("remote");
    let tip = remote
        .find_reference(&format!("refs/heads/{BRANCH}"))
        .expect("ref")
        .peel_to_commit()
        .expect("c");
    assert!(
        tip.message().expect("msg").contains("Pruned 1 old run"),
        "{:?}",
        tip.message()
    );
}

#[test]
fn a_corrupted_run_file_is_skipped_with_a_warning() {
    let w = world(1);
    let work = w.root.join("work");
    assert!(
        record(
            &work,
            &["--branch", "main"],
            "fixtures/pytest/baseline.json"
        )
        .status
        .success()
    );
    // Write a broken run file onto the remote branch.
    let remote = Repository::open(w.root.join("remote.git")).expect("remote");
    let tip = remote
        .find_reference(&format!("refs/heads/{BRANCH}"))
        .expect("ref")
        .peel_to_commit()
        .expect("c");
    let blob = remote
        .blob(b"{\"format_version\": 1, \"run\": {")
        .expect("blob");
    let runs = remote
        .find_tree(tip.tree().expect("t").get_name("runs").expect("runs").id())
        .expect("t");
    let main = remote
        .find_tree(runs.get_name("main").expect("main").id())
        .expect("t");
    let mut b = remote.treebuilder(Some(&main)).expect("b");
    // Recorded for the same commit as the good run, so the window selects it.
    let head = Repository::open(&work)
        .expect("work")
        .head()
        .expect("head")
        .target()
        .expect("oid");
    let name = format!(
        "29990101T000000Z_{}_00000000_default.json",
        &head.to_string()[..12]
    );
    b.insert(&name, blob, 0o100644).expect("insert");
    let main_id = b.write().expect("w");
    let mut b = remote.treebuilder(Some(&runs)).expect("b");
    b.insert("main", main_id, 0o040000).expect("insert");
    let runs_id = b.write().expect("w");
    let mut b = remote
        .treebuilder(Some(&tip.tree().expect("t")))
        .expect("b");
    b.insert("runs", runs_id, 0o040000).expect("insert");
    let tree = remote.find_tree(b.write().expect("w")).expect("t");
    let s = sig();
    remote
        .commit(
            Some(&format!("refs/heads/{BRANCH}")),
            &s,
            &s,
            "corrupt",
            &tree,
            &[&tip],
        )
        .expect("commit");
    let out = bench_bot(&work)
        .args([
            "analyze",
            "--format",
            "json",
            "--history",
            BRANCH,
            "--base-branch",
            "main",
        ])
        .arg(repo_file("fixtures/pytest/candidate.json"))
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("29990101T000000Z_") && warnings.contains("skipped"),
        "{warnings}"
    );
    assert_eq!(report["baseline"]["runs"], 1);
}

#[test]
fn a_shallow_clone_falls_back_to_the_newest_runs_by_time() {
    let w = world(3);
    let work = w.root.join("work");
    assert!(
        record(
            &work,
            &["--branch", "main"],
            "fixtures/pytest/baseline.json"
        )
        .status
        .success()
    );
    // libgit2's local transport cannot fetch shallow; a clone whose `.git/shallow`
    // cuts history at HEAD is what `actions/checkout` (depth 1) leaves behind.
    let shallow = w.root.join("shallow");
    let repo = clone(&w.remote_url, &shallow);
    let head = repo.head().expect("head").target().expect("oid");
    std::fs::write(shallow.join(".git/shallow"), format!("{head}\n")).expect("shallow marker");
    assert!(Repository::open(&shallow).expect("open").is_shallow());
    let out = bench_bot(&shallow)
        .args([
            "analyze",
            "--format",
            "json",
            "--history",
            BRANCH,
            "--base-branch",
            "main",
        ])
        .arg(repo_file("fixtures/pytest/candidate.json"))
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let how = report["baseline"]["description"]
        .as_str()
        .expect("description");
    assert!(
        how.contains("by time") && how.contains("fetch-depth: 0"),
        "{how}"
    );
    assert_eq!(report["baseline"]["runs"], 1);
}

#[test]
fn no_history_branch_yet_says_so() {
    let w = world(1);
    let out = bench_bot(&w.root.join("work"))
        .args(["analyze", "--format", "json", "--history", BRANCH])
        .arg(repo_file("fixtures/pytest/candidate.json"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["verdict"], "unknown");
    assert!(
        report["notes"][0]
            .as_str()
            .expect("note")
            .contains("no branch here holds bench-bot runs yet"),
        "{report}"
    );
    // The one note that says why: not also "No baseline … pass --history".
    assert_eq!(
        report["notes"].as_array().expect("notes").len(),
        1,
        "{report}"
    );
    assert!(
        report["baseline"]["description"]
            .as_str()
            .expect("d")
            .contains("does not exist")
    );
}

#[test]
fn import_a_real_github_action_benchmark_history() {
    let data = repo_file("../shared/data/real-histories/rune.data.js");
    if !data.exists() {
        return;
    }
    let w = world(1);
    let work = w.root.join("work");
    let out = bench_bot(&work)
        .arg("import")
        .arg(&data)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(remote_runs(&w).len(), 411);
    // The imported history serves as a baseline window for bencher-text results.
    let out = bench_bot(&work)
        .args([
            "analyze",
            "--format",
            "json",
            "--history",
            BRANCH,
            "--base-branch",
            "main",
        ])
        .arg(repo_file("fixtures/criterion/candidate.bencher.txt"))
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        report["baseline"]["description"]
            .as_str()
            .expect("d")
            .contains("the newest 30 runs recorded for `main` by time")
    );
    // Two of those 30 runs share their commit time (16:21:32 on 2025-06-07); in
    // data.js's order, most of the suite stepped at the first of them, and the
    // window is the 22 runs since.
    let notes = report["notes"].to_string();
    assert!(
        notes.contains(
            "The runner moved between 0f04e241fd57 and d36b83c25fb2: 8 of 15 benchmarks +9.5 % together"
        ),
        "{notes}"
    );
    assert_eq!(report["baseline"]["runs"], 22);
}

/// The Actions runner mounts the workspace owned by another user than the container's
/// root; libgit2 refuses such a checkout as "dubious ownership". The action (which runs
/// in that container) turns the check off; the CLI keeps it, like git itself.
#[cfg(unix)]
#[test]
fn only_the_action_accepts_a_checkout_owned_by_another_user() {
    // Only root can give the checkout away; elsewhere there is nothing to check.
    if std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
        .ok()
        != Some(0)
    {
        eprintln!("not root: skipped");
        return;
    }
    let w = world(2);
    let work = w.root.join("work");
    std::fs::copy(
        repo_file("fixtures/pytest/baseline.json"),
        work.join("results.json"),
    )
    .expect("copy");
    for entry in walk_all(&work) {
        std::os::unix::fs::lchown(&entry, Some(4242), Some(4242)).expect("chown");
    }
    let out = record(
        &work,
        &["--branch", "main"],
        "fixtures/pytest/baseline.json",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not owned by current user"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bench_bot(&work)
        .arg("action")
        .env("GITHUB_WORKSPACE", &work)
        .env("GITHUB_EVENT_NAME", "workflow_dispatch")
        .env("GITHUB_REF_NAME", "main")
        .env("INPUT_MODE", "record")
        .env("INPUT_RESULTS", "results.json")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("recorded the run"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(remote_runs(&w).len(), 1);
}

fn walk_all(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if e.file_type().expect("type").is_dir() {
            out.extend(walk_all(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A remote named on the command line must exist: a typo is exit 2 naming it and the
/// remotes there are, for every command that reads or writes the history.
#[test]
fn a_remote_that_does_not_exist_is_an_error_for_every_history_command() {
    let w = world(1);
    let work = w.root.join("work");
    let input = repo_file("fixtures/pytest/baseline.json");
    let out_dir = w.root.join("site");
    let runs: [Vec<std::ffi::OsString>; 4] = [
        vec![
            "analyze".into(),
            "--history".into(),
            BRANCH.into(),
            input.clone().into(),
        ],
        vec![
            "record".into(),
            "--branch".into(),
            "main".into(),
            input.clone().into(),
        ],
        vec![
            "import".into(),
            repo_file("../shared/data/real-histories/rune.data.js").into(),
        ],
        vec![
            "dashboard".into(),
            "--history".into(),
            BRANCH.into(),
            "--out".into(),
            out_dir.clone().into(),
        ],
    ];
    for args in runs {
        let out = bench_bot(&work)
            .args(&args)
            .args(["--remote", "nope"])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("the remote `nope`") && stderr.contains("`origin`"),
            "{args:?}: {stderr}"
        );
    }
    assert!(remote_runs(&w).is_empty(), "nothing was written");
    assert!(!out_dir.exists());
}

/// `record` in a repository with no remote would keep the run on this machine only:
/// an error unless `--no-push` says that is the intent.
#[test]
fn record_without_a_remote_needs_no_push() {
    let (tmp, repo) = local_repo();
    let out = record(
        tmp.path(),
        &["--branch", "main"],
        "fixtures/pytest/baseline.json",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--no-push"), "{stderr}");
    assert!(
        repo.find_reference(&format!("refs/heads/{BRANCH}"))
            .is_err(),
        "nothing was recorded"
    );
    let out = record(
        tmp.path(),
        &["--branch", "main", "--no-push"],
        "fixtures/pytest/baseline.json",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not pushed"));
    assert!(repo.find_reference(&format!("refs/heads/{BRANCH}")).is_ok());
}

/// Runs recorded with `--no-push` are not lost when a later `record` pushes: they go
/// to the remote with it, whether the remote had the history branch or not.
#[test]
fn runs_recorded_without_a_push_travel_with_the_next_push() {
    let w = world(2);
    let work = w.root.join("work");
    let pytest = "fixtures/pytest/baseline.json";
    // Each record is another commit's run (the same run twice is not written again).
    let mut n = 0;
    let mut record = |dir: &Path, args: &[&str], file: &str| {
        n += 1;
        let commit = format!("{n:040x}");
        let mut all = args.to_vec();
        all.extend(["--commit", commit.as_str()]);
        record(dir, &all, file)
    };
    // The remote has no history branch yet.
    let out = record(&work, &["--branch", "main", "--no-push"], pytest);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(remote_runs(&w).is_empty());
    let out = record(&work, &["--branch", "main"], pytest);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(remote_runs(&w).len(), 2, "the unpushed run went along");
    // The remote has the branch and the local one is ahead of it.
    let out = record(&work, &["--branch", "main", "--no-push"], pytest);
    assert!(out.status.success());
    let out = record(&work, &["--branch", "main"], pytest);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(remote_runs(&w).len(), 4);
    // Nothing local is left over: a further push adds one run only.
    let out = record(&work, &["--branch", "main"], pytest);
    assert!(out.status.success());
    assert_eq!(remote_runs(&w).len(), 5);
}

#[test]
fn import_and_record_twice_leave_the_history_as_it_was() {
    let data = repo_file("../shared/data/real-histories/rune.data.js");
    let w = world(1);
    let work = w.root.join("work");
    if data.exists() {
        let import = || {
            bench_bot(&work)
                .arg("import")
                .arg(&data)
                .output()
                .expect("runs")
        };
        let first = import();
        assert!(
            first.status.success(),
            "{}",
            String::from_utf8_lossy(&first.stderr)
        );
        assert_eq!(remote_runs(&w).len(), 411);
        let second = import();
        let stderr = String::from_utf8_lossy(&second.stderr);
        assert!(second.status.success(), "{stderr}");
        assert!(
            stderr.contains("nothing imported") && stderr.contains("all 411 runs"),
            "{stderr}"
        );
        assert_eq!(remote_runs(&w).len(), 411);
    }
    let before = remote_runs(&w).len();
    let first = record(&work, &[], "fixtures/pytest/candidate.json");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(remote_runs(&w).len(), before + 1);
    let second = record(&work, &[], "fixtures/pytest/candidate.json");
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(second.status.success(), "{stderr}");
    assert!(stderr.contains("already recorded"), "{stderr}");
    assert_eq!(remote_runs(&w).len(), before + 1);
    // Another run (another timestamp) of the same commit is recorded.
    let third = record(&work, &[], "fixtures/pytest/baseline.json");
    assert!(
        third.status.success(),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
    assert_eq!(remote_runs(&w).len(), before + 2);
}

#[test]
fn a_history_branch_that_exists_nowhere_warns_and_names_the_branches_with_runs() {
    let w = world(1);
    let work = w.root.join("work");
    let out = record(&work, &[], "fixtures/pytest/baseline.json");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let analyze = |extra: &[&str]| {
        bench_bot(&work)
            .args(["analyze", "--format", "json", "--history", "bench-bot-dat"])
            .args(extra)
            .arg(repo_file("fixtures/pytest/candidate.json"))
            .output()
            .expect("runs")
    };
    let out = analyze(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let expected = "history branch `bench-bot-dat` exists neither here nor on `origin`; \
                    branches holding bench-bot runs: `bench-bot-data`";
    // Said once on stderr, as the reason of the unknown verdict.
    assert_eq!(
        stderr.matches(&expected["history ".len()..]).count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("verdict unknown: History branch `bench-bot-dat`"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["verdict"], "unknown");
    assert!(
        report["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.contains(expected))),
        "{report}"
    );
    assert!(
        report["notes"][0]
            .as_str()
            .expect("note")
            .contains("bench-bot-dat")
    );
    // With `require_baseline = true` the same run is an error, and the report is kept.
    let config = w.root.join("strict.toml");
    std::fs::write(&config, "require_baseline = true\n").expect("config");
    let output = w.root.join("report.json");
    let out = analyze(&[
        "--config",
        config.to_str().expect("utf8"),
        "--output",
        output.to_str().expect("utf8"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("require_baseline = true"), "{stderr}");
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&output).expect("report kept")).expect("json");
    assert_eq!(saved["verdict"], "unknown");
}

/// `bench-bot record` of the pytest fixture in `dir` with `GITHUB_TOKEN=token`, and
/// `SSL_CERT_FILE` when given.
fn record_in(dir: &Path, token: &str, ca_bundle: Option<&Path>) -> std::process::Output {
    let mut cmd = bench_bot(dir);
    cmd.args(["record", "--repo", ".", "--branch", "main"])
        .arg(repo_file("fixtures/pytest/baseline.json"))
        .env("GITHUB_TOKEN", token);
    if let Some(bundle) = ca_bundle {
        cmd.env("SSL_CERT_FILE", bundle);
    }
    cmd.output().expect("runs")
}

fn assert_succeeded(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `tests/support/git_http_server.py` (git http-backend behind Basic auth) serving the
/// world's remote; killed on drop.
struct GitHttp {
    child: std::process::Child,
    url: String,
    log: PathBuf,
}

impl GitHttp {
    fn start(w: &World) -> Option<GitHttp> {
        GitHttp::serve(w, None)
    }

    /// Over TLS with `tls` (certificate and key, PEM), at `https://localhost:PORT`.
    fn serve(w: &World, tls: Option<(&Path, &Path)>) -> Option<GitHttp> {
        use std::io::BufRead;
        let log = w.root.join("http.log");
        let mut command = std::process::Command::new("python3");
        command
            .arg(repo_file("tests/support/git_http_server.py"))
            .arg(&w.root)
            .arg(&log);
        if let Some((cert, key)) = tls {
            command.arg(cert).arg(key);
        }
        let mut child = command.stdout(std::process::Stdio::piped()).spawn().ok()?;
        let mut port = String::new();
        std::io::BufReader::new(child.stdout.take()?)
            .read_line(&mut port)
            .ok()?;
        let scheme = if tls.is_some() {
            "https://localhost"
        } else {
            "http://127.0.0.1"
        };
        Some(GitHttp {
            child,
            url: format!("{scheme}:{}/remote.git", port.trim()),
            log,
        })
    }

    /// Requests served since the last call.
    fn requests(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let _ = std::fs::write(&self.log, "");
        text.lines().map(str::to_string).collect()
    }

    /// The requests served since the last call, asserting that every one of them was
    /// answered 200 and that each of `wanted` (method and path) is among them.
    fn served_all(&self, wanted: &[&str]) -> Vec<String> {
        let requests = self.requests();
        assert!(
            requests.iter().all(|r| r.ends_with(" 200")),
            "{requests:#?}"
        );
        for w in wanted {
            assert!(
                requests.iter().any(|r| r.starts_with(w)),
                "{w}: {requests:#?}"
            );
        }
        requests
    }
}

impl Drop for GitHttp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn auth_failures_fail_fast_and_say_why() {
    let w = world(1);
    let work = w.root.join("work");
    let Some(server) = GitHttp::start(&w) else {
        eprintln!("skipped: needs python3");
        return;
    };
    Repository::open(&work)
        .expect("work")
        .remote_set_url("origin", &server.url)
        .expect("http remote");
    let record_with = |token: &str| record_in(&work, token, None);
    let cases = [
        ("expired", "the remote refused the token (HTTP 401"),
        ("readonly", "`permissions: contents: write`"),
    ];
    for (token, says) in cases {
        let out = record_with(token);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{token}: {stderr}");
        assert!(stderr.contains(says), "{token}: {stderr}");
        assert!(!stderr.contains("kept moving"), "{token}: {stderr}");
        // One retry at most: a handful of requests, not hundreds.
        let requests = server.requests();
        assert!(requests.len() <= 8, "{token}: {requests:#?}");
    }
    assert!(remote_runs(&w).is_empty());
    // A hook that declines the branch (a protected branch on GitHub) is said as such,
    // and not retried as contention.
    let hook = w.root.join("remote.git/hooks/pre-receive");
    std::fs::write(&hook, "#!/bin/sh\necho 'protected branch' >&2\nexit 1\n").expect("hook");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let out = record_with("good");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("a protected branch or a rejecting hook"),
        "{stderr}"
    );
    assert!(stderr.contains("not retried"), "{stderr}");
    let pushes = server
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST") && r.contains("receive-pack"))
        .count();
    assert_eq!(pushes, 1);
    // With the hook gone, the same token records: the fetch and the push each send the
    // token with their first request (no 401 round trip), over git's smart protocol.
    std::fs::remove_file(&hook).expect("rm hook");
    assert_succeeded(&record_with("good"));
    assert_eq!(remote_runs(&w).len(), 1);
    server.served_all(&[
        "GET /remote.git/info/refs?service=git-upload-pack",
        "GET /remote.git/info/refs?service=git-receive-pack",
        "POST /remote.git/git-receive-pack",
    ]);
    // A checkout that has never seen the branch fetches its objects (a pack over POST)
    // and appends its own run to it.
    let fresh = w.root.join("fresh");
    {
        let repo = Repository::init(&fresh).expect("init");
        let sig = git2::Signature::now("t", "t@example.com").expect("signature");
        let tree = repo
            .find_tree(repo.index().expect("index").write_tree().expect("tree"))
            .expect("tree");
        repo.commit(Some("HEAD"), &sig, &sig, "fresh", &tree, &[])
            .expect("commit");
        repo.remote("origin", &server.url).expect("http remote");
    }
    assert_succeeded(&record_in(&fresh, "good", None));
    assert_eq!(remote_runs(&w).len(), 2);
    server.served_all(&["POST /remote.git/git-upload-pack"]);
}

/// A certificate authority and a certificate it signed for `localhost`, made with the
/// `openssl` command; `None` without it.
fn test_certificates(dir: &Path) -> Option<(PathBuf, PathBuf, PathBuf)> {
    let openssl = |args: &[&str]| {
        std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    std::fs::write(
        dir.join("leaf.cnf"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .ok()?;
    let made = openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=bench-bot test CA",
    ]) && openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=localhost",
    ]) && openssl(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "2",
        "-extfile",
        "leaf.cnf",
    ]);
    made.then(|| {
        (
            dir.join("ca.pem"),
            dir.join("leaf.pem"),
            dir.join("leaf.key"),
        )
    })
}

#[test]
fn records_over_https_trusting_the_systems_ca_bundle_only() {
    let w = world(1);
    let work = w.root.join("work");
    let Some((ca, cert, key)) = test_certificates(&w.root) else {
        eprintln!("skipped: needs the openssl command");
        return;
    };
    let Some(server) = GitHttp::serve(&w, Some((&cert, &key))) else {
        eprintln!("skipped: needs python3");
        return;
    };
    Repository::open(&work)
        .expect("work")
        .remote_set_url("origin", &server.url)
        .expect("https remote");
    let record = |ca_bundle: &Path| record_in(&work, "good", Some(ca_bundle));
    // A certificate the bundle does not vouch for: refused before any request, tried
    // once more at most (not as a network hiccup, a dozen times with backoff).
    let out = record(&cert);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the server's certificate is not trusted"),
        "{stderr}"
    );
    assert!(stderr.contains("invalid peer certificate"), "{stderr}");
    assert!(stderr.contains("SSL_CERT_FILE"), "{stderr}");
    assert!(server.requests().is_empty());
    assert!(remote_runs(&w).is_empty());
    // The bundle with the authority that signed it (as the image's SSL_CERT_FILE).
    assert_succeeded(&record(&ca));
    assert_eq!(remote_runs(&w).len(), 1);
    server.served_all(&["POST /remote.git/git-receive-pack"]);
}

/// Runs of one second go into the history in the order they ran, whatever their
/// commits' hashes: a `changes` over them names the run where the level moved.
#[test]
fn runs_of_one_second_keep_the_order_they_ran_in() {
    let (tmp, _repo) = local_repo();
    let base: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo_file("fixtures/pytest/baseline.json")).expect("fixture"),
    )
    .expect("json");
    let n = 40;
    for i in 0..n {
        let mut run = base.clone();
        // Two runs per 0.1 s: all forty within four seconds, with commits in an order
        // of their own (a multiplicative hash of the run's number).
        run["datetime"] = format!(
            "2026-12-01T02:00:0{}.{:06}+00:00",
            i / 10,
            (i % 10) * 99_000
        )
        .into();
        let slow = if i >= 25 { 1.3 } else { 1.0 };
        let min = &mut run["benchmarks"][0]["stats"]["min"];
        let noise = 1.0 + 0.01 * (i as f64 * 1.7).sin();
        *min = (min.as_f64().expect("a number") * slow * noise).into();
        let file = tmp.path().join(format!("run{i}.json"));
        std::fs::write(&file, run.to_string()).expect("write");
        let commit = format!("{:08x}", (i as u32).wrapping_mul(2_654_435_761)).repeat(5);
        let out = bench_bot(tmp.path())
            .args(["record", "--repo", ".", "--branch", "main", "--no-push"])
            .args(["--commit", &commit])
            .arg(&file)
            .output()
            .expect("runs");
        assert_succeeded(&out);
    }
    let out = bench_bot(tmp.path())
        .args([
            "changes", "--repo", ".", "--branch", "main", "--format", "json",
        ])
        .output()
        .expect("runs");
    assert_succeeded(&out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let changes = &report["benchmarks"][0]["changes"];
    assert_eq!(
        report["benchmarks"][0]["id"],
        "test_fixture_suite.py::test_sort_slowed"
    );
    assert_eq!(changes.as_array().map(Vec::len), Some(1), "{report}");
    assert_eq!(changes[0]["first_after"]["index"], 25);
    let commit_25 = format!("{:08x}", 25u32.wrapping_mul(2_654_435_761)).repeat(5);
    assert_eq!(changes[0]["first_after"]["commit"], commit_25.as_str());
}

/// A run recorded under another file name for its time (bench-bot 0.1 read
/// `+02:00` as UTC, two hours later) is still the same run: recording it again writes
/// nothing.
#[test]
fn a_run_named_with_an_older_rule_is_still_already_recorded() {
    let (tmp, repo) = local_repo();
    let mut run: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo_file("fixtures/pytest/baseline.json")).expect("fixture"),
    )
    .expect("json");
    run["datetime"] = "2026-12-01T12:00:00.5+02:00".into();
    let file = tmp.path().join("run.json");
    std::fs::write(&file, run.to_string()).expect("write");
    let record = || {
        bench_bot(tmp.path())
            .args(["record", "--repo", ".", "--branch", "main", "--no-push"])
            .arg(&file)
            .output()
            .expect("runs")
    };
    assert_succeeded(&record());
    // Rename the file as the older rule named it: 12:00:00 taken for UTC.
    let branch = format!("refs/heads/{BRANCH}");
    let tip = repo
        .find_reference(&branch)
        .expect("branch")
        .peel_to_commit()
        .expect("tip");
    let folder = tip
        .tree()
        .expect("tree")
        .get_path(Path::new("runs/main"))
        .expect("folder");
    let folder = repo.find_tree(folder.id()).expect("folder tree");
    let entry = folder.iter().next().expect("one run");
    let name = entry.name().expect("a name").to_string();
    assert!(name.starts_with("20261201T100000Z_"), "{name}");
    let mut names = repo.treebuilder(None).expect("builder");
    names
        .insert(
            name.replacen("T100000Z", "T120000Z", 1),
            entry.id(),
            0o100644,
        )
        .expect("insert");
    let mut main = repo.treebuilder(None).expect("builder");
    main.insert("main", names.write().expect("tree"), 0o040000)
        .expect("insert");
    let mut root = repo.treebuilder(None).expect("builder");
    root.insert("runs", main.write().expect("tree"), 0o040000)
        .expect("insert");
    let tree = repo.find_tree(root.write().expect("tree")).expect("tree");
    let s = sig();
    repo.commit(Some(&branch), &s, &s, "older name", &tree, &[&tip])
        .expect("commit");
    let again = record();
    assert_succeeded(&again);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("already recorded"), "{stderr}");
}

/// A Python version matrix whose entries all record into one suite: every comparison
/// mixes the versions, and the report says so, naming the version from the runs'
/// machine descriptions (kept in the history). With one suite per entry, no note.
#[test]
fn a_matrix_writing_into_one_suite_is_told_and_one_suite_per_entry_is_not() {
    let note_of = |report: &serde_json::Value| {
        report["notes"]
            .as_array()
            .expect("notes")
            .iter()
            .filter_map(|n| n.as_str())
            .find(|n| n.contains("runs a commit"))
            .map(str::to_string)
    };
    let versions = ["3.10", "3.12", "3.13"];
    for per_entry in [false, true] {
        let w = world(1);
        let work = w.root.join("work");
        for commit in [1, 2] {
            for py in versions {
                let suite = format!("py{py}");
                let mut args = vec!["--branch", "main"];
                if per_entry {
                    args.extend(["--suite", suite.as_str()]);
                }
                let file = format!("fixtures/pytest/matrix/commit{commit}-py{py}.json");
                let out = record(&work, &args, &file);
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        assert_eq!(remote_runs(&w).len(), 6);
        let mut args = vec!["--history", BRANCH, "--base-branch", "main"];
        if per_entry {
            args.extend(["--suite", "py3.12"]);
        }
        let current = repo_file("fixtures/pytest/matrix/commit3-py3.12.json");
        let current = current.to_str().expect("utf-8");
        args.push(current);
        let (code, report, stderr) = common::analyze_json(&work, &args);
        assert!(code == 0 || code == 1, "{stderr}");
        let note = note_of(&report);
        if per_entry {
            assert_eq!(report["baseline"]["runs"], 2, "{report}");
            assert_eq!(note, None);
        } else {
            assert_eq!(report["baseline"]["runs"], 6, "{report}");
            let note = note.expect("a note on the matrix");
            assert!(
                note.starts_with(
                    "The 6 baseline runs measured 2 commits, 3 runs a commit, and the runs \
                     of a commit differ in `python_version` (3.10.13, 3.12.1, 3.13.0)"
                ),
                "{note}"
            );
        }
    }
}

/// Without a remote, the missing history branch "does not exist here"; the text report
/// says so once (its first note), and stderr once (the unknown verdict's reason).
#[test]
fn a_missing_history_branch_without_a_remote_is_said_once_in_plain_words() {
    let (tmp, _repo) = local_repo();
    let out = bench_bot(tmp.path())
        .args(["analyze", "--history", "bench-bot-data"])
        .arg(repo_file("fixtures/pytest/candidate.json"))
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let said = "`bench-bot-data` does not exist here (and there is no remote to fetch it \
                from); no branch here holds bench-bot runs yet";
    assert_eq!(stdout.matches(said).count(), 1, "{stdout}");
    assert!(
        stdout.contains(&format!("note: History branch {said}.")),
        "{stdout}"
    );
    assert_eq!(stderr.matches(said).count(), 1, "{stderr}");
    // Not the advice to pass --history, which was.
    assert!(!stdout.contains("No baseline"), "{stdout}");
}
