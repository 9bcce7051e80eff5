//! Durable state in sled: records, passwords, link rows, the link type and object names,
//! tokens and the link id sequence. [`Store`] opens, applies, flushes, reads back and closes;
//! the rooms beside it own one concern each:
//!
//! - `keys`: the key layout and the value codecs (link rows packed in blocks);
//! - `write_set`: [`WriteSet`], the changes of one write;
//! - `intent`: the intent log that makes a multi-key apply atomic, its recovery at start,
//!   and the failure latch that refuses writes after one failed part-way;
//! - `committer`: group commit, one flush for many waiting writers;
//! - `folder`: opening a folder, and giving it back so that it can be opened again.
//!
//! This module knows nothing of HTTP or of Zammad's rules; `state` decides what to write.

mod bulk;
mod committer;
mod folder;
mod intent;
mod keys;
mod write_set;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use crate::model::{ApiToken, LinkRow, Millis, ModelKind};

pub use bulk::BulkLoad;
use committer::Committer;
use folder::Database;
use intent::{add_to_batch, FailureLatch};
pub use keys::LINKS_PER_BLOCK;
use keys::{
    block_key, block_of, corrupt, decode_block, record_key, signed_from, u64_value, LINK_BLOCK,
    LINK_OBJECT, LINK_ROW_BYTES, LINK_TYPE, META, META_INITIALIZED, META_LINK_COUNT,
    META_NEXT_LINK_ID, META_SEQUENCES, PASSWORD, RECORD, TOKEN, TOUCH,
};
pub use write_set::WriteSet;

/// The most key operations an apply writes through the intent log; more go in a sled batch.
const INTENT_MAX_OPS: usize = 64;

/// A file beside sled's own, written once the fixtures are in: a database folder that has it
/// but holds no data has lost its content, and must not be silently refilled.
const MARKER_FILE: &str = "zammad-links-mock.initialized";

/// Whether folder `path` holds a database whose fixtures were loaded (its mark file is there),
/// seen without opening it: the binary's start-up block tells a first start from a restart.
#[cfg(feature = "cli")]
pub(crate) fn is_marked(path: &Path) -> bool {
    path.join(MARKER_FILE).is_file()
}

/// The most operations [`Store::replace_all`] applies as one atomic batch.
pub const ATOMIC_BATCH_OPS: usize = 50_000;

/// What went wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// sled itself failed (I/O, corruption it detected, a lock held by another process).
    #[error("database error")]
    Sled(#[from] sled::Error),
    /// The database is not in a state this program can trust.
    #[error("the database is damaged: {0}")]
    Damaged(String),
    /// A value in the database is not what this program writes.
    #[error("the database holds an unreadable entry at key {key:?}: {reason}")]
    Corrupt {
        /// The key, printed lossily.
        key: String,
        /// What was wrong.
        reason: String,
    },
    /// The store was closed (its server stopped).
    #[error("the database is closed")]
    Closed,
    /// sled cannot read the folder's files (they were cut short or overwritten).
    #[error(
        "sled cannot read it ({0}); start with --reset to begin again from the fixtures \
         (its content is lost), or move the folder away"
    )]
    Unreadable(String),
}

/// Everything the database holds, read back at start-up.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Records as `(kind, id, public JSON)`, by kind and id.
    pub records: Vec<(ModelKind, i64, String)>,
    /// Users' passwords.
    pub passwords: Vec<(i64, String)>,
    /// Link rows, by id.
    pub links: Vec<LinkRow>,
    /// Link types `(id, name)`.
    pub link_types: Vec<(u16, String)>,
    /// Link objects `(id, name)`.
    pub link_objects: Vec<(u16, String)>,
    /// API tokens.
    pub tokens: Vec<ApiToken>,
    /// The next link id to hand out (never reused, like a database sequence).
    pub next_link_id: u64,
    /// The record sequences as written (`WriteSet::put_sequences`), in order.
    pub sequences: Vec<u64>,
}

/// The sled database.
#[derive(Debug)]
pub struct Store {
    /// `None` once closed. Shared with the committer's flush. Taking it out closes the
    /// database and gives its folder back (see `folder`).
    db: Arc<RwLock<Option<Database>>>,
    marker: Option<PathBuf>,
    committer: Committer,
    /// Serialises applies: a link block is read, changed and written back in one apply.
    applying: Mutex<()>,
    latch: FailureLatch,
}

