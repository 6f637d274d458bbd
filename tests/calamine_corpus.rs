//! Reads every file of `../shared/calamine-tests/` — calamine's own test
//! workbooks, collected from its bug reports: odd producers, truncated and
//! malformed records, a denial-of-service file — and requires each to end
//! in an analysis or a clear error (one that names the file), within
//! `TIME_LIMIT` and under `MEMORY_LIMIT`, with no panic anywhere: natively
//! kpilot catches a panic inside calamine (`ingest::workbook`), but in the
//! browser a panic ends the module, so this test proves the guard never
//! fires.
//!
//! Each file is read in a child process (this test binary run again with
//! `KPILOT_CORPUS_FILE` set), so a hang can be killed, an abort names its
//! file, and memory is counted per file: the child's allocator counts live
//! heap bytes, records the peak, and refuses to go past the limit (the
//! child then aborts with "memory allocation … failed", which fails the
//! test with the file's name). A panic hook counts every panic, caught or
//! not.
//!
//! Run with `cargo test --test calamine_corpus -- --nocapture` to see the
//! table (file, outcome, time, peak heap). Without `../shared/calamine-tests`
//! (a bare clone) the test says it skipped and passes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kpilot::analysis::AnalysisOptions;
use kpilot::ingest::ReadOptions;
use kpilot::session::Session;

/// Wall time one file may take, analysis included (in a debug build).
const TIME_LIMIT: Duration = Duration::from_secs(10);
/// Live heap one file may use at its peak.
const MEMORY_LIMIT: usize = 1 << 30;
/// Set in a child: the file it reads.
const CHILD_FILE: &str = "KPILOT_CORPUS_FILE";
/// How a child's stdout line starts.
const RESULT: &str = "corpus-result";

/// The system allocator, counting live bytes and their peak, and refusing
/// an allocation that would take the live bytes past `MEMORY_LIMIT`.
struct CountingAllocator;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static PANICS: AtomicUsize = AtomicUsize::new(0);

