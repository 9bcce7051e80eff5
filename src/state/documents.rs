//! The state's life cycle of whole fixture documents: the first start (the document into the
//! database), reopening (the database into memory), replace (`PUT /__mock/fixtures`), reset
//! (`POST /__mock/reset`), merge (`POST /__mock/fixtures`) and export
//! (`GET /__mock/fixtures`). A fixture *file* takes another way in, streamed: `load`.
//!
//! A fixture link becomes a row in one place ([`fixture_row`]), its id from the one link id
//! sequence ([`LinkIds`]). An export never contains passwords; tokens are kept. Loading an
//! export back gives the same records, links (ids and timestamps included) and tokens.

use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;

use crate::catalog::{Catalog, CatalogError, NewName};
use crate::fixtures::{FixtureDocument, FixtureError, FixtureLink};
use crate::model::{ApiToken, LinkObjectId, LinkRow, LinkTypeId, Millis, ModelKind, ObjectRef};
use crate::records::Record;
use crate::release::ZammadVersion;
use crate::store::{Snapshot, Store, StoreError, WriteSet};

use super::load::StartFixtures;
use super::{AppState, LinkIds, WriterState};

/// Why a merge was refused; nothing of it was applied.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// The document conflicts with the state.
    #[error(transparent)]
    Conflict(#[from] FixtureError),
    /// A name table is full or a name too long.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The database failed.
    #[error("the database failed")]
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

/// Where a fixture link's names get their ids: a write transaction, or the catalog being
/// built for a whole document.
pub(super) trait EnsureNames {
    /// The id of link type `name`, created when missing; `None` for a blank name.
    fn ensure_type(&mut self, name: &str) -> Result<Option<LinkTypeId>, CatalogError>;
    /// The id of link object `name`, created when missing; `None` for a blank name.
    fn ensure_object(&mut self, name: &str) -> Result<Option<LinkObjectId>, CatalogError>;
}

impl EnsureNames for super::WriteTx<'_> {
    fn ensure_type(&mut self, name: &str) -> Result<Option<LinkTypeId>, CatalogError> {
        super::WriteTx::ensure_type(self, name)
    }

    fn ensure_object(&mut self, name: &str) -> Result<Option<LinkObjectId>, CatalogError> {
        super::WriteTx::ensure_object(self, name)
    }
}

/// A catalog being built for a whole document, with the names it created, in order.
pub(super) struct NewCatalog {
    pub(super) catalog: Catalog,
    pub(super) created: Vec<NewName>,
}

impl EnsureNames for NewCatalog {
    fn ensure_type(&mut self, name: &str) -> Result<Option<LinkTypeId>, CatalogError> {
        self.catalog.ensure_type(name, &mut self.created)
    }

    fn ensure_object(&mut self, name: &str) -> Result<Option<LinkObjectId>, CatalogError> {
        self.catalog.ensure_object(name, &mut self.created)
    }
}

/// The ends of fixture link `link`, its names' ids created when missing (type, then
/// source, then target, as `Link.add` creates them); `None` when a name is blank.
pub(super) fn link_ends(
    link: &FixtureLink,
    names: &mut impl EnsureNames,
) -> Result<Option<(LinkTypeId, ObjectRef, ObjectRef)>, CatalogError> {
    let link_type = names.ensure_type(&link.link_type)?;
    let source = names.ensure_object(&link.source_object)?;
    let target = names.ensure_object(&link.target_object)?;
    Ok(match (link_type, source, target) {
        (Some(t), Some(s), Some(o)) => Some((
            t,
            ObjectRef::new(s, link.source_value),
            ObjectRef::new(o, link.target_value),
        )),
        _ => None,
    })
}

/// The row of fixture link `link` between `ends`, with id `id`; timestamps default to `now`
/// (`updated_at` to `created_at`).
pub(super) fn fixture_row(
    link: &FixtureLink,
    (link_type, source, target): (LinkTypeId, ObjectRef, ObjectRef),
    id: u64,
    now: Millis,
) -> LinkRow {
    let created_at = link.created_at.unwrap_or(now);
    LinkRow {
        id,
        link_type,
        source,
        target,
        created_at,
        updated_at: link.updated_at.unwrap_or(created_at),
    }
}