impl Store {
    /// Opens (or creates) the database in folder `path`, finishing an apply that a crash
    /// interrupted.
    ///
    /// # Errors
    /// When the folder cannot be created or read, another process (or another server of
    /// this one) holds it, or it is not a sled database.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let database = folder::open(path)?;
        folder::unpanicked(|| intent::recover(&database.db))?;
        Self::over(database, Some(path.join(MARKER_FILE)))
    }

    /// As [`Store::open`], but a folder sled cannot read is cleared of sled's files and
    /// opened empty (`--reset`: its content is to be replaced anyway).
    ///
    /// # Errors
    /// As [`Store::open`], except for unreadable files.
    pub fn open_for_reset(path: &Path) -> Result<Self, StoreError> {
        match Self::open(path) {
            Err(StoreError::Unreadable(why)) => {
                log::warn!(
                    "{}: sled cannot read it ({why}); clearing it",
                    path.display()
                );
                folder::wipe(path)?;
                Self::open(path)
            }
            other => other,
        }
    }

    /// A database that lives in memory and in a temporary file removed on drop.
    ///
    /// # Errors
    /// When the temporary file cannot be created.
    pub fn temporary() -> Result<Self, StoreError> {
        let db = sled::Config::new()
            .temporary(true)
            .flush_every_ms(None)
            .open()?;
        Self::over(Database::unclaimed(db), None)
    }

    fn over(database: Database, marker: Option<PathBuf>) -> Result<Self, StoreError> {
        let db = Arc::new(RwLock::new(Some(database)));
        let flushed = Arc::clone(&db);
        let committer = Committer::start(Box::new(move || match &*flushed.read() {
            Some(database) => database.db.flush().map(drop).map_err(|e| e.to_string()),
            None => Err("the database is closed".into()),
        }))?;
        Ok(Self {
            db,
            marker,
            committer,
            applying: Mutex::new(()),
            latch: FailureLatch::default(),
        })
    }

    /// Runs `read` on the open database.
    fn with_db<T>(
        &self,
        read: impl FnOnce(&sled::Db) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &*self.db.read() {
            Some(database) => read(&database.db),
            None => Err(StoreError::Closed),
        }
    }

    /// Flushes and lets go of the database, so that its folder can be opened again as soon
    /// as this returns, even while this store lives on (the server's state can outlive its
    /// server on actix's worker threads). Later calls fail with [`StoreError::Closed`];
    /// closing twice is fine.
    ///
    /// # Errors
    /// When the final flush fails; the folder is given back all the same.
    pub fn close(&self) -> Result<(), StoreError> {
        let _applying = self.applying.lock();
        let Some(database) = self.db.write().take() else {
            return Ok(());
        };
        // `database` drops on both paths: the handle first, then the claim on the folder.
        database.db.flush()?;
        Ok(())
    }

    /// Whether fixtures were ever loaded into this database.
    ///
    /// # Errors
    /// [`StoreError::Damaged`] when the folder was initialised before but its data is gone.
    pub fn is_initialized(&self) -> Result<bool, StoreError> {
        let initialized = self.with_db(|db| Ok(db.contains_key(META_INITIALIZED)?))?;
        if !initialized && self.marker.as_ref().is_some_and(|m| m.exists()) {
            return Err(StoreError::Damaged(
                "it was initialised before but its data is gone; start with --reset to load \
                 the fixtures over it"
                    .into(),
            ));
        }
        Ok(initialized)
    }

    /// Applies `writes` atomically (not yet flushed: see [`Store::flush`]): one key as a
    /// plain write, up to 64 through the intent log (see `intent`), more (a fixture merge)
    /// in a sled batch, whose two disk writes no longer matter there while writing
    /// everything twice would. Every path is guarded by the failure latch.
    ///
    /// # Errors
    /// When sled fails, or an earlier write failed.
    pub fn apply(&self, writes: WriteSet) -> Result<(), StoreError> {
        if writes.is_empty() {
            return Ok(());
        }
        let _applying = self.applying.lock();
        self.with_db(|db| {
            self.latch.guard(|| {
                let ops = writes.resolve(Some(db))?;
                match &ops[..] {
                    [(key, value)] => intent::write_op(db, key, value.as_deref()),
                    ops if ops.len() > INTENT_MAX_OPS => {
                        let mut batch = sled::Batch::default();
                        for op in ops.iter().cloned() {
                            add_to_batch(&mut batch, op);
                        }
                        Ok(db.apply_batch(batch)?)
                    }
                    ops => intent::write_through(db, ops),
                }
            })
        })
    }

    /// Waits until everything applied so far is on disk. Concurrent callers share flushes,
    /// so waiting writers are committed as a group by the committer thread.
    ///
    /// # Errors
    /// When sled fails to write.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.committer.flush().await
    }

    /// Waits until everything applied so far is on disk, blocking the thread.
    ///
    /// # Errors
    /// When sled fails to write.
    pub fn flush_blocking(&self) -> Result<(), StoreError> {
        self.with_db(|db| Ok(db.flush().map(drop)?))
    }

    /// Replaces the whole content with `writes` and marks the database as initialised.
    ///
    /// Up to [`ATOMIC_BATCH_OPS`] operations go in one atomic batch: every old key is removed,
    /// then the new content written over it. A larger document goes in chunks, so that sled
    /// never holds one giant batch: the database first stops counting as initialised, then
    /// the old keys go, then the content, and the initialised mark comes last. A crash in
    /// between leaves a folder that refuses to start until `--reset` (see
    /// [`Store::is_initialized`]), never a half-loaded one that passes for whole.
    ///
    /// # Errors
    /// When sled fails, or an earlier write failed.
    pub fn replace_all(&self, mut writes: WriteSet) -> Result<(), StoreError> {
        let _applying = self.applying.lock();
        self.with_db(|db| {
            self.latch.guard(|| {
                if writes.len() < ATOMIC_BATCH_OPS {
                    writes.mark_initialized();
                    let mut batch = sled::Batch::default();
                    for key in db.iter().keys() {
                        batch.remove(key?);
                    }
                    // A batch keeps the last operation per key, so the new content wins over
                    // the removals; blocks are built from nothing, as everything old goes.
                    for op in writes.resolve(None)? {
                        add_to_batch(&mut batch, op);
                    }
                    db.apply_batch(batch)?;
                } else {
                    Self::replace_in_chunks(db, writes)?;
                }
                db.flush()?;
                Ok(())
            })
        })?;
        self.write_marker()
    }

    /// Leaves the mark file beside sled's own (see [`MARKER_FILE`]).
    fn write_marker(&self) -> Result<(), StoreError> {
        if let Some(marker) = &self.marker {
            std::fs::write(marker, b"sled database of zammad-links-mock\n").map_err(|e| {
                StoreError::Damaged(format!("cannot write {}: {e}", marker.display()))
            })?;
        }
        Ok(())
    }

    fn replace_in_chunks(db: &sled::Db, writes: WriteSet) -> Result<(), StoreError> {
        db.remove(META_INITIALIZED)?;
        db.flush()?;
        let mut batch = sled::Batch::default();
        let mut in_batch = 0;
        for key in db.iter().keys() {
            batch.remove(key?);
            in_batch += 1;
            if in_batch == ATOMIC_BATCH_OPS {
                db.apply_batch(std::mem::take(&mut batch))?;
                in_batch = 0;
            }
        }
        for op in writes.resolve(None)? {
            // A link block counts as the rows it holds.
            let is_block = op.0.first() == Some(&LINK_BLOCK);
            let rows = op.1.as_ref().map_or(0, |v| v.len() / LINK_ROW_BYTES);
            in_batch += if is_block { rows.max(1) } else { 1 };
            add_to_batch(&mut batch, op);
            if in_batch >= ATOMIC_BATCH_OPS {
                db.apply_batch(std::mem::take(&mut batch))?;
                in_batch = 0;
            }
        }
        // The mark goes last, after every chunk (see above).
        batch.insert(META_INITIALIZED, &[1u8]);
        db.apply_batch(batch)?;
        Ok(())
    }

    /// Reads everything back.
    ///
    /// # Errors
    /// When sled fails or an entry is unreadable.
    pub fn load(&self) -> Result<Snapshot, StoreError> {
        self.with_db(|db| folder::unpanicked(|| Self::load_from(db)))
    }

    fn load_from(db: &sled::Db) -> Result<Snapshot, StoreError> {
        let mut snapshot = Snapshot {
            next_link_id: 1,
            ..Snapshot::default()
        };
        let mut max_link_id = 0;
        let mut recorded_links = None;
        let mut touches = HashMap::new();
        for entry in db.iter() {
            let (key, value) = entry?;
            let text =
                || String::from_utf8(value.to_vec()).map_err(|_| corrupt(&key, "not UTF-8 text"));
            let kind = || ModelKind::from_tag(key[1]).ok_or_else(|| corrupt(&key, "unknown kind"));
            match key.first().copied() {
                Some(RECORD) if key.len() == 10 => {
                    snapshot
                        .records
                        .push((kind()?, signed_from(&key[2..]), text()?));
                }
                Some(TOUCH) if key.len() == 10 => {
                    let at = u64_value(&key, &value, "bad touch")? as i64;
                    touches.insert((kind()?, signed_from(&key[2..])), Millis(at));
                }
                Some(PASSWORD) if key.len() == 9 => {
                    snapshot.passwords.push((signed_from(&key[1..]), text()?));
                }
                Some(LINK_BLOCK) if key.len() == 9 => {
                    let rows = decode_block(&key, &value)?;
                    if let Some(last) = rows.last() {
                        max_link_id = max_link_id.max(last.id);
                    }
                    snapshot.links.extend(rows);
                }
                Some(LINK_TYPE) if key.len() == 3 => {
                    let id = u16::from_be_bytes([key[1], key[2]]);
                    snapshot.link_types.push((id, text()?));
                }
                Some(LINK_OBJECT) if key.len() == 3 => {
                    let id = u16::from_be_bytes([key[1], key[2]]);
                    snapshot.link_objects.push((id, text()?));
                }
                Some(TOKEN) => {
                    let token = serde_json::from_slice(&value)
                        .map_err(|e| corrupt(&key, format!("bad token: {e}")))?;
                    snapshot.tokens.push(token);
                }
                Some(META) if &*key == META_NEXT_LINK_ID => {
                    let next = u64_value(&key, &value, "bad link id sequence")?;
                    snapshot.next_link_id = snapshot.next_link_id.max(next);
                }
                Some(META) if &*key == META_LINK_COUNT => {
                    recorded_links = Some(u64_value(&key, &value, "bad link count")?);
                }
                Some(META) if &*key == META_INITIALIZED => {}
                Some(META) if &*key == META_SEQUENCES => {
                    if !value.len().is_multiple_of(8) {
                        return Err(corrupt(&key, "bad record sequences"));
                    }
                    snapshot.sequences = value
                        .chunks_exact(8)
                        .map(|chunk| u64::from_be_bytes(chunk.try_into().expect("8 bytes")))
                        .collect();
                }
                _ => return Err(corrupt(&key, "unknown key")),
            }
        }
        for (kind, id, json) in &mut snapshot.records {
            if let Some(at) = touches.get(&(*kind, *id)) {
                let key = record_key(*kind, *id);
                *json = crate::records::touch_json(json, *at)
                    .ok_or_else(|| corrupt(&key, "a touched record is not a JSON object"))?;
            }
        }
        snapshot.next_link_id = snapshot.next_link_id.max(max_link_id + 1);
        // Every write records the link count in the same atomic apply, so a difference means
        // sled lost or kept data it should not have.
        if let Some(recorded) = recorded_links {
            if recorded != snapshot.links.len() as u64 {
                return Err(StoreError::Damaged(format!(
                    "it records {recorded} links but holds {}",
                    snapshot.links.len()
                )));
            }
        }
        Ok(snapshot)
    }

    /// The stored rows of links `ids` that exist, by id, each block read once (a merge
    /// re-points a ticket's thousands of rows keeping their timestamps).
    ///
    /// # Errors
    /// When sled fails or a row is unreadable.
    pub fn links_by_id(&self, ids: &[u64]) -> Result<Vec<LinkRow>, StoreError> {
        let mut wanted = ids.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        self.with_db(|db| {
            let mut rows = Vec::with_capacity(wanted.len());
            let mut at = 0;
            while at < wanted.len() {
                let block = block_of(wanted[at]);
                let end = at + wanted[at..].partition_point(|id| block_of(*id) == block);
                let key = block_key(block);
                if let Some(value) = db.get(key)? {
                    let ids = &wanted[at..end];
                    rows.extend(
                        decode_block(&key, &value)?
                            .into_iter()
                            .filter(|row| ids.binary_search(&row.id).is_ok()),
                    );
                }
                at = end;
            }
            Ok(rows)
        })
    }

    /// The stored link row `id`.
    ///
    /// # Errors
    /// When sled fails or the row is unreadable.
    pub fn link(&self, id: u64) -> Result<Option<LinkRow>, StoreError> {
        let key = block_key(block_of(id));
        self.with_db(|db| match db.get(key)? {
            None => Ok(None),
            Some(value) => Ok(decode_block(&key, &value)?
                .into_iter()
                .find(|row| row.id == id)),
        })
    }

    /// Every link row, by id.
    ///
    /// # Errors
    /// When sled fails or a row is unreadable.
    pub fn links(&self) -> Result<Vec<LinkRow>, StoreError> {
        self.with_db(|db| {
            let mut rows = Vec::new();
            for entry in db.scan_prefix([LINK_BLOCK]) {
                let (key, value) = entry?;
                rows.extend(decode_block(&key, &value)?);
            }
            Ok(rows)
        })
    }
}

impl Drop for Store {
    /// Closes the database before the folder is given back (a close that fails is as good
    /// as a crash: the next start finishes what was logged).
    fn drop(&mut self) {
        let _ = self.close();
    }
}

#[cfg(test)]
mod tests;
