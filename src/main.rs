//! The `bench-bot` binary: parse the command line, settle the environment, run, and map
//! the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

use bench_bot::app::{self, Environment};
use bench_bot::cli::Cli;
use bench_bot::error::exit_code;

/// mimalloc instead of the C library's allocator. A run allocates millions of small
/// objects (ids, measurements, samples) and frees them together: with glibc's allocator
/// a quarter of `analyze` on two 10 MB pytest-benchmark files went to growing its heaps
/// and to freeing. The same allocator in the static binary of the action's image, whose
/// C library is musl.
/// The benches in `benches/` use it too, so they measure what the binary does.
/// Built without asking for transparent huge pages (`no_thp`): a run lives a few
/// milliseconds, and the first touch of each 2 MB page it asked for (one per thread's
/// heap, one per large buffer) cost up to several milliseconds on a virtual machine
/// whose host backs memory on first use, which is where CI runs it, right after a
/// benchmark suite freed its memory. Side by side with that suite's peer, the 200-sample
/// pytest-benchmark pair took 15-40 ms with huge pages and 16-17 ms without.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print and succeed; usage errors exit 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit_code::ERROR
            } else {
                exit_code::PASS
            });
        }
    };
    match app::run(cli, &Environment::from_process()) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(e) => {
            eprintln!("bench-bot: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
