//! Durable state in sled: records, passwords, link rows, the link type and object names,
//! tokens and the link id sequence.
//!
//! Everything lives in sled's default tree under a one-byte key prefix, not in one tree per
//! kind, because a single `Batch` on one tree is applied atomically: an add writes its link
//! row, the touched tickets and any newly created names together or not at all. Numeric keys
//! are big-endian (sign bit flipped for signed ids) so that iteration follows id order.
//!
//! Link rows are packed [`LINKS_PER_BLOCK`] ids to a key (46 bytes a row): sled spends
//! several microseconds and a few hundred bytes of disk on every key, so one key per row
//! made a 10-million-link start-up take minutes. A write reads the blocks it changes and
//! writes them back whole, inside its atomic batch.
//! This module knows nothing of HTTP or of Zammad's rules; `state` decides what to write.

use std::path::Path;
use std::sync::Arc;

use crate::catalog::NewName;
use crate::model::{ApiToken, LinkObjectId, LinkRow, LinkTypeId, Millis, ModelKind, ObjectRef};
use crate::records::Record;

const RECORD: u8 = b'r';
const PASSWORD: u8 = b'p';
/// Link rows one per key: the layout of 0.1, moved into blocks when a database is opened.
const LEGACY_LINK: u8 = b'l';
const LINK_BLOCK: u8 = b'b';
const LINK_TYPE: u8 = b't';
const LINK_OBJECT: u8 = b'o';
const TOKEN: u8 = b'k';
const META: u8 = b'm';
/// A record's latest `touch`: its `updated_at` alone, so that an add writes 8 bytes per
/// touched ticket instead of the whole record; applied to the record when it is read back.
const TOUCH: u8 = b'u';
/// An apply in progress: its key operations, until they are all written.
const JOURNAL: u8 = b'j';
/// The most key operations an apply writes through the journal; more go in a sled batch.
const JOURNAL_MAX_OPS: usize = 64;

const META_INITIALIZED: &[u8] = b"minitialized";
const META_NEXT_LINK_ID: &[u8] = b"mnext_link_id";
const META_LINK_COUNT: &[u8] = b"mlink_count";

/// A file beside sled's own, written once the fixtures are in: a database folder that has it
/// but holds no data has lost its content, and must not be silently refilled.
const MARKER_FILE: &str = "zammad-links-mock.initialized";

const LINK_ROW_BYTES: usize = 46;

/// Link ids per block key: a block holds the rows of ids `n * 64 .. n * 64 + 63` that exist.
pub const LINKS_PER_BLOCK: u64 = 64;

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
}

fn corrupt(key: &[u8], reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        reason: reason.into(),
    }
}

fn signed_key(value: i64) -> [u8; 8] {
    ((value as u64) ^ (1 << 63)).to_be_bytes()
}

fn signed_from(bytes: &[u8]) -> i64 {
    let mut raw = [0u8; 8];
    raw.copy_from_slice(&bytes[..8]);
    (u64::from_be_bytes(raw) ^ (1 << 63)) as i64
}

fn record_key(kind: ModelKind, id: i64) -> Vec<u8> {
    let mut key = vec![RECORD, kind.tag()];
    key.extend_from_slice(&signed_key(id));
    key
}

fn touch_key(record_key: &[u8]) -> Vec<u8> {
    let mut key = record_key.to_vec();
    key[0] = TOUCH;
    key
}

#[cfg(test)]
fn legacy_link_key(id: u64) -> [u8; 9] {
    let mut key = [LEGACY_LINK; 9];
    key[1..].copy_from_slice(&id.to_be_bytes());
    key
}

fn block_key(block: u64) -> [u8; 9] {
    let mut key = [LINK_BLOCK; 9];
    key[1..].copy_from_slice(&block.to_be_bytes());
    key
}

fn block_of(id: u64) -> u64 {
    id / LINKS_PER_BLOCK
}

fn decode_block(key: &[u8], bytes: &[u8]) -> Result<Vec<LinkRow>, StoreError> {
    if bytes.len() % LINK_ROW_BYTES != 0 {
        return Err(corrupt(key, "bad link block"));
    }
    bytes
        .chunks_exact(LINK_ROW_BYTES)
        .map(|chunk| decode_link(chunk).ok_or_else(|| corrupt(key, "bad link row")))
        .collect()
}

fn encode_block(rows: &[LinkRow]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * LINK_ROW_BYTES);
    for row in rows {
        out.extend_from_slice(&encode_link(row));
    }
    out
}

