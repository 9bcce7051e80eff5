//! The one road from a fixture document to the store: a [`Loader`] takes a document's
//! entries as they are read — from a file (`--fixtures FILE`, streamed, never held whole in
//! memory) or from a document in memory (the default data set, the builder's,
//! `PUT /__mock/fixtures`) — and turns them into the database's content: records and
//! passwords, Zammad's seeded names plus the names the links use, the links numbered after
//! the highest given id, the tokens and the link id sequence. Start-up, reset and replace
//! all take it; a merge goes through a write transaction, with the same entry conversion
//! (`entries`).
//!
//! Where the content goes depends on its source. A file is written in bounded batches while
//! it is read (`store::BulkLoad`): a file that is invalid anywhere, even in its last entry,
//! is refused whole and leaves the database empty and unmarked. A document in memory is
//! small and already valid: it goes in as one whole replacement (`Store::replace_all`), so
//! that a crash leaves the old content or the new one.
//!
//! - First start (an empty database) and `--reset`: the records also go straight into
//!   memory, and the rest is installed from what the load gathered; nothing is read back.
//! - Later starts: the database is the truth; a file is only read through, to refuse a bad
//!   one as before and to take its fingerprint.
//! - Reset: a file is what start-up read only if its fingerprint is unchanged; otherwise the
//!   reset is refused (see [`ReplaceError::FixtureFileChanged`]), because "reset" promises
//!   the start-up fixtures, and an edited file silently served under that name would be
//!   neither. In-process documents stay in memory: they are small, and nothing else holds
//!   them.

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};

use crate::catalog::NewName;
use crate::fixtures::{
    fingerprint_file, read_file, DocumentSink, FileError, Fingerprint, FixtureDocument,
    FixtureFileError, FixtureLink, FixtureRecord,
};
use crate::model::{ApiToken, LinkObjectId, LinkRow, LinkTypeId, Millis, ModelKind};
use crate::records::{Record, RecordStore};
use crate::release::ZammadVersion;
use crate::store::{BulkLoad, Snapshot, Store, StoreError, WriteSet, LINKS_PER_BLOCK};

use super::entries::{fixture_row, link_ends, NewCatalog};
use super::{AppState, LinkIds, RecordIds, WriterState};

/// Records per batch written while a file is read: about 1 MB of generated tickets. Small
/// batches keep the memory in flight small; sled takes them as fast as big ones.
const RECORDS_PER_BATCH: usize = 1024;

/// Link rows per batch, a whole number of blocks (about 1 MB of rows).
const LINK_ROWS_PER_BATCH: usize = 256 * LINKS_PER_BLOCK as usize;

/// What `POST /__mock/reset` goes back to.
#[derive(Debug)]
pub(super) enum StartFixtures {
    /// A document given in-process, kept in memory.
    Document(FixtureDocument),
    /// A fixture file, read again on reset if it still has this fingerprint.
    File {
        path: PathBuf,
        fingerprint: Fingerprint,
    },
}

