//! The state over a fixture *file* (`--fixtures FILE`): the file is streamed into the
//! database in bounded batches, entry by entry, never held whole in memory, and
//! `POST /__mock/reset` reads it again rather than keeping it.
//!
//! - First start (an empty database) and `--reset`: the file's records go to the database
//!   and, at once, into memory; its links are kept as rows (48 bytes each), numbered, written
//!   block by block and put in the graph at the end. Nothing is read back from the database.
//!   A file that is invalid anywhere, even in its last entry, is refused whole and leaves the
//!   database empty and unmarked (see `store::BulkLoad`).
//! - Later starts: the database is the truth; the file is only read through, to refuse a bad
//!   one as before and to take its fingerprint.
//! - Reset: the file is what start-up read only if its fingerprint is unchanged; otherwise
//!   the reset is refused (see [`ReplaceError::FixtureFileChanged`]), because "reset" promises
//!   the start-up fixtures, and an edited file silently served under that name would be
//!   neither. In-process documents (the default data set, the builder's, `PUT` bodies)
//!   stay in memory: they are small, and nothing else holds them.

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::fixtures::{
    fingerprint_file, read_file, DocumentSink, FileError, Fingerprint, FixtureDocument,
    FixtureFileError, FixtureLink, FixtureRecord,
};
use crate::model::{ApiToken, LinkRow, Millis, ModelKind};
use crate::records::RecordStore;
use crate::release::ZammadVersion;
use crate::store::{BulkLoad, Snapshot, Store, StoreError, WriteSet, LINKS_PER_BLOCK};

use super::documents::{fixture_row, link_ends, NewCatalog, ReplaceError};
use super::{AppState, LinkIds};

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

impl AppState {
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
        let initialized = store.is_initialized()?;
        let mut state = Self::empty(
            store,
            StartFixtures::Document(FixtureDocument::default()),
            release,
        );
        let fingerprint = if initialized && !reset {
            let fingerprint = validate_file(path)?;
            state.reload(&mut state.writer.lock())?;
            fingerprint
        } else {
            if initialized {
                // A bad file must not cost the database its content: check it all first.
                validate_file(path)?;
            }
            let (rest, fingerprint) = load_file(&state.store, Some(&state.records), path)?;
            let started = std::time::Instant::now();
            let _published = state.published.write();
            state.install(&mut state.writer.lock(), rest);
            log::info!(
                "links in memory in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            fingerprint
        };
        state.start = StartFixtures::File {
            path: path.to_owned(),
            fingerprint,
        };
        Ok(state)
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

/// Reads the whole file at `path`, keeping nothing, and fingerprints it.
fn validate_file(path: &Path) -> Result<Fingerprint, FixtureFileError> {
    match read_file(path, &mut Discard) {
        Ok(fingerprint) => Ok(fingerprint),
        Err(FileError::File(e)) => Err(e),
        Err(FileError::Sink(never)) => match never {},
    }
}

/// Streams the file at `path` into `store` (its old content goes), records also into
/// `memory` when given; hands back the rest of the content for memory (passwords, names,
/// links, tokens, the link id sequence; no records) and the file's fingerprint.
fn load_file(
    store: &Store,
    memory: Option<&RecordStore>,
    path: &Path,
) -> Result<(Snapshot, Fingerprint), OpenError> {
    let mut load = FileLoad {
        bulk: store.bulk_load()?,
        writes: WriteSet::new(),
        in_writes: 0,
        records: 0,
        memory,
        passwords: HashMap::new(),
        catalog: NewCatalog::seeded(),
        links: Vec::new(),
        highest: 0,
        tokens: Vec::new(),
        now: Millis::now(),
    };
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

/// A file being loaded: what `document_writes` makes of a whole document, made entry by
/// entry (records written as they come, links once their ids are known).
struct FileLoad<'s> {
    bulk: BulkLoad<'s>,
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
    now: Millis,
}

impl DocumentSink for FileLoad<'_> {
    type Error = StoreError;

    fn record(&mut self, entry: FixtureRecord) -> Result<(), StoreError> {
        let FixtureRecord { record, password } = entry;
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
        if self.in_writes == RECORDS_PER_BATCH {
            self.in_writes = 0;
            self.bulk.apply(std::mem::take(&mut self.writes))?;
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
        // As in `document_writes`: a full name table (65,535 names) drops the link.
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
        self.bulk.restart()?;
        self.writes = WriteSet::new();
        self.in_writes = 0;
        self.records = 0;
        if let Some(memory) = self.memory {
            memory.clear();
        }
        self.passwords.clear();
        self.links_begin()?;
        self.tokens.clear();
        Ok(())
    }
}

impl FileLoad<'_> {
    /// Numbers the links, writes them, the names, the tokens and the sequence, and marks
    /// the database as loaded.
    fn finish(self) -> Result<Snapshot, StoreError> {
        let FileLoad {
            mut bulk,
            mut writes,
            passwords,
            catalog,
            mut links,
            highest,
            tokens,
            ..
        } = self;
        let mut ids = LinkIds::starting_at(highest + 1);
        for row in &mut links {
            row.id = ids.assign((row.id != 0).then_some(row.id));
        }
        // Blocks are written from whole runs of ids; generated files are in id order
        // already, which the sort finds at once.
        links.sort_unstable_by_key(|row| row.id);
        let names = catalog.catalog.snapshot();
        let link_types: Vec<(u16, String)> =
            names.types().map(|(id, n)| (id.0, n.to_owned())).collect();
        let link_objects: Vec<(u16, String)> = names
            .objects()
            .map(|(id, n)| (id.0, n.to_owned()))
            .collect();
        for (id, name) in &link_types {
            writes.put_name(&crate::catalog::NewName::Type(
                crate::model::LinkTypeId(*id),
                name.clone(),
            ));
        }
        for (id, name) in &link_objects {
            writes.put_name(&crate::catalog::NewName::Object(
                crate::model::LinkObjectId(*id),
                name.clone(),
            ));
        }
        bulk.apply(std::mem::take(&mut writes))?;
        let block_of = |row: &LinkRow| row.id / LINKS_PER_BLOCK;
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
        for token in &tokens {
            writes.put_token(token);
        }
        writes.put_next_link_id(ids.next());
        writes.put_link_count(links.len());
        bulk.finish(writes)?;
        Ok(Snapshot {
            records: Vec::new(),
            passwords: passwords
                .into_iter()
                .filter_map(|(id, password)| Some((id, password?)))
                .collect(),
            links,
            link_types,
            link_objects,
            tokens,
            next_link_id: ids.next(),
        })
    }
}

impl NewCatalog {
    /// Zammad's seeded names, none created yet.
    pub(super) fn seeded() -> Self {
        Self {
            catalog: Catalog::seeded(),
            created: Vec::new(),
        }
    }
}