/// A key written (`Some` value) or removed (`None`).
type KeyOp = (Vec<u8>, Option<Vec<u8>>);

fn add_to_batch(batch: &mut sled::Batch, (key, value): KeyOp) {
    match value {
        Some(value) => batch.insert(key, value),
        None => batch.remove(key),
    }
}

/// The key operations of one apply, as one value: written before them and removed after, so
/// that a crash in between is finished at the next start (see [`Store::apply`]).
fn encode_journal(ops: &[KeyOp]) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in ops {
        out.push(u8::from(value.is_some()));
        out.extend_from_slice(&(key.len() as u32).to_be_bytes());
        out.extend_from_slice(key);
        if let Some(value) = value {
            out.extend_from_slice(&(value.len() as u32).to_be_bytes());
            out.extend_from_slice(value);
        }
    }
    out
}

fn decode_journal(key: &[u8], mut bytes: &[u8]) -> Result<Vec<KeyOp>, StoreError> {
    let bad = || corrupt(key, "bad journal entry");
    let mut take = |n: usize| -> Result<Vec<u8>, StoreError> {
        if bytes.len() < n {
            return Err(bad());
        }
        let (head, rest) = bytes.split_at(n);
        bytes = rest;
        Ok(head.to_vec())
    };
    let mut ops = Vec::new();
    loop {
        let Ok(tag) = take(1) else { break };
        let len = |raw: Vec<u8>| u32::from_be_bytes(raw.try_into().unwrap_or_default()) as usize;
        let key_len = len(take(4)?);
        let op_key = take(key_len)?;
        let value = match tag[0] {
            0 => None,
            1 => {
                let value_len = len(take(4)?);
                Some(take(value_len)?)
            }
            _ => return Err(bad()),
        };
        ops.push((op_key, value));
    }
    Ok(ops)
}

/// One change to the link rows, applied to its block in the order it was added.
#[derive(Debug, Clone)]
enum LinkEdit {
    Put(LinkRow),
    Delete(u64),
}

impl LinkEdit {
    fn block(&self) -> u64 {
        match self {
            LinkEdit::Put(row) => block_of(row.id),
            LinkEdit::Delete(id) => block_of(*id),
        }
    }

    /// Applies the edit to a block's rows, kept by id.
    fn apply_to(&self, rows: &mut Vec<LinkRow>) {
        match self {
            LinkEdit::Put(row) => match rows.binary_search_by_key(&row.id, |r| r.id) {
                Ok(at) => rows[at] = *row,
                Err(at) => rows.insert(at, *row),
            },
            LinkEdit::Delete(id) => rows.retain(|r| r.id != *id),
        }
    }
}

/// Link edits grouped by block, in block order.
fn edits_by_block(edits: Vec<LinkEdit>) -> std::collections::BTreeMap<u64, Vec<LinkEdit>> {
    let mut blocks: std::collections::BTreeMap<u64, Vec<LinkEdit>> = Default::default();
    for edit in edits {
        blocks.entry(edit.block()).or_default().push(edit);
    }
    blocks
}

fn encode_link(row: &LinkRow) -> [u8; LINK_ROW_BYTES] {
    let mut out = [0u8; LINK_ROW_BYTES];
    out[0..8].copy_from_slice(&row.id.to_be_bytes());
    out[8..10].copy_from_slice(&row.link_type.0.to_be_bytes());
    out[10..12].copy_from_slice(&row.source.object.0.to_be_bytes());
    out[12..20].copy_from_slice(&row.source.value.to_be_bytes());
    out[20..22].copy_from_slice(&row.target.object.0.to_be_bytes());
    out[22..30].copy_from_slice(&row.target.value.to_be_bytes());
    out[30..38].copy_from_slice(&row.created_at.0.to_be_bytes());
    out[38..46].copy_from_slice(&row.updated_at.0.to_be_bytes());
    out
}

fn decode_link(bytes: &[u8]) -> Option<LinkRow> {
    if bytes.len() != LINK_ROW_BYTES {
        return None;
    }
    let u16_at = |at: usize| u16::from_be_bytes([bytes[at], bytes[at + 1]]);
    let i64_at = |at: usize| {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(&bytes[at..at + 8]);
        i64::from_be_bytes(raw)
    };
    Some(LinkRow {
        id: i64_at(0) as u64,
        link_type: LinkTypeId(u16_at(8)),
        source: ObjectRef::new(LinkObjectId(u16_at(10)), i64_at(12)),
        target: ObjectRef::new(LinkObjectId(u16_at(20)), i64_at(22)),
        created_at: Millis(i64_at(30)),
        updated_at: Millis(i64_at(38)),
    })
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
}

