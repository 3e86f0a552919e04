//! How big the history branch gets: records `RUNS` runs of `BENCHMARKS` benchmarks, one
//! commit each as CI would, then packs the branch as a clone would receive it.
//!
//! `cargo run --release --example history_size [-- RUNS BENCHMARKS]`

use bench_bot::history::{HistoryRepo, RecordOptions};

#[path = "../benches/support/generate.rs"]
#[expect(dead_code, reason = "shared with the benches")]
mod generate;

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().expect("a number"));
    let runs = args.next().unwrap_or(1000);
    let benchmarks = args.next().unwrap_or(500);
    let dir = tempfile::tempdir().expect("tmp");
    git2::Repository::init(dir.path()).expect("init");
    let store = HistoryRepo::open(dir.path(), "bench-bot-data", "origin").expect("open");
    let start = std::time::Instant::now();
    let mut raw = 0usize;
    for i in 0..runs {
        let run = generate::run(benchmarks, &generate::sha(i), i as u64);
        raw += serde_json::to_vec(&bench_bot::history::StoredRun::compact(&run))
            .expect("json")
            .len();
        store
            .record(&[(run, "main".to_string())], &[], &RecordOptions::default())
            .expect("record");
    }
    let recorded = start.elapsed();
    let repo = store.git();
    let mut pb = repo.packbuilder().expect("packbuilder");
    let mut walk = repo.revwalk().expect("walk");
    walk.push_ref("refs/heads/bench-bot-data").expect("ref");
    pb.insert_walk(&mut walk).expect("insert");
    let mut buf = git2::Buf::new();
    pb.write_buf(&mut buf).expect("pack");
    println!(
        "{runs} runs x {benchmarks} benchmarks: {:.1} MB of run JSON, packed history {:.1} MB \
         ({} objects), recorded in {:.1} s",
        raw as f64 / 1e6,
        buf.len() as f64 / 1e6,
        pb.object_count(),
        recorded.as_secs_f64()
    );
}
