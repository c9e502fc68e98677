//! `Prefetcher`: reads and parses the files the loaders will ask for next on a second
//! thread, so that on two cores file I/O and JSON parsing overlap with building the model.
//!
//! The loaders stay sequential and deterministic: they `hint` which files come next (in the
//! order they will read them) and `Builder::read` takes each file's result from here. A
//! result is exactly what `read_json_file` returns on the loader's own thread (errors
//! included), so nothing observable depends on which thread read a file. A file the loader
//! asks for before the worker started on it is read by the loader itself; one the worker is
//! reading is waited for. Parsed values wait for the loader only up to `READY_BUDGET_BYTES`
//! of source text, which bounds the memory held ahead.

use super::json::{read_json_file_sized, FileContent};
use super::IngestError;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// Most source bytes parsed ahead and not yet taken by the loader.
const READY_BUDGET_BYTES: u64 = 1024 * 1024;

enum Slot {
    /// Hinted, not started: the loader may take it over.
    Queued,
    /// The worker is reading it.
    Working,
    /// Read; `u64` is its size in bytes (for the budget).
    Done(Result<FileContent, IngestError>, u64),
    /// The worker stopped abnormally on it: the loader reads it itself.
    Abandoned,
}

#[derive(Default)]
struct State {
    queue: VecDeque<String>,
    slots: HashMap<String, Slot>,
    ready_bytes: u64,
    shutdown: bool,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means the other thread panicked; the state is still
        // consistent slot by slot.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed.wait(guard).unwrap_or_else(|e| e.into_inner())
    }
}

/// Reads hinted files ahead of the loader (see the module doc).
pub struct Prefetcher {
    root: PathBuf,
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
    /// The system refused a thread: every file is read by the loader.
    no_thread: bool,
}

impl Prefetcher {
    /// A prefetcher reading files relative to `root`. Its worker thread starts on the first
    /// hint.
    pub fn new(root: PathBuf) -> Prefetcher {
        Prefetcher {
            root,
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                changed: Condvar::new(),
            }),
            worker: None,
            no_thread: false,
        }
    }

    /// Queues files (relative paths) the loader will read, in the order it will read them.
    pub fn hint<I: IntoIterator<Item = String>>(&mut self, rels: I) {
        if self.worker.is_none() && !self.no_thread {
            let shared = Arc::clone(&self.shared);
            let root = self.root.clone();
            self.worker = std::thread::Builder::new()
                .name("leakpath-prefetch".into())
                .spawn(move || work(&shared, &root))
                .ok();
            self.no_thread = self.worker.is_none();
        }
        if self.no_thread {
            return;
        }
        let mut state = self.shared.lock();
        for rel in rels {
            if !state.slots.contains_key(&rel) {
                state.slots.insert(rel.clone(), Slot::Queued);
                state.queue.push_back(rel);
            }
        }
        drop(state);
        self.shared.changed.notify_all();
    }

    /// The result for `rel` if it was hinted and the worker started on it (waiting for it
    /// to finish); `None` when the caller should read the file itself.
    pub fn take(&self, rel: &str) -> Option<Result<FileContent, IngestError>> {
        let mut state = self.shared.lock();
        loop {
            match state.slots.remove(rel) {
                None | Some(Slot::Queued) | Some(Slot::Abandoned) => return None,
                Some(Slot::Done(result, size)) => {
                    state.ready_bytes = state.ready_bytes.saturating_sub(size);
                    drop(state);
                    self.shared.changed.notify_all();
                    return Some(result);
                }
                Some(Slot::Working) => {
                    state.slots.insert(rel.to_string(), Slot::Working);
                    state = self.shared.wait(state);
                }
            }
        }
    }
}

impl Drop for Prefetcher {
    fn drop(&mut self) {
        self.shared.lock().shutdown = true;
        self.shared.changed.notify_all();
        if let Some(worker) = self.worker.take() {
            // The worker never panics on input; if it did, the loader already read the file
            // itself and there is nothing more to report.
            let _ = worker.join();
        }
    }
}

/// The worker: takes queued files in order while the ready budget allows.
fn work(shared: &Shared, root: &std::path::Path) {
    let mut state = shared.lock();
    loop {
        if state.shutdown {
            return;
        }
        let next = if state.ready_bytes < READY_BUDGET_BYTES {
            state.queue.pop_front()
        } else {
            None
        };
        let Some(rel) = next else {
            state = shared.wait(state);
            continue;
        };
        // Taken over (or already read) by the loader: skip.
        if !matches!(state.slots.get(&rel), Some(Slot::Queued)) {
            continue;
        }
        state.slots.insert(rel.clone(), Slot::Working);
        drop(state);
        let path = root.join(&rel);
        let outcome = std::panic::catch_unwind(|| read_json_file_sized(&path, &rel));
        state = shared.lock();
        match outcome {
            Ok(result) => {
                let (result, size) = match result {
                    Ok((content, size)) => (Ok(content), size),
                    Err(e) => (Err(e), 0),
                };
                state.ready_bytes += size;
                state.slots.insert(rel, Slot::Done(result, size));
            }
            Err(_) => {
                state.slots.insert(rel, Slot::Abandoned);
            }
        }
        shared.changed.notify_all();
    }
}
