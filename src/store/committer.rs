//! Group commit on a thread of its own: writers ask for a flush and wait; the committer
//! flushes everything applied so far in one go and releases every writer it covered. While
//! one flush runs, the writers that arrive meanwhile gather for the next, so under load one
//! flush serves many writes.
//!
//! Not sled's `flush_async`: that one parks each waiter on sled's small I/O pool, and with
//! enough concurrent writers every pool thread waited for a buffer write queued behind them
//! (a deadlock seen here). Not a flush per writer on the runtime's blocking pool either (the
//! first design): each one cost a thread hand-off both ways.
//!
//! The committer knows nothing of sled: it is given the flush to run, which keeps it testable.

use std::sync::Arc;

use parking_lot::{Condvar, Mutex};

use super::StoreError;

/// The flush a committer runs: everything applied before the call is durable when it returns.
pub(super) type FlushFn = Box<dyn Fn() -> Result<(), String> + Send>;

/// The committer thread and the way to reach it.
#[derive(Debug)]
pub(super) struct Committer {
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[derive(Debug)]
struct Shared {
    requests: Mutex<Requests>,
    wake: Condvar,
    flushed: tokio::sync::watch::Sender<Flushed>,
}

#[derive(Debug, Default)]
struct Requests {
    /// Tickets handed out so far; a ticket is covered by any flush started after it.
    requested: u64,
    stop: bool,
}

#[derive(Debug, Default, Clone)]
struct Flushed {
    /// Every ticket up to this one is on disk (or failed).
    completed: u64,
    /// The first ticket of the first flush that failed, and why: that ticket and every
    /// later one are refused, as sled does not recover from a failed write.
    failed: Option<(u64, String)>,
}

impl Committer {
    /// Starts the thread that runs `flush`.
    ///
    /// # Errors
    /// When the thread cannot be started.
    pub(super) fn start(flush: FlushFn) -> Result<Self, StoreError> {
        let shared = Arc::new(Shared {
            requests: Mutex::default(),
            wake: Condvar::new(),
            flushed: tokio::sync::watch::Sender::new(Flushed::default()),
        });
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("sled-committer".into())
            .spawn(move || Self::run(&thread_shared, &flush))
            .map_err(|e| StoreError::Damaged(format!("cannot start the committer: {e}")))?;
        Ok(Self {
            shared,
            thread: Some(thread),
        })
    }

    fn run(shared: &Shared, flush: &FlushFn) {
        let mut done = 0;
        loop {
            let target = {
                let mut requests = shared.requests.lock();
                while requests.requested == done && !requests.stop {
                    shared.wake.wait(&mut requests);
                }
                if requests.requested == done {
                    return;
                }
                requests.requested
            };
            // A panic in sled must not end this thread: its waiters would wait forever.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(flush))
                .unwrap_or_else(|_| Err("sled panicked while flushing".into()));
            shared.flushed.send_modify(|flushed| {
                if let Err(e) = result {
                    flushed.failed.get_or_insert((done + 1, e));
                }
                flushed.completed = target;
            });
            done = target;
        }
    }

    /// Waits until everything applied before the call is durable.
    ///
    /// # Errors
    /// When the flush that covered this call (or an earlier one) failed, or the committer
    /// stopped.
    pub(super) async fn flush(&self) -> Result<(), StoreError> {
        let mut flushed = self.shared.flushed.subscribe();
        let ticket = {
            let mut requests = self.shared.requests.lock();
            requests.requested += 1;
            self.shared.wake.notify_one();
            requests.requested
        };
        let flushed = flushed
            .wait_for(|f| f.completed >= ticket)
            .await
            .map_err(|_| StoreError::Damaged("the committer stopped".into()))?;
        match &flushed.failed {
            Some((first, reason)) if *first <= ticket => {
                Err(StoreError::Damaged(format!("a flush failed: {reason}")))
            }
            _ => Ok(()),
        }
    }
}

impl Drop for Committer {
    /// Lets the committer finish what was asked, then stops and joins it, so that its
    /// flush (and the database it holds) is gone when the committer is.
    fn drop(&mut self) {
        self.shared.requests.lock().stop = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn counting(flushes: &Arc<AtomicUsize>, result: Result<(), String>) -> FlushFn {
        let flushes = Arc::clone(flushes);
        Box::new(move || {
            flushes.fetch_add(1, Ordering::SeqCst);
            // Slow enough that writers arriving meanwhile gather for the next flush.
            std::thread::sleep(std::time::Duration::from_millis(5));
            result.clone()
        })
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap()
    }

    #[test]
    fn one_flush_serves_many_waiting_writers() {
        let flushes = Arc::new(AtomicUsize::new(0));
        let committer = Arc::new(Committer::start(counting(&flushes, Ok(()))).unwrap());
        let results = runtime().block_on(async {
            let mut writers = tokio::task::JoinSet::new();
            for _ in 0..50 {
                let committer = Arc::clone(&committer);
                writers.spawn(async move { committer.flush().await });
            }
            writers.join_all().await
        });
        assert!(results.iter().all(Result::is_ok));
        let count = flushes.load(Ordering::SeqCst);
        assert!((1..50).contains(&count), "{count} flushes for 50 writers");
    }

    #[test]
    fn a_failed_flush_fails_its_writers_and_every_later_one() {
        let flushes = Arc::new(AtomicUsize::new(0));
        let committer = Committer::start(counting(&flushes, Err("disk full".into()))).unwrap();
        let rt = runtime();
        let first = rt.block_on(committer.flush()).unwrap_err().to_string();
        let later = rt.block_on(committer.flush()).unwrap_err().to_string();
        assert_eq!(first, "the database is damaged: a flush failed: disk full");
        assert_eq!(later, first);
    }

    #[test]
    fn a_panicking_flush_fails_its_writers_instead_of_stranding_them() {
        let committer = Committer::start(Box::new(|| panic!("boom"))).unwrap();
        let error = runtime().block_on(committer.flush()).unwrap_err();
        assert!(error.to_string().contains("sled panicked"), "{error}");
    }

    #[test]
    fn dropping_the_committer_joins_its_thread_and_drops_its_flush() {
        let alive = Arc::new(());
        let held = Arc::clone(&alive);
        let committer = Committer::start(Box::new(move || {
            let _ = &held;
            Ok(())
        }))
        .unwrap();
        drop(committer);
        assert_eq!(Arc::strong_count(&alive), 1);
    }
}