/// Where a load reads its document.
#[derive(Debug, Clone, Copy)]
enum Source<'a> {
    Document(&'a FixtureDocument),
    File(&'a Path),
}

/// Why the state could not be opened over a fixture file.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The file cannot be read or is not a valid document.
    #[error(transparent)]
    Fixtures(#[from] FixtureFileError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a replacement (or reset) failed.
#[derive(Debug, thiserror::Error)]
pub enum ReplaceError {
    /// The database failed.
    #[error("the database failed")]
    Store(#[from] StoreError),
    /// The start-up fixture file no longer holds what start-up read; nothing was changed.
    #[error(
        "the fixture file {path} changed since start-up, so reset refuses to load it as the \
         start-up fixtures; restart with --reset to serve it as it is now, or send it with \
         PUT /__mock/fixtures"
    )]
    FixtureFileChanged {
        /// The file.
        path: String,
    },
    /// The start-up fixture file cannot be read any more; nothing was changed.
    #[error(
        "the fixture file {path} cannot be read since start-up, so reset has nothing to go \
         back to; put it back, or send a document with PUT /__mock/fixtures"
    )]
    FixtureFileGone {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The start-up fixture file changed while the reset read it and is no longer valid:
    /// the database was cleared and refuses writes until a restart with `--reset`.
    #[error("the fixture file changed during the reset; restart with --reset")]
    FixtureFileUnloadable(#[source] crate::fixtures::FixtureFileError),
}

impl AppState {
    /// Opens the state over `store` with the fixture document `fixtures`: on an empty
    /// database (or with `reset`) the document is loaded into it; otherwise the database is
    /// the truth. Either way `POST /__mock/reset` goes back to the document.
    ///
    /// # Errors
    /// When the database fails or holds unreadable entries.
    pub fn open(
        store: Store,
        fixtures: FixtureDocument,
        reset: bool,
        release: ZammadVersion,
    ) -> Result<Self, StoreError> {
        let mut state = Self::empty(store, release);
        let started = state.start_from(Source::Document(&fixtures), reset);
        match started {
            Ok(_) => {}
            Err(OpenError::Store(e)) => return Err(e),
            // A document in memory was validated when it was made; only a file's reading
            // can refuse.
            Err(OpenError::Fixtures(e)) => return Err(StoreError::Damaged(e.to_string())),
        }
        state.start = StartFixtures::Document(fixtures);
        Ok(state)
    }

    /// Opens the state over `store` with the fixture file at `path`: on an empty database
    /// (or with `reset`) the file is loaded into it, streamed; otherwise the database is the
    /// truth and the file is only checked. Either way `POST /__mock/reset` goes back to it.
    ///
    /// # Errors
    /// `OpenError::Fixtures` for an unreadable or invalid file (with `reset`, the database
    /// keeps its content then), `OpenError::Store` when the database fails.
    pub fn open_file(
        store: Store,
        path: &Path,
        reset: bool,
        release: ZammadVersion,
    ) -> Result<Self, OpenError> {
        let mut state = Self::empty(store, release);
        let fingerprint = state
            .start_from(Source::File(path), reset)?
            .expect("a file load takes the file's fingerprint");
        state.start = StartFixtures::File {
            path: path.to_owned(),
            fingerprint,
        };
        Ok(state)
    }

    /// Fills a state nobody shares yet from `source` (or from the database, when it is
    /// initialised and `reset` is not asked for); a file's fingerprint.
    fn start_from(
        &self,
        source: Source<'_>,
        reset: bool,
    ) -> Result<Option<Fingerprint>, OpenError> {
        let initialized = match self.store.is_initialized() {
            Ok(initialized) => initialized,
            // A database whose data is gone is loaded over with `--reset`, as it says; a
            // file is still checked whole first.
            Err(_) if reset => true,
            Err(e) => return Err(e.into()),
        };
        // The written lock order (writer, then publication), though nobody shares the state
        // yet.
        let mut writer = self.writer.lock();
        if initialized && !reset {
            let fingerprint = match source {
                Source::File(path) => Some(validate_file(path)?),
                Source::Document(_) => None,
            };
            self.reload(&mut writer)?;
            return Ok(fingerprint);
        }
        if let (true, Source::File(path)) = (initialized, source) {
            // A bad file must not cost the database its content: check it all first.
            validate_file(path)?;
        }
        let started = std::time::Instant::now();
        let _published = self.published.write();
        let (rest, fingerprint) = match source {
            Source::Document(doc) => (load_document(&self.store, Some(&self.records), doc)?, None),
            Source::File(path) => {
                let (rest, fingerprint) = load_file(&self.store, Some(&self.records), path)?;
                (rest, Some(fingerprint))
            }
        };
        self.install(&mut writer, rest);
        log::info!(
            "fixtures in memory in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Ok(fingerprint)
    }

    /// Rebuilds memory from the database, while no view is open. Callers hold the writer
    /// lock (`writer`).
    pub(super) fn reload(&self, writer: &mut WriterState) -> Result<(), StoreError> {
        let mut snapshot = self.store.load()?;
        let _published = self.published.write();
        self.records.clear();
        let mut record_ids = RecordIds::default();
        record_ids.observe_stored(&snapshot.sequences);
        for (kind, id, json) in std::mem::take(&mut snapshot.records) {
            let record = Record::from_json(kind, id, &json).map_err(|e| StoreError::Corrupt {
                key: format!("{}[{id}]", kind.class_name()),
                reason: e.to_string(),
            })?;
            record_ids.observe(&record);
            self.records.upsert(record);
        }
        // A database written before the sequences were kept still continues past its ids.
        snapshot.sequences = record_ids.stored();
        self.install(writer, snapshot);
        Ok(())
    }

    /// Puts everything but the records of `snapshot` in memory (the records are there
    /// already). Callers hold the writer lock (`writer`) and the publication lock.
    pub(super) fn install(&self, writer: &mut WriterState, snapshot: Snapshot) {
        for (id, password) in snapshot.passwords {
            self.records.set_password(id, Some(password));
        }
        self.catalog
            .replace(snapshot.link_types, snapshot.link_objects);
        self.graph.clear();
        self.graph.insert_all(&snapshot.links);
        self.tokens.clear();
        for token in snapshot.tokens {
            self.tokens.insert(token.token.clone(), token);
        }
        self.records.changed();
        writer.link_ids = LinkIds::starting_at(snapshot.next_link_id);
        let mut record_ids = RecordIds::default();
        record_ids.observe_stored(&snapshot.sequences);
        writer.record_ids = record_ids;
        writer.samples.clear();
        writer.derived.clear();
    }

    /// Replaces the database's content with `doc`, then memory with the database's (the
    /// writer lock keeps every other write out until memory matches).
    pub(super) fn replace_now(&self, doc: &FixtureDocument) -> Result<(), StoreError> {
        let mut writer = self.writer.lock();
        load_document(&self.store, None, doc)?;
        self.reload(&mut writer)
    }

    /// Loads the start-up fixture file again, if it is unchanged, while holding the writer
    /// lock; then memory is rebuilt from the database.
    pub(super) fn reset_from_file(
        &self,
        path: &Path,
        expected: Fingerprint,
    ) -> Result<(), ReplaceError> {
        let shown = path.display().to_string();
        let found = fingerprint_file(path).map_err(|source| ReplaceError::FixtureFileGone {
            path: shown.clone(),
            source,
        })?;
        if found != expected {
            return Err(ReplaceError::FixtureFileChanged { path: shown });
        }
        let mut writer = self.writer.lock();
        let read = match load_file(&self.store, None, path) {
            Ok((_, read)) => read,
            Err(OpenError::Store(e)) => return Err(e.into()),
            // Only when the file changed between the check above and this read.
            Err(OpenError::Fixtures(e)) => return Err(ReplaceError::FixtureFileUnloadable(e)),
        };
        self.reload(&mut writer)?;
        if read != expected {
            // Changed between the check and the read, yet valid: memory matches the
            // database again, but it is not what start-up read.
            return Err(ReplaceError::FixtureFileChanged { path: shown });
        }
        Ok(())
    }
}

/// Writes `doc` into `store` as its whole content, the way start-up does (for tools that
/// prepare a database, such as `examples/scale.rs`).
///
/// # Errors
/// When the database fails.
pub fn write_document(store: &Store, doc: &FixtureDocument) -> Result<(), StoreError> {
    load_document(store, None, doc).map(drop)
}

/// Reads the whole file at `path`, keeping nothing, and fingerprints it.
fn validate_file(path: &Path) -> Result<Fingerprint, FixtureFileError> {
    match read_file(path, &mut Discard) {
        Ok(fingerprint) => Ok(fingerprint),
        Err(FileError::File(e)) => Err(e),
        Err(FileError::Sink(never)) => match never {},
    }
}

/// Loads `doc` into `store` as its whole content (the old content goes), its records also
/// into `memory` when given; hands back the rest of the content for memory (passwords,
/// names, links, tokens, the link id sequence; no records).
fn load_document(
    store: &Store,
    memory: Option<&RecordStore>,
    doc: &FixtureDocument,
) -> Result<Snapshot, StoreError> {
    let mut load = Loader::new(Target::Whole(store), memory);
    doc.feed(&mut load)?;
    load.finish()
}

/// As [`load_document`] for the file at `path`, streamed, with the file's fingerprint.
fn load_file(
    store: &Store,
    memory: Option<&RecordStore>,
    path: &Path,
) -> Result<(Snapshot, Fingerprint), OpenError> {
    let mut load = Loader::new(Target::Bulk(store.bulk_load()?), memory);
    let started = std::time::Instant::now();
    let fingerprint = match read_file(path, &mut load) {
        Ok(fingerprint) => fingerprint,
        Err(FileError::File(e)) => return Err(e.into()),
        Err(FileError::Sink(e)) => return Err(e.into()),
    };
    log::info!(
        "read {}: {} records, {} links in {:.1} s",
        path.display(),
        load.records,
        load.links.len(),
        started.elapsed().as_secs_f64()
    );
    let rest = load.finish()?;
    log::info!(
        "{} written to the database in {:.1} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok((rest, fingerprint))
}

/// A sink that keeps nothing: the file is only checked.
struct Discard;

impl DocumentSink for Discard {
    type Error = Infallible;
    fn record(&mut self, _: FixtureRecord) -> Result<(), Infallible> {
        Ok(())
    }
    fn links_begin(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
    fn link(&mut self, _: FixtureLink) -> Result<(), Infallible> {
        Ok(())
    }
    fn tokens(&mut self, _: Vec<ApiToken>) -> Result<(), Infallible> {
        Ok(())
    }
    fn restart(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

/// Where a load's writes go.
enum Target<'s> {
    /// In bounded batches while the source is read, marked loaded at the end.
    Bulk(BulkLoad<'s>),
    /// Gathered, and applied as one whole replacement at the end.
    Whole(&'s Store),
}

/// A document being loaded, entry by entry: records written as they come (in batches, when
/// the target takes them so), links once their ids are known.
struct Loader<'s> {
    target: Target<'s>,
    writes: WriteSet,
    in_writes: usize,
    /// Records read, for the log.
    records: usize,
    memory: Option<&'s RecordStore>,
    /// The last password given for each user (`None`: the record had none).
    passwords: HashMap<i64, Option<String>>,
    catalog: NewCatalog,
    /// In document order; id 0 until numbered after the highest given id.
    links: Vec<LinkRow>,
    highest: u64,
    tokens: Vec<ApiToken>,
    /// The record sequences past everything read so far.
    record_ids: RecordIds,
    now: Millis,
}

impl<'s> Loader<'s> {
    fn new(target: Target<'s>, memory: Option<&'s RecordStore>) -> Self {
        Self {
            target,
            writes: WriteSet::new(),
            in_writes: 0,
            records: 0,
            memory,
            passwords: HashMap::new(),
            catalog: NewCatalog::seeded(),
            links: Vec::new(),
            highest: 0,
            tokens: Vec::new(),
            record_ids: RecordIds::default(),
            now: Millis::now(),
        }
    }
}

impl DocumentSink for Loader<'_> {
    type Error = StoreError;

    fn record(&mut self, entry: FixtureRecord) -> Result<(), StoreError> {
        let FixtureRecord { record, password } = entry;
        self.record_ids.observe(&record);
        self.writes.put_record(&record);
        if record.kind == ModelKind::User {
            self.writes.put_password(record.id, password.as_deref());
            self.passwords.insert(record.id, password);
        }
        if let Some(memory) = self.memory {
            memory.upsert(record);
        }
        self.in_writes += 1;
        self.records += 1;
        // A whole replacement keeps everything for its one apply at the end.
        if let Target::Bulk(bulk) = &mut self.target {
            if self.in_writes == RECORDS_PER_BATCH {
                self.in_writes = 0;
                bulk.apply(std::mem::take(&mut self.writes))?;
            }
        }
        Ok(())
    }

    fn links_begin(&mut self) -> Result<(), StoreError> {
        // A later `Link` section replaces an earlier one, names included.
        self.links.clear();
        self.highest = 0;
        self.catalog = NewCatalog::seeded();
        Ok(())
    }

    fn link(&mut self, link: FixtureLink) -> Result<(), StoreError> {
        // Validation guarantees non-blank names, so every name gets an id; a full name table
        // (65,535 names) is the only failure and drops the link.
        let Ok(Some(ends)) = link_ends(&link, &mut self.catalog) else {
            log::warn!("fixture link skipped: no id left for its names");
            return Ok(());
        };
        let id = link.id.unwrap_or(0);
        self.highest = self.highest.max(id);
        self.links.push(fixture_row(&link, ends, id, self.now));
        Ok(())
    }

    fn tokens(&mut self, tokens: Vec<ApiToken>) -> Result<(), StoreError> {
        self.tokens = tokens;
        Ok(())
    }

    fn restart(&mut self) -> Result<(), StoreError> {
        if let Target::Bulk(bulk) = &mut self.target {
            bulk.restart()?;
        }
        self.writes = WriteSet::new();
        self.in_writes = 0;
        self.records = 0;
        if let Some(memory) = self.memory {
            memory.clear();
        }
        self.passwords.clear();
        self.links_begin()?;
        self.tokens.clear();
        self.record_ids = RecordIds::default();
        Ok(())
    }
}

impl Loader<'_> {
    /// Numbers the links, writes them, the names, the tokens and the sequence, and marks
    /// the database as loaded.
    fn finish(mut self) -> Result<Snapshot, StoreError> {
        let mut ids = LinkIds::starting_at(self.highest + 1);
        for row in &mut self.links {
            row.id = ids.assign((row.id != 0).then_some(row.id));
        }
        // Blocks are written from whole runs of ids; generated files are in id order
        // already, which the sort finds at once.
        self.links.sort_unstable_by_key(|row| row.id);
        let names = self.catalog.catalog.snapshot();
        let link_types: Vec<(u16, String)> =
            names.types().map(|(id, n)| (id.0, n.to_owned())).collect();
        let link_objects: Vec<(u16, String)> = names
            .objects()
            .map(|(id, n)| (id.0, n.to_owned()))
            .collect();
        for (id, name) in &link_types {
            self.writes
                .put_name(&NewName::Type(LinkTypeId(*id), name.clone()));
        }
        for (id, name) in &link_objects {
            self.writes
                .put_name(&NewName::Object(LinkObjectId(*id), name.clone()));
        }
        let mut last = match &mut self.target {
            Target::Bulk(bulk) => {
                bulk.apply(std::mem::take(&mut self.writes))?;
                let block_of = |row: &LinkRow| row.id / LINKS_PER_BLOCK;
                let links = &self.links;
                let mut start = 0;
                while start < links.len() {
                    let mut end = (start + LINK_ROWS_PER_BATCH).min(links.len());
                    while end < links.len() && block_of(&links[end]) == block_of(&links[end - 1]) {
                        end += 1;
                    }
                    let mut batch = WriteSet::new();
                    for row in &links[start..end] {
                        batch.put_link(row);
                    }
                    bulk.apply(batch)?;
                    start = end;
                }
                WriteSet::new()
            }
            Target::Whole(_) => {
                let mut all = std::mem::take(&mut self.writes);
                for row in &self.links {
                    all.put_link(row);
                }
                all
            }
        };
        for token in &self.tokens {
            last.put_token(token);
        }
        last.put_next_link_id(ids.next());
        last.put_link_count(self.links.len());
        self.record_ids.write_all(&mut last);
        match self.target {
            Target::Bulk(bulk) => bulk.finish(last)?,
            Target::Whole(store) => store.replace_all(last)?,
        }
        Ok(Snapshot {
            records: Vec::new(),
            passwords: self
                .passwords
                .into_iter()
                .filter_map(|(id, password)| Some((id, password?)))
                .collect(),
            links: self.links,
            link_types,
            link_objects,
            tokens: self.tokens,
            next_link_id: ids.next(),
            sequences: self.record_ids.stored(),
        })
    }
}