/// A set of writes applied atomically by [`Store::apply`], in the order they were added.
#[derive(Debug, Default)]
pub struct WriteSet {
    ops: Vec<KeyOp>,
    link_edits: Vec<LinkEdit>,
}

impl WriteSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty() && self.link_edits.is_empty()
    }

    /// The number of operations, a link row counting as one.
    fn len(&self) -> usize {
        self.ops.len() + self.link_edits.len()
    }

    fn insert(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        self.ops
            .push((key.as_ref().to_vec(), Some(value.as_ref().to_vec())));
    }

    fn remove(&mut self, key: impl AsRef<[u8]>) {
        self.ops.push((key.as_ref().to_vec(), None));
    }

    /// Adds the writes to `batch` (see [`WriteSet::resolve`]).
    fn into_batch(self, db: Option<&sled::Db>, batch: &mut sled::Batch) -> Result<(), StoreError> {
        for op in self.resolve(db)? {
            add_to_batch(batch, op);
        }
        Ok(())
    }

    /// The writes as key operations, in order: a changed link block is read from `db`
    /// (`None`: every block starts empty) and written back whole.
    fn resolve(self, db: Option<&sled::Db>) -> Result<Vec<KeyOp>, StoreError> {
        let mut ops = self.ops;
        for (block, edits) in edits_by_block(self.link_edits) {
            let key = block_key(block);
            let mut rows = match db.map(|db| db.get(key)).transpose()?.flatten() {
                Some(bytes) => decode_block(&key, &bytes)?,
                None => Vec::new(),
            };
            for edit in &edits {
                edit.apply_to(&mut rows);
            }
            if rows.is_empty() {
                ops.push((key.to_vec(), None));
            } else {
                ops.push((key.to_vec(), Some(encode_block(&rows))));
            }
        }
        Ok(ops)
    }

    /// Writes a record's public JSON (which supersedes an earlier touch).
    pub fn put_record(&mut self, record: &Record) {
        let key = record_key(record.kind, record.id);
        self.remove(touch_key(&key));
        self.insert(key, record.json.as_bytes());
    }

    /// Writes that `record` was touched at `at` (`updated_at`), and nothing else of it.
    pub fn put_touch(&mut self, record: &Record, at: Millis) {
        let key = record_key(record.kind, record.id);
        self.insert(touch_key(&key), at.0.to_be_bytes());
    }

    /// Writes or deletes a user's password.
    pub fn put_password(&mut self, user_id: i64, password: Option<&str>) {
        let mut key = vec![PASSWORD];
        key.extend_from_slice(&signed_key(user_id));
        match password {
            Some(p) => self.insert(key, p.as_bytes()),
            None => self.remove(key),
        }
    }

    /// Writes a link row.
    pub fn put_link(&mut self, row: &LinkRow) {
        self.link_edits.push(LinkEdit::Put(*row));
    }

    /// Deletes a link row.
    pub fn delete_link(&mut self, id: u64) {
        self.link_edits.push(LinkEdit::Delete(id));
    }

    /// Writes a newly created link type or object name.
    pub fn put_name(&mut self, name: &NewName) {
        match name {
            NewName::Type(id, text) => {
                let mut key = vec![LINK_TYPE];
                key.extend_from_slice(&id.0.to_be_bytes());
                self.insert(key, text.as_bytes());
            }
            NewName::Object(id, text) => {
                let mut key = vec![LINK_OBJECT];
                key.extend_from_slice(&id.0.to_be_bytes());
                self.insert(key, text.as_bytes());
            }
        }
    }

    /// Writes an API token.
    pub fn put_token(&mut self, token: &ApiToken) {
        let mut key = vec![TOKEN];
        key.extend_from_slice(token.token.as_bytes());
        let value = serde_json::to_vec(token).expect("a token always serialises");
        self.insert(key, value);
    }

    /// Records how many links the database holds after this write; start-up checks it.
    pub fn put_link_count(&mut self, count: usize) {
        self.insert(META_LINK_COUNT, (count as u64).to_be_bytes());
    }

    /// Records the next link id to hand out.
    pub fn put_next_link_id(&mut self, next: u64) {
        self.insert(META_NEXT_LINK_ID, next.to_be_bytes());
    }

    fn mark_initialized(&mut self) {
        self.insert(META_INITIALIZED, [1u8]);
    }
}