/// The database content for a fixture document: records, passwords, tokens, Zammad's seeded
/// names plus the names its links use (created in the order `Link.add` would create them),
/// and its links, those without an id numbered after the highest given id.
pub fn document_writes(doc: &FixtureDocument) -> WriteSet {
    let mut writes = WriteSet::new();
    for entry in &doc.records {
        writes.put_record(&entry.record);
        if entry.record.kind == ModelKind::User {
            writes.put_password(entry.record.id, entry.password.as_deref());
        }
    }
    for token in &doc.tokens {
        writes.put_token(token);
    }
    let mut catalog = NewCatalog {
        catalog: Catalog::seeded(),
        created: Vec::new(),
    };
    let names = catalog.catalog.snapshot();
    for (id, name) in names.types() {
        writes.put_name(&NewName::Type(id, name.to_owned()));
    }
    for (id, name) in names.objects() {
        writes.put_name(&NewName::Object(id, name.to_owned()));
    }
    let highest = doc.links.iter().filter_map(|l| l.id).max().unwrap_or(0);
    let mut ids = LinkIds::starting_at(highest + 1);
    let now = Millis::now();
    let mut count = 0;
    for link in &doc.links {
        // Validation guarantees non-blank names, so every name gets an id; a full table
        // (65,535 names) is the only failure and drops the link.
        let Ok(Some(ends)) = link_ends(link, &mut catalog) else {
            log::warn!("fixture link skipped: no id left for its names");
            continue;
        };
        writes.put_link(&fixture_row(link, ends, ids.assign(link.id), now));
        count += 1;
    }
    for name in &catalog.created {
        writes.put_name(name);
    }
    writes.put_next_link_id(ids.next());
    writes.put_link_count(count);
    writes
}

impl AppState {
    /// Opens the state over `store`: with an empty database (or `reset`), `fixtures` are
    /// written to it first; then memory is rebuilt from the database, which is the truth.
    ///
    /// # Errors
    /// When the database fails or holds unreadable entries.
    pub fn open(
        store: Store,
        fixtures: FixtureDocument,
        reset: bool,
        release: ZammadVersion,
    ) -> Result<Self, StoreError> {
        if reset || !store.is_initialized()? {
            store.replace_all(document_writes(&fixtures))?;
        }
        let state = Self::empty(store, StartFixtures::Document(fixtures), release);
        state.reload(&mut state.writer.lock())?;
        Ok(state)
    }

    /// Rebuilds memory from the database, while no view is open. Callers hold the writer
    /// lock (`writer`).
    pub(super) fn reload(&self, writer: &mut WriterState) -> Result<(), StoreError> {
        let mut snapshot = self.store.load()?;
        let _published = self.published.write();
        self.records.clear();
        for (kind, id, json) in std::mem::take(&mut snapshot.records) {
            let record = Record::from_json(kind, id, &json).map_err(|e| StoreError::Corrupt {
                key: format!("{}[{id}]", kind.class_name()),
                reason: e.to_string(),
            })?;
            self.records.upsert(record);
        }
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
    }

    /// Replaces the whole state with `doc` (`PUT /__mock/fixtures`), durable once returned.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn replace(&self, doc: &FixtureDocument) -> Result<(), ReplaceError> {
        self.replace_now(doc)?;
        self.store.flush().await?;
        Ok(())
    }

    /// As [`AppState::replace`], blocking the thread (the library API).
    ///
    /// # Errors
    /// When the database fails.
    pub fn replace_blocking(&self, doc: &FixtureDocument) -> Result<(), ReplaceError> {
        self.replace_now(doc)?;
        self.store.flush_blocking()?;
        Ok(())
    }

    fn replace_now(&self, doc: &FixtureDocument) -> Result<(), StoreError> {
        // The writer lock keeps every other write out until memory matches the new content.
        let mut writer = self.writer.lock();
        self.store.replace_all(document_writes(doc))?;
        self.reload(&mut writer)
    }

    /// Goes back to the start-up fixtures, link ids included (`POST /__mock/reset`).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn reset(&self) -> Result<(), ReplaceError> {
        match &self.start {
            StartFixtures::Document(doc) => self.replace(doc).await,
            StartFixtures::File { path, fingerprint } => {
                self.reset_from_file(path, *fingerprint)?;
                Ok(self.store.flush().await?)
            }
        }
    }

    /// As [`AppState::reset`], blocking the thread.
    ///
    /// # Errors
    /// When the database fails.
    pub fn reset_blocking(&self) -> Result<(), ReplaceError> {
        match &self.start {
            StartFixtures::Document(doc) => self.replace_blocking(doc),
            StartFixtures::File { path, fingerprint } => {
                self.reset_from_file(path, *fingerprint)?;
                Ok(self.store.flush_blocking()?)
            }
        }
    }

    /// Merges `doc` into the state (`POST /__mock/fixtures`): records and tokens are
    /// upserted (a user keeps its password unless the document gives one), links are added,
    /// and a link that already exists (same type, source and target) is left as it is. A
    /// link `id` used by another link refuses the whole document.
    ///
    /// # Errors
    /// [`MergeError`]; then nothing was applied.
    pub async fn merge(&self, doc: &FixtureDocument) -> Result<(), MergeError> {
        Ok(self.write(|tx| merge_into(tx, doc))?.durable().await?)
    }

    /// As [`AppState::merge`], blocking the thread.
    ///
    /// # Errors
    /// [`MergeError`]; then nothing was applied.
    pub fn merge_blocking(&self, doc: &FixtureDocument) -> Result<(), MergeError> {
        Ok(self.write(|tx| merge_into(tx, doc))?.durable_blocking()?)
    }

    /// The whole state as one fixture document: records by kind and id (their stored JSON,
    /// never a password), every link row with its names, ids and timestamps, and the tokens.
    ///
    /// # Errors
    /// When the database fails.
    pub fn export_json(&self) -> Result<String, StoreError> {
        // Under the writer lock: a write changes rows and records key by key, and an export
        // must not see half of one.
        let (rows, records) = {
            let _writer = self.writer.lock();
            let records: Vec<(ModelKind, Vec<Arc<Record>>)> = ModelKind::ALL
                .into_iter()
                .map(|kind| (kind, self.records.all_of(kind)))
                .filter(|(_, records)| !records.is_empty())
                .collect();
            (self.store.links()?, records)
        };
        let names = self.catalog.snapshot();
        let mut tokens: Vec<ApiToken> = self.tokens.iter().map(|t| t.value().clone()).collect();
        tokens.sort_by(|a, b| a.token.cmp(&b.token));
        let links = rows
            .iter()
            .map(|row| ExportedLink {
                id: row.id,
                link_type: names.type_name(row.link_type),
                link_object_source: names.object_name(row.source.object),
                link_object_source_value: row.source.value,
                link_object_target: names.object_name(row.target.object),
                link_object_target_value: row.target.value,
                created_at: row.created_at.to_string(),
                updated_at: row.updated_at.to_string(),
            })
            .collect();
        let document = ExportedDocument {
            records,
            links,
            tokens,
        };
        Ok(serde_json::to_string(&document).expect("an export always serialises"))
    }
}