impl CountingAllocator {
    fn reserve(size: usize) -> bool {
        let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
        if live > MEMORY_LIMIT {
            LIVE.fetch_sub(size, Ordering::Relaxed);
            return false;
        }
        PEAK.fetch_max(live, Ordering::Relaxed);
        true
    }
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !Self::reserve(layout.size()) {
            return std::ptr::null_mut();
        }
        let pointer = unsafe { System.alloc(layout) };
        if pointer.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !Self::reserve(layout.size()) {
            return std::ptr::null_mut();
        }
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if pointer.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() && !Self::reserve(new_size - layout.size()) {
            return std::ptr::null_mut();
        }
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if moved.is_null() {
            if new_size > layout.size() {
                LIVE.fetch_sub(new_size - layout.size(), Ordering::Relaxed);
            }
        } else if new_size < layout.size() {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/calamine-tests")
}

/// The spreadsheet files of the corpus (its README and licence are not).
fn corpus_files(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| path.extension().is_some_and(|extension| extension != "md"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// In a child: reads one file and prints one line, `corpus-result`, outcome
/// (`analysis` or `error`), the message or the KPI count, peak heap bytes,
/// and the number of panics seen.
#[test]
fn corpus_child() {
    let Ok(path) = std::env::var(CHILD_FILE) else {
        return;
    };
    let path = PathBuf::from(path);
    std::panic::set_hook(Box::new(|info| {
        PANICS.fetch_add(1, Ordering::Relaxed);
        eprintln!("panic: {info}");
    }));
    let bytes = std::fs::read(&path).unwrap_or_default();
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    let outcome = match Session::open(
        &bytes,
        &name,
        &ReadOptions::default(),
        AnalysisOptions::default(),
    ) {
        Ok(session) => format!("analysis\t{} KPIs", session.report().kpis.len()),
        Err(error) => format!("error\t{}", error.to_string().replace(['\t', '\n'], " ")),
    };
    println!(
        "{RESULT}\t{outcome}\t{}\t{}",
        PEAK.load(Ordering::Relaxed),
        PANICS.load(Ordering::Relaxed)
    );
}

/// What happened to one file.
struct Outcome {
    file: String,
    result: String,
    elapsed: Duration,
    peak_bytes: usize,
    /// Why the file fails the test, if it does.
    failure: Option<String>,
}

/// Runs this test binary on one file and waits for it, at most `TIME_LIMIT`.
fn read_in_child(path: &Path) -> Outcome {
    let file = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let failed = |result: &str, elapsed: Duration, why: String| Outcome {
        file: file.clone(),
        result: result.to_string(),
        elapsed,
        peak_bytes: 0,
        failure: Some(why),
    };
    let started = Instant::now();
    let exe = std::env::current_exe().expect("the test binary's path");
    let child = Command::new(exe)
        .args(["corpus_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_FILE, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) => return failed("not run", Duration::ZERO, error.to_string()),
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIME_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return failed(
                    "hang",
                    started.elapsed(),
                    format!("still reading after {TIME_LIMIT:?}; killed"),
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(error) => return failed("lost", started.elapsed(), error.to_string()),
        }
    };
    let elapsed = started.elapsed();
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stdout.take() {
        let _ = pipe.read_to_string(&mut stdout);
    }
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    // libtest prints "test corpus_child ... " before the child's own line.
    let result_line = stdout
        .lines()
        .find_map(|line| line.find(RESULT).map(|at| &line[at..]));
    let Some(line) = result_line else {
        let tail: String = stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | ");
        return failed(
            "crash",
            elapsed,
            format!("the reader died ({status}): {tail}"),
        );
    };
    let fields: Vec<&str> = line.split('\t').collect();
    let (kind, detail, peak, panics) = match fields.as_slice() {
        [_, kind, detail, peak, panics] => (*kind, *detail, *peak, *panics),
        _ => return failed("garbled", elapsed, line.to_string()),
    };
    let peak_bytes: usize = peak.parse().unwrap_or(usize::MAX);
    let panics: usize = panics.parse().unwrap_or(usize::MAX);
    let mut failure = None;
    if panics > 0 {
        let first = stderr
            .lines()
            .find(|line| line.starts_with("panic:"))
            .unwrap_or_default();
        failure = Some(format!("{panics} panic(s), caught: {first}"));
    } else if kind == "error" && !detail.contains(&file) {
        failure = Some(format!("the error does not name the file: {detail}"));
    } else if kind == "error" && detail.trim().is_empty() {
        failure = Some("an empty error message".to_string());
    } else if elapsed > TIME_LIMIT {
        failure = Some(format!("took {elapsed:?}"));
    }
    Outcome {
        file,
        result: format!("{kind}: {detail}"),
        elapsed,
        peak_bytes,
        failure,
    }
}

#[test]
fn every_calamine_test_file_ends_in_an_analysis_or_a_clear_error() {
    if std::env::var(CHILD_FILE).is_ok() {
        return;
    }
    let folder = corpus();
    if !folder.is_dir() {
        println!(
            "skipped: {} is absent (calamine's test workbooks live beside the repository)",
            folder.display()
        );
        return;
    }
    let files = corpus_files(&folder);
    assert!(!files.is_empty(), "{} holds no files", folder.display());
    let outcomes: Vec<Outcome> = files.iter().map(|path| read_in_child(path)).collect();
    println!("| file | outcome | time | peak heap |");
    println!("|---|---|---|---|");
    for outcome in &outcomes {
        let shown: String = outcome.result.chars().take(160).collect();
        println!(
            "| {} | {} | {:.2} s | {:.1} MB |",
            outcome.file,
            shown,
            outcome.elapsed.as_secs_f64(),
            outcome.peak_bytes as f64 / 1e6
        );
    }
    let analysed = outcomes
        .iter()
        .filter(|outcome| outcome.result.starts_with("analysis"))
        .count();
    let largest = outcomes
        .iter()
        .max_by_key(|outcome| outcome.peak_bytes)
        .map(|outcome| {
            format!(
                "{} ({:.1} MB)",
                outcome.file,
                outcome.peak_bytes as f64 / 1e6
            )
        })
        .unwrap_or_default();
    let slowest = outcomes
        .iter()
        .max_by_key(|outcome| outcome.elapsed)
        .map(|outcome| format!("{} ({:.2} s)", outcome.file, outcome.elapsed.as_secs_f64()))
        .unwrap_or_default();
    println!(
        "{} files: {analysed} analysed, {} refused; largest peak heap {largest}; slowest {slowest}",
        outcomes.len(),
        outcomes.len() - analysed
    );
    let failures: Vec<String> = outcomes
        .iter()
        .filter_map(|outcome| {
            outcome
                .failure
                .as_ref()
                .map(|why| format!("{} — {}: {why}", outcome.file, outcome.result))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} files did not end well:\n{}",
        failures.len(),
        outcomes.len(),
        failures.join("\n")
    );
}