/// Group commit on a thread of its own: writers ask for a flush and wait; the committer
/// flushes everything applied so far in one go and releases every writer it covered. While
/// one flush runs, the writers that arrive meanwhile gather for the next, so under load one
/// flush serves many writes.
///
/// Not sled's `flush_async`: that one parks each waiter on sled's small I/O pool, and with
/// enough concurrent writers every pool thread waited for a buffer write queued behind them
/// (a deadlock seen here). Not a flush per writer on the runtime's blocking pool either (the
/// first design): each one cost a thread hand-off both ways.
#[derive(Debug)]
struct Committer {
    shared: Arc<CommitShared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[derive(Debug)]
struct CommitShared {
    requests: parking_lot::Mutex<Requests>,
    wake: parking_lot::Condvar,
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
    fn start(db: sled::Db) -> Result<Self, StoreError> {
        let shared = Arc::new(CommitShared {
            requests: Default::default(),
            wake: Default::default(),
            flushed: tokio::sync::watch::Sender::new(Flushed::default()),
        });
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("sled-committer".into())
            .spawn(move || Self::run(&thread_shared, &db))
            .map_err(|e| StoreError::Damaged(format!("cannot start the committer: {e}")))?;
        Ok(Self {
            shared,
            thread: Some(thread),
        })
    }