/// A whole export: one section per model that has records, then `Link` and `Token`.
struct ExportedDocument<'a> {
    records: Vec<(ModelKind, Vec<Arc<Record>>)>,
    links: Vec<ExportedLink<'a>>,
    tokens: Vec<ApiToken>,
}

impl Serialize for ExportedDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.records.len() + 2))?;
        for (kind, records) in &self.records {
            map.serialize_entry(kind.class_name(), &RecordSection(records))?;
        }
        map.serialize_entry("Link", &self.links)?;
        map.serialize_entry("Token", &self.tokens)?;
        map.end()
    }
}

/// A model's records by id, each as its stored JSON text.
struct RecordSection<'a>(&'a [Arc<Record>]);

impl Serialize for RecordSection<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|record| {
            let raw = RawValue::from_string(record.json().to_string())
                .expect("stored record JSON is valid JSON");
            (record.id.to_string(), raw)
        }))
    }
}

/// One `Link` row of an export.
#[derive(serde::Serialize)]
struct ExportedLink<'a> {
    id: u64,
    link_type: Option<&'a str>,
    link_object_source: Option<&'a str>,
    link_object_source_value: i64,
    link_object_target: Option<&'a str>,
    link_object_target_value: i64,
    created_at: String,
    updated_at: String,
}

/// The merge's changes, gathered in `tx`.
fn merge_into(tx: &mut super::WriteTx<'_>, doc: &FixtureDocument) -> Result<(), MergeError> {
    // Check every link id against the state before anything is written.
    let names = tx.names();
    for (index, link) in doc.links.iter().enumerate() {
        let Some(id) = link.id else { continue };
        let Some(existing) = tx.stored_link(id)? else {
            continue;
        };
        let same = names.type_id(&link.link_type) == Some(existing.link_type)
            && names.object_id(&link.source_object) == Some(existing.source.object)
            && names.object_id(&link.target_object) == Some(existing.target.object)
            && existing.source.value == link.source_value
            && existing.target.value == link.target_value;
        if !same {
            return Err(FixtureError {
                path: format!("Link[{index}].id"),
                reason: format!("{id} is already the id of another link"),
            }
            .into());
        }
    }
    let now = Millis::now();
    let mut rows = Vec::new();
    for link in &doc.links {
        let Some(ends @ (link_type, source, target)) = link_ends(link, tx)? else {
            continue;
        };
        if !tx.graph().find(link_type, source, target).is_empty() {
            continue;
        }
        let id = tx.link_id(link.id);
        rows.push(fixture_row(link, ends, id, now));
    }
    for row in rows {
        tx.add_link(row);
    }
    for entry in &doc.records {
        tx.put_record(entry.record.clone(), entry.password.as_deref());
    }
    for token in &doc.tokens {
        tx.put_token(token.clone());
    }
    Ok(())
}
