//! [`BulkLoad`]: a whole new content written in bounded batches while it is still being
//! read (a fixture file at start-up or reset), rather than gathered into one [`WriteSet`]
//! first.
//!
//! It starts by taking away the initialised mark and everything else, and it puts the mark
//! back only in `BulkLoad::finish`, after every batch: a load that fails or stops half-way
//! (a bad entry at the end of the file, a crash) leaves a folder that no start takes for a
//! loaded one. One that is dropped unfinished clears what it wrote and trips the failure
//! latch, since the database no longer holds what memory holds. Batches are applied on a
//! thread of their own, so that sled writes while the next batch is being read.

use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

use parking_lot::MutexGuard;

use super::intent::add_to_batch;
use super::keys::META_INITIALIZED;
use super::{Store, StoreError, WriteSet};

/// Batches the applying thread may be behind by: enough to keep it busy, few enough that
/// memory stays bounded.
const BATCHES_IN_FLIGHT: usize = 2;

/// A new content being written; see the module documentation.
#[derive(Debug)]
pub struct BulkLoad<'s> {
    store: &'s Store,
    _applying: MutexGuard<'s, ()>,
    db: sled::Db,
    batches: Option<SyncSender<WriteSet>>,
    applier: Option<JoinHandle<Result<(), StoreError>>>,
    finished: bool,
}

impl Store {
    /// Starts replacing the whole content: everything is removed (the initialised mark
    /// first, on disk before anything else goes), then `BulkLoad::apply` writes the new
    /// content and `BulkLoad::finish` marks it loaded. Other writes wait until it ends.
    ///
    /// # Errors
    /// When sled fails, or an earlier write failed.
    pub fn bulk_load(&self) -> Result<BulkLoad<'_>, StoreError> {
        let applying = self.applying.lock();
        self.latch.check()?;
        let db = self.with_db(|db| Ok(db.clone()))?;
        let cleared = (|| -> Result<(), sled::Error> {
            db.remove(META_INITIALIZED)?;
            db.flush()?;
            db.clear()
        })();
        if let Err(e) = cleared {
            self.latch.trip();
            return Err(e.into());
        }
        let mut load = BulkLoad {
            store: self,
            _applying: applying,
            db,
            batches: None,
            applier: None,
            finished: false,
        };
        load.spawn_applier()?;
        Ok(load)
    }
}

impl BulkLoad<'_> {
    /// Writes `writes` as one batch. Link rows must come whole blocks at a time: a block
    /// is written from the rows given here alone.
    ///
    /// # Errors
    /// When sled failed on an earlier batch.
    pub fn apply(&mut self, writes: WriteSet) -> Result<(), StoreError> {
        let sent = self.batches.as_ref().map(|batches| batches.send(writes));
        match sent {
            Some(Ok(())) => Ok(()),
            // The applier stopped: it failed, and says why.
            _ => Err(self.join_applier().err().unwrap_or(StoreError::Closed)),
        }
    }

    /// Throws away everything applied so far: the load starts again.
    ///
    /// # Errors
    /// When sled fails.
    pub fn restart(&mut self) -> Result<(), StoreError> {
        self.join_applier()?;
        self.db.clear()?;
        self.spawn_applier()
    }

    fn spawn_applier(&mut self) -> Result<(), StoreError> {
        let (batches, received) = sync_channel::<WriteSet>(BATCHES_IN_FLIGHT);
        let target = self.db.clone();
        let applier = std::thread::Builder::new()
            .name("zammad-links-mock-load".into())
            .spawn(move || {
                for writes in received {
                    // Encoded here, off the reading thread.
                    let mut batch = sled::Batch::default();
                    for op in writes.resolve(None)? {
                        add_to_batch(&mut batch, op);
                    }
                    target.apply_batch(batch)?;
                }
                Ok(())
            })
            .map_err(|e| StoreError::Damaged(format!("cannot start a thread: {e}")))?;
        self.batches = Some(batches);
        self.applier = Some(applier);
        Ok(())
    }

    fn join_applier(&mut self) -> Result<(), StoreError> {
        self.batches = None;
        match self.applier.take().map(JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(e),
            Some(Err(_)) => Err(StoreError::Damaged("the loading thread panicked".into())),
        }
    }

    /// Writes `last`, waits for every batch, marks the database as loaded, writes it out
    /// and leaves the mark file beside it.
    ///
    /// # Errors
    /// When sled fails.
    pub fn finish(mut self, mut last: WriteSet) -> Result<(), StoreError> {
        last.mark_initialized();
        self.apply(last)?;
        self.join_applier()?;
        self.db.flush()?;
        self.finished = true;
        self.store.write_marker()
    }
}

impl Drop for BulkLoad<'_> {
    /// An unfinished load: what it wrote goes again (best effort: the mark is gone anyway),
    /// and the store refuses writes until a restart.
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let _ = self.join_applier();
        let _ = self.db.clear();
        let _ = self.db.flush();
        self.store.latch.trip();
    }
}