    fn run(shared: &CommitShared, db: &sled::Db) {
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
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| db.flush()))
                .unwrap_or_else(|_| {
                    Err(sled::Error::ReportableBug(
                        "sled panicked while flushing".into(),
                    ))
                });
            shared.flushed.send_modify(|flushed| {
                if let Err(e) = result {
                    flushed.failed.get_or_insert((done + 1, e.to_string()));
                }
                flushed.completed = target;
            });
            done = target;
        }
    }

    async fn flush(&self) -> Result<(), StoreError> {
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
    /// Lets the committer finish what was asked, then stop, so that its handle on the
    /// database is gone when the last `Store` is.
    fn drop(&mut self) {
        self.shared.requests.lock().stop = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The sled database.
#[derive(Debug, Clone)]
pub struct Store {
    db: sled::Db,
    marker: Option<std::path::PathBuf>,
    commit: Arc<Committer>,
    /// Serialises applies: a link block is read, changed and written back in one apply.
    applying: Arc<parking_lot::Mutex<()>>,
    /// Set when an apply failed after its journal value was written: the database then holds
    /// part of it, which only the next start finishes, so no further apply is accepted.
    failed_apply: Arc<std::sync::atomic::AtomicBool>,
}

impl Store {
    /// Opens (or creates) the database in folder `path`.
    ///
    /// # Errors
    /// When the folder cannot be created or read, another process holds it, or it is not a
    /// sled database.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        // No background flusher: every write is flushed before it is answered anyway, and
        // sled 0.34's flusher holds its process-wide concurrency lock while it writes, which
        // deadlocked against `apply_batch` when several databases ran in one process.
        let config = sled::Config::new().path(path).flush_every_ms(None);
        // sled's file lock goes with the last handle on its file, and sled's I/O threads can
        // hold one for a moment after a database in this process was dropped: a reopen of
        // the same folder right after (a test restarting its server) waits for it briefly.
        let mut attempts = 0;
        let db = loop {
            match config.open() {
                Err(sled::Error::Io(e))
                    if attempts < 40 && e.to_string().contains("acquire lock") =>
                {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => break other?,
            }
        };
        let store = Self {
            commit: Arc::new(Committer::start(db.clone())?),
            db,
            marker: Some(path.join(MARKER_FILE)),
            applying: Default::default(),
            failed_apply: Default::default(),
        };
        store.finish_interrupted_apply()?;
        store.move_legacy_link_rows()?;
        Ok(store)
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
        Ok(Self {
            commit: Arc::new(Committer::start(db.clone())?),
            db,
            marker: None,
            applying: Default::default(),
            failed_apply: Default::default(),
        })
    }

    /// Whether fixtures were ever loaded into this database.
    ///
    /// # Errors
    /// [`StoreError::Damaged`] when the folder was initialised before but its data is gone.
    pub fn is_initialized(&self) -> Result<bool, StoreError> {
        let initialized = self.db.contains_key(META_INITIALIZED)?;
        if !initialized && self.marker.as_ref().is_some_and(|m| m.exists()) {
            return Err(StoreError::Damaged(
                "it was initialised before but its data is gone; start with --reset to load \
                 the fixtures over it"
                    .into(),
            ));
        }
        Ok(initialized)
    }

    /// Applies `writes` atomically (not yet flushed: see [`Store::flush`]).
    ///
    /// # Errors
    /// When sled fails.
    ///
    /// Not a sled `Batch`: sled 0.34 writes out its current I/O buffer and a manifest for
    /// every batch, two synchronous disk writes per call, which capped durable adds near 3,000
    /// a second whatever the group commit did. Instead the operations are first written as
    /// one journal value (a single insert is atomic in sled), then one by one, then the
    /// journal value is removed. sled recovers a prefix of its log, so after a crash either
    /// the journal value is gone (and everything before its removal is there) or it is
    /// replayed by [`Store::open`]. Plain inserts leave the disk writes to the flush, which
    /// then carries the writes of many requests at once. A write of more than
    /// 64 keys (a fixture merge) goes in a sled batch after all.
    pub fn apply(&self, writes: WriteSet) -> Result<(), StoreError> {
        if writes.is_empty() {
            return Ok(());
        }
        let _applying = self.applying.lock();
        let ops = writes.resolve(Some(&self.db))?;
        if let [(key, value)] = &ops[..] {
            self.write_op(key, value.as_deref())?;
            return Ok(());
        }
        if ops.len() > JOURNAL_MAX_OPS {
            // A big write (a fixture merge): a batch's two disk writes no longer matter,
            // writing everything twice would.
            let mut batch = sled::Batch::default();
            for op in ops {
                add_to_batch(&mut batch, op);
            }
            self.db.apply_batch(batch)?;
            return Ok(());
        }
        if self.failed_apply.load(std::sync::atomic::Ordering::Acquire) {
            return Err(StoreError::Damaged(
                "an earlier write failed halfway; restart to finish it".into(),
            ));
        }
        let journal_key = [JOURNAL];
        self.db.insert(journal_key, encode_journal(&ops))?;
        let written = ops
            .iter()
            .try_for_each(|(key, value)| self.write_op(key, value.as_deref()))
            .and_then(|()| Ok(self.db.remove(journal_key).map(|_| ())?));
        if written.is_err() {
            self.failed_apply
                .store(true, std::sync::atomic::Ordering::Release);
        }
        written
    }

    fn write_op(&self, key: &[u8], value: Option<&[u8]>) -> Result<(), StoreError> {
        match value {
            Some(value) => self.db.insert(key, value)?,
            None => self.db.remove(key)?,
        };
        Ok(())
    }

    /// Finishes an apply that a crash interrupted: writes its journalled operations again
    /// (writing a value twice is harmless) and removes the journal value, atomically.
    fn finish_interrupted_apply(&self) -> Result<(), StoreError> {
        let journal_key = [JOURNAL];
        if let Some(journal) = self.db.get(journal_key)? {
            let mut batch = sled::Batch::default();
            for op in decode_journal(&journal_key, &journal)? {
                add_to_batch(&mut batch, op);
            }
            batch.remove(&journal_key);
            self.db.apply_batch(batch)?;
            self.db.flush()?;
        }
        Ok(())
    }

    /// Moves link rows stored one per key (0.1's layout) into blocks, so that a database
    /// written by 0.1 opens with every link. Each chunk of rows moves in one atomic apply (it
    /// merges into the blocks already there), so a crash part-way leaves every row in one
    /// place or the other.
    fn move_legacy_link_rows(&self) -> Result<(), StoreError> {
        let mut moved = 0;
        loop {
            let mut writes = WriteSet::new();
            for entry in self
                .db
                .scan_prefix([LEGACY_LINK])
                .take(ATOMIC_BATCH_OPS / 2)
            {
                let (key, value) = entry?;
                let row = decode_link(&value).ok_or_else(|| corrupt(&key, "bad link row"))?;
                writes.remove(key);
                writes.put_link(&row);
            }
            if writes.is_empty() {
                break;
            }
            moved += writes.link_edits.len();
            // Atomic either way: a chunk is a batch, a small last one goes through the journal.
            self.apply(writes)?;
        }
        if moved > 0 {
            self.db.flush()?;
        }
        Ok(())
    }

    /// Waits until everything applied so far is on disk. Concurrent callers share flushes,
    /// so waiting writers are committed as a group by a committer thread.
    ///
    /// # Errors
    /// When sled fails to write.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.commit.flush().await
    }

    /// Waits until everything applied so far is on disk, blocking the thread.
    ///
    /// # Errors
    /// When sled fails to write.
    pub fn flush_blocking(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
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
    /// When sled fails.
    pub fn replace_all(&self, mut writes: WriteSet) -> Result<(), StoreError> {
        let _applying = self.applying.lock();
        if writes.len() < ATOMIC_BATCH_OPS {
            writes.mark_initialized();
            let mut batch = sled::Batch::default();
            for key in self.db.iter().keys() {
                batch.remove(key?);
            }
            // A batch keeps the last operation per key, so the new content wins over the
            // removals; blocks are built from nothing, as everything old goes.
            writes.into_batch(None, &mut batch)?;
            self.db.apply_batch(batch)?;
        } else {
            self.db.remove(META_INITIALIZED)?;
            self.db.flush()?;
            let mut batch = sled::Batch::default();
            let mut in_batch = 0;
            for key in self.db.iter().keys() {
                batch.remove(key?);
                in_batch += 1;
                if in_batch == ATOMIC_BATCH_OPS {
                    self.db.apply_batch(std::mem::take(&mut batch))?;
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
                    self.db.apply_batch(std::mem::take(&mut batch))?;
                    in_batch = 0;
                }
            }
            // The mark goes last, after every chunk (see above).
            batch.insert(META_INITIALIZED, &[1u8]);
            self.db.apply_batch(batch)?;
        }
        self.db.flush()?;
        if let Some(marker) = &self.marker {
            std::fs::write(marker, b"sled database of zammad-links-mock\n").map_err(|e| {
                StoreError::Damaged(format!("cannot write {}: {e}", marker.display()))
            })?;
        }
        Ok(())
    }

    /// Reads everything back.
    ///
    /// # Errors
    /// When sled fails or an entry is unreadable.
    pub fn load(&self) -> Result<Snapshot, StoreError> {
        let mut snapshot = Snapshot {
            next_link_id: 1,
            ..Snapshot::default()
        };
        let mut max_link_id = 0;
        let mut recorded_links = None;
        let mut touches = std::collections::HashMap::new();
        for entry in self.db.iter() {
            let (key, value) = entry?;
            let text =
                || String::from_utf8(value.to_vec()).map_err(|_| corrupt(&key, "not UTF-8 text"));
            match key.first().copied() {
                Some(RECORD) if key.len() == 10 => {
                    let kind = ModelKind::from_tag(key[1])
                        .ok_or_else(|| corrupt(&key, "unknown record kind"))?;
                    snapshot
                        .records
                        .push((kind, signed_from(&key[2..]), text()?));
                }
                Some(TOUCH) if key.len() == 10 => {
                    let raw: [u8; 8] = value
                        .as_ref()
                        .try_into()
                        .map_err(|_| corrupt(&key, "bad touch"))?;
                    let kind = ModelKind::from_tag(key[1])
                        .ok_or_else(|| corrupt(&key, "unknown record kind"))?;
                    touches.insert(
                        (kind, signed_from(&key[2..])),
                        Millis(i64::from_be_bytes(raw)),
                    );
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
                    snapshot
                        .link_types
                        .push((u16::from_be_bytes([key[1], key[2]]), text()?));
                }
                Some(LINK_OBJECT) if key.len() == 3 => {
                    snapshot
                        .link_objects
                        .push((u16::from_be_bytes([key[1], key[2]]), text()?));
                }
                Some(TOKEN) => {
                    let token = serde_json::from_slice(&value)
                        .map_err(|e| corrupt(&key, format!("bad token: {e}")))?;
                    snapshot.tokens.push(token);
                }
                Some(META) if &*key == META_NEXT_LINK_ID => {
                    let raw: [u8; 8] = value
                        .as_ref()
                        .try_into()
                        .map_err(|_| corrupt(&key, "bad link id sequence"))?;
                    snapshot.next_link_id = snapshot.next_link_id.max(u64::from_be_bytes(raw));
                }
                Some(META) if &*key == META_LINK_COUNT => {
                    let raw: [u8; 8] = value
                        .as_ref()
                        .try_into()
                        .map_err(|_| corrupt(&key, "bad link count"))?;
                    recorded_links = Some(u64::from_be_bytes(raw));
                }
                Some(META) if &*key == META_INITIALIZED => {}
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
        // Every write records the link count in the same atomic batch, so a difference means
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

    /// The stored link row `id`.
    ///
    /// # Errors
    /// When sled fails or the row is unreadable.
    pub fn link(&self, id: u64) -> Result<Option<LinkRow>, StoreError> {
        let key = block_key(block_of(id));
        match self.db.get(key)? {
            None => Ok(None),
            Some(value) => Ok(decode_block(&key, &value)?
                .into_iter()
                .find(|row| row.id == id)),
        }
    }

    /// Every link row, by id.
    ///
    /// # Errors
    /// When sled fails or a row is unreadable.
    pub fn links(&self) -> Result<Vec<LinkRow>, StoreError> {
        let mut rows = Vec::new();
        for entry in self.db.scan_prefix([LINK_BLOCK]) {
            let (key, value) = entry?;
            rows.extend(decode_block(&key, &value)?);
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: u64) -> LinkRow {
        LinkRow {
            id,
            link_type: LinkTypeId(2),
            source: ObjectRef::new(LinkObjectId(1), -5),
            target: ObjectRef::new(LinkObjectId(6), 147469),
            created_at: Millis(1_635_936_014_528),
            updated_at: Millis(1_635_936_014_529),
        }
    }

    #[test]
    fn link_rows_round_trip_through_their_encoding() {
        assert_eq!(decode_link(&encode_link(&row(9))), Some(row(9)));
    }

    #[test]
    fn signed_keys_sort_in_numeric_order() {
        assert!(signed_key(-1) < signed_key(0));
        assert!(signed_key(255) < signed_key(256));
        assert_eq!(signed_from(&signed_key(-42)), -42);
    }

    #[test]
    fn a_link_count_that_disagrees_with_the_rows_is_damage() {
        let store = Store::temporary().unwrap();
        let mut writes = WriteSet::new();
        writes.put_link(&row(1));
        writes.put_link_count(2);
        store.replace_all(writes).unwrap();
        let error = store.load().unwrap_err().to_string();
        assert_eq!(
            error,
            "the database is damaged: it records 2 links but holds 1"
        );
    }

    #[test]
    fn a_large_replacement_goes_in_chunks_and_ends_initialised() {
        let store = Store::temporary().unwrap();
        let mut first = WriteSet::new();
        first.put_link(&row(999_999));
        store.replace_all(first).unwrap();
        let mut writes = WriteSet::new();
        for id in 1..=(ATOMIC_BATCH_OPS as u64 + 10) {
            writes.put_link(&row(id));
        }
        writes.put_link_count(ATOMIC_BATCH_OPS + 10);
        store.replace_all(writes).unwrap();
        let snapshot = store.load().unwrap();
        assert_eq!(snapshot.links.len(), ATOMIC_BATCH_OPS + 10);
        assert!(snapshot.links.iter().all(|l| l.id != 999_999));
        assert!(store.is_initialized().unwrap());
    }

    #[test]
    fn rows_share_blocks_and_a_removal_keeps_the_neighbours() {
        let store = Store::temporary().unwrap();
        let mut writes = WriteSet::new();
        for id in [1, 2, 63, 64, 65] {
            writes.put_link(&row(id));
        }
        writes.put_link_count(5);
        store.replace_all(writes).unwrap();
        let mut writes = WriteSet::new();
        writes.delete_link(2);
        writes.delete_link(64);
        writes.put_link(&row(66));
        writes.put_link_count(4);
        store.apply(writes).unwrap();
        let ids: Vec<u64> = store.load().unwrap().links.iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![1, 63, 65, 66]);
        assert_eq!(store.link(63).unwrap(), Some(row(63)));
        assert_eq!(store.link(2).unwrap(), None);
        assert_eq!(store.db.scan_prefix([LINK_BLOCK]).count(), 2);
    }

    #[test]
    fn an_apply_cut_short_by_a_crash_is_finished_on_open() {
        let folder = tempfile::tempdir().unwrap();
        {
            let store = Store::open(folder.path()).unwrap();
            let mut writes = WriteSet::new();
            writes.put_link(&row(1));
            writes.put_link_count(1);
            store.replace_all(writes).unwrap();
            // As a crash would leave it: the journal written, only its first op applied.
            let mut writes = WriteSet::new();
            writes.put_link(&row(2));
            writes.put_link_count(2);
            writes.put_next_link_id(3);
            let ops = writes.resolve(Some(&store.db)).unwrap();
            store.db.insert([JOURNAL], encode_journal(&ops)).unwrap();
            let (key, value) = &ops[0];
            store.write_op(key, value.as_deref()).unwrap();
            store.flush_blocking().unwrap();
        }
        let store = Store::open(folder.path()).unwrap();
        let snapshot = store.load().unwrap();
        assert_eq!(snapshot.links, vec![row(1), row(2)]);
        assert_eq!(snapshot.next_link_id, 3);
        assert!(store.db.get([JOURNAL]).unwrap().is_none());
    }

    #[test]
    fn a_touch_is_read_back_into_its_record_until_the_record_is_written_again() {
        let store = Store::temporary().unwrap();
        let record =
            Record::from_json(ModelKind::Ticket, 7, r#"{"id":7,"updated_at":"a","x":1}"#).unwrap();
        let mut writes = WriteSet::new();
        writes.put_record(&record);
        store.replace_all(writes).unwrap();
        let mut writes = WriteSet::new();
        writes.put_touch(&record, Millis(0));
        store.apply(writes).unwrap();
        let json = |store: &Store| store.load().unwrap().records[0].2.clone();
        assert_eq!(
            json(&store),
            r#"{"id":7,"updated_at":"1970-01-01T00:00:00.000Z","x":1}"#
        );
        let mut writes = WriteSet::new();
        writes.put_record(&record);
        store.apply(writes).unwrap();
        assert_eq!(json(&store), r#"{"id":7,"updated_at":"a","x":1}"#);
    }

    #[test]
    fn small_and_big_applies_both_land_whole() {
        let store = Store::temporary().unwrap();
        store.replace_all(WriteSet::new()).unwrap();
        let mut small = WriteSet::new();
        small.put_link(&row(1));
        small.put_link_count(1);
        store.apply(small).unwrap();
        let mut big = WriteSet::new();
        for id in 2..=(64 * (JOURNAL_MAX_OPS as u64 + 2)) {
            big.put_link(&row(id));
        }
        let total = 64 * (JOURNAL_MAX_OPS + 2);
        big.put_link_count(total);
        store.apply(big).unwrap();
        let snapshot = store.load().unwrap();
        assert_eq!(snapshot.links.len(), total);
        assert!(store.db.get([JOURNAL]).unwrap().is_none());
    }

    #[test]
    fn after_a_write_failed_halfway_no_further_write_is_accepted() {
        let store = Store::temporary().unwrap();
        store.replace_all(WriteSet::new()).unwrap();
        store
            .failed_apply
            .store(true, std::sync::atomic::Ordering::Release);
        let mut writes = WriteSet::new();
        writes.put_link(&row(1));
        writes.put_link_count(1);
        let error = store.apply(writes).unwrap_err().to_string();
        assert!(error.contains("restart to finish it"), "{error}");
        assert!(store.load().unwrap().links.is_empty());
    }

    #[test]
    fn journal_entries_round_trip() {
        let ops: Vec<KeyOp> = vec![
            (b"ra".to_vec(), Some(b"{}".to_vec())),
            (b"p1".to_vec(), None),
            (b"b".to_vec(), Some(Vec::new())),
        ];
        assert_eq!(decode_journal(b"j", &encode_journal(&ops)).unwrap(), ops);
        assert!(decode_journal(b"j", &[1, 0, 0, 0, 9]).is_err());
    }

    #[test]
    fn rows_stored_one_per_key_move_into_blocks_on_open() {
        let folder = tempfile::tempdir().unwrap();
        let legacy: Vec<u64> = (3..13 + ATOMIC_BATCH_OPS as u64 / 2)
            .chain([70_000_000])
            .collect();
        {
            let store = Store::open(folder.path()).unwrap();
            let mut writes = WriteSet::new();
            writes.put_link_count(legacy.len());
            store.replace_all(writes).unwrap();
            for id in legacy.iter().copied() {
                store
                    .db
                    .insert(legacy_link_key(id), &encode_link(&row(id))[..])
                    .unwrap();
            }
            store.flush_blocking().unwrap();
        }
        // More rows than one chunk moves at a time.
        let store = Store::open(folder.path()).unwrap();
        let rows: Vec<LinkRow> = legacy.iter().map(|id| row(*id)).collect();
        assert_eq!(store.load().unwrap().links, rows);
        assert_eq!(store.db.scan_prefix([LEGACY_LINK]).count(), 0);
    }

    #[test]
    fn replace_all_drops_old_content_and_load_reads_the_new() {
        let store = Store::temporary().unwrap();
        let mut first = WriteSet::new();
        first.put_link(&row(1));
        store.replace_all(first).unwrap();
        let mut second = WriteSet::new();
        second.put_link(&row(2));
        store.replace_all(second).unwrap();
        let snapshot = store.load().unwrap();
        assert_eq!(snapshot.links, vec![row(2)]);
        assert_eq!(snapshot.next_link_id, 3);
        assert!(store.is_initialized().unwrap());
    }
}
