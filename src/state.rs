//! The service's state and Zammad's link rules over it: list, add and remove as Zammad 5.0's
//! `LinksController` and `Link` model do them, loading fixtures, and keeping memory and sled
//! in step.
//!
//! Writes are serialised by one writer lock: take it, decide, apply one atomic sled batch,
//! update memory, release it, then wait for the flush (so concurrent writers share flushes)
//! before the caller answers. Readers never take the writer lock. HTTP is left to `api`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dashmap::DashMap;
use parking_lot::Mutex;
use rustc_hash::FxBuildHasher;

use crate::assets::AssetsBuilder;
use crate::auth::{Caller, GrantCache, VerifiedCallers};
use crate::catalog::{inverse_type_name, Catalog, CatalogError, Names, NewName};
use crate::fixtures::FixtureDocument;
use crate::graph::{Edge, LinkGraph};
use crate::journal::Journal;
use crate::model::{ApiToken, LinkRow, LinkTypeId, Millis, ModelKind, ObjectRef};
use crate::params::{Params, ParamsError};
use crate::records::{Record, RecordStore};
use crate::store::{Store, StoreError, WriteSet};

/// Why a link call was refused; each maps to one Zammad answer in `api::error`.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The caller holds neither `ticket.agent` nor `admin`.
    #[error("Not authorized")]
    NotAuthorized,
    /// add: the source was not found (`links_controller.rb#add`).
    #[error("No such object!")]
    NoSuchObject,
    /// add: the same link exists (the unique index `links_uniq_total`).
    #[error("Object already exists!")]
    AlreadyExists,
    /// add: a NOT NULL column got no value.
    #[error("Attribute '{0}' required!")]
    AttributeRequired(&'static str),
    /// A parameter could not be read.
    #[error(transparent)]
    Params(#[from] ParamsError),
    /// A name table is full.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The database failed.
    #[error("the database failed")]
    Store(#[from] StoreError),
}

/// The links of one object, filtered for the caller, with the records they point at.
#[derive(Debug)]
pub struct LinkList {
    /// The name tables the entries refer to.
    pub names: Arc<Names>,
    /// Each entry with its linked record, when that exists.
    pub entries: Vec<(Edge, Option<Arc<Record>>)>,
}

impl LinkList {
    /// Writes the `links` array as `Link.list` renders it.
    pub fn write_links_json(&self, out: &mut String) {
        out.push('[');
        for (i, (edge, _)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"link_type\":");
            out.push_str(match edge.side {
                crate::graph::Side::Source => self.names.type_json_from_source(edge.link_type),
                crate::graph::Side::Target => self.names.type_json_from_target(edge.link_type),
            });
            out.push_str(",\"link_object\":");
            out.push_str(self.names.object_json(edge.other_object));
            out.push_str(",\"link_object_value\":");
            out.push_str(itoa::Buffer::new().format(edge.other_value));
            out.push('}');
        }
        out.push(']');
    }

    /// Collects the assets of every linked record that exists (the queried object itself is
    /// never added, as in `LinksController#index`).
    pub fn assets<'a>(&self, records: &'a RecordStore) -> AssetsBuilder<'a> {
        let mut builder = AssetsBuilder::new(records);
        for (_, record) in &self.entries {
            if let Some(record) = record {
                builder.add(Arc::clone(record));
            }
        }
        builder
    }
}

/// Everything the service holds.
#[derive(Debug)]
pub struct AppState {
    /// Records and their lookups.
    pub records: RecordStore,
    /// The link graph.
    pub graph: LinkGraph,
    /// Link type and object names.
    pub catalog: Catalog,
    /// API tokens by token.
    pub tokens: DashMap<String, ApiToken, FxBuildHasher>,
    /// Each user's permissions and group access, derived from the records.
    pub grants: GrantCache,
    /// Callers whose `Authorization` header already passed authentication.
    pub verified: VerifiedCallers,
    /// The request journal behind `/__mock/requests`.
    pub journal: Journal,
    pub(crate) store: Store,
    pub(crate) writer: Mutex<()>,
    pub(crate) next_link_id: AtomicU64,
    start_fixtures: FixtureDocument,
}

impl AppState {
    /// Opens the state over `store`: with an empty database (or `reset`), `fixtures` are
    /// written to it first; then memory is rebuilt from the database, which is the truth.
    ///
    /// # Errors
    /// When the database fails or holds unreadable entries.
    pub fn open(store: Store, fixtures: FixtureDocument, reset: bool) -> Result<Self, StoreError> {
        let state = Self {
            records: RecordStore::default(),
            graph: LinkGraph::new(),
            catalog: Catalog::seeded(),
            tokens: DashMap::default(),
            grants: GrantCache::default(),
            verified: VerifiedCallers::default(),
            journal: Journal::default(),
            store,
            writer: Mutex::new(()),
            next_link_id: AtomicU64::new(1),
            start_fixtures: fixtures,
        };
        if reset || !state.store.is_initialized()? {
            state
                .store
                .replace_all(fixture_writes(&state.start_fixtures))?;
            state.store.flush_blocking()?;
        }
        state.reload()?;
        Ok(state)
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Goes back to the start-up fixtures, link ids included (flushed before returning).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn reset(&self) -> Result<(), StoreError> {
        self.reset_unflushed()?;
        self.store.flush().await
    }

    /// As [`AppState::reset`], leaving the flush to the caller.
    ///
    /// # Errors
    /// When the database fails.
    pub fn reset_unflushed(&self) -> Result<(), StoreError> {
        let doc = self.start_fixtures.clone();
        self.replace_unflushed(&doc)
    }

    /// Replaces the whole state with `doc`, leaving the flush to the caller.
    ///
    /// # Errors
    /// When the database fails.
    pub fn replace_unflushed(&self, doc: &FixtureDocument) -> Result<(), StoreError> {
        let _writer = self.writer.lock();
        self.store.replace_all(fixture_writes(doc))?;
        self.reload()
    }

    /// Rebuilds memory from the database. Callers hold the writer lock (or own the state).
    pub(crate) fn reload(&self) -> Result<(), StoreError> {
        let snapshot = self.store.load()?;
        self.records.clear();
        for (kind, id, json) in snapshot.records {
            let record = Record::from_json(kind, id, &json).map_err(|e| StoreError::Corrupt {
                key: format!("{}[{id}]", kind.class_name()),
                reason: e.to_string(),
            })?;
            self.records.upsert(record);
        }
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
        self.next_link_id
            .store(snapshot.next_link_id, Ordering::SeqCst);
        Ok(())
    }

    /// The token `token`, if the fixtures define it.
    pub fn token(&self, token: &str) -> Option<ApiToken> {
        self.tokens.get(token).map(|t| t.clone())
    }

    /// `GET /api/v1/links`: the links of (`link_object`, `link_object_value`) that the caller
    /// may see (`Link.list` with `user:`).
    ///
    /// # Errors
    /// [`LinkError::NotAuthorized`], a parameter error, or a database failure when an unknown
    /// object name had to be created.
    pub async fn list(&self, params: &Params<'_>, caller: &Caller) -> Result<LinkList, LinkError> {
        if !caller.may_use_links() {
            return Err(LinkError::NotAuthorized);
        }
        let value = params.integer("link_object_value")?;
        let name = params.string("link_object");
        self.list_visible(name.as_deref(), value, caller).await
    }

    /// The links of (`object`, `value`) that `caller` may see, with no permission gate of
    /// its own (`Link.list` with `user:`, also used by `GET /api/v1/tickets/:id?all=true`).
    ///
    /// # Errors
    /// A database failure when an unknown object name had to be created.
    pub async fn list_visible(
        &self,
        name: Option<&str>,
        value: Option<i64>,
        caller: &Caller,
    ) -> Result<LinkList, LinkError> {
        let mut names = self.catalog.snapshot();
        let mut object = name.and_then(|n| names.object_id(n));
        if object.is_none() {
            if let Some(name) = name {
                // `Link.link_object_get` creates an unknown name even when only listing.
                let created = {
                    let _writer = self.writer.lock();
                    let mut created = Vec::new();
                    object = self.catalog.ensure_object(name, &mut created)?;
                    let mut writes = WriteSet::new();
                    for new in &created {
                        writes.put_name(new);
                    }
                    self.store.apply(writes)?;
                    !created.is_empty()
                };
                // A blank name creates nothing, and then there is nothing to make durable.
                if created {
                    self.store.flush().await?;
                    names = self.catalog.snapshot();
                }
            }
        }
        let (Some(object), Some(value)) = (object, value) else {
            return Ok(LinkList {
                names,
                entries: Vec::new(),
            });
        };
        let entries = self
            .graph
            .edges(ObjectRef::new(object, value))
            .into_iter()
            .filter_map(|edge| {
                let record = names
                    .object_model(edge.other_object)
                    .and_then(|kind| self.records.get(kind, edge.other_value));
                // Entries whose record doesn't exist stay; existing tickets are checked with
                // `TicketPolicy#show?` (`Link.list`, Zammad 5.0).
                let visible = match &record {
                    Some(r) if r.kind == ModelKind::Ticket => {
                        caller.may_show_ticket(&self.records, r)
                    }
                    _ => true,
                };
                visible.then_some((edge, record))
            })
            .collect();
        Ok(LinkList { names, entries })
    }

    /// `POST /api/v1/links/add`, as `LinksController#add` and `Link.add` of Zammad 5.0 do it.
    /// On success, the new row. Both ends are touched before the row is created, so a
    /// refused duplicate has touched them too.
    ///
    /// # Errors
    /// [`LinkError`] with Zammad's reason.
    pub async fn add(&self, params: &Params<'_>, caller: &Caller) -> Result<LinkRow, LinkError> {
        if !caller.may_use_links() {
            return Err(LinkError::NotAuthorized);
        }
        let source_name = params.string("link_object_source");
        // The source is looked up by ticket *number*, a KB translation by id
        // (`links_controller.rb#add`); any other object is "No such object!".
        let source = match source_name.as_deref() {
            Some("Ticket") => params
                .string("link_object_source_number")
                .and_then(|number| self.records.ticket_by_number(&number)),
            Some("KnowledgeBase::Answer::Translation") => params
                .integer("link_object_source_number")?
                .and_then(|id| self.records.get(ModelKind::KbAnswerTranslation, id)),
            _ => None,
        };
        let (Some(source), Some(source_name)) = (source, source_name) else {
            return Err(LinkError::NoSuchObject);
        };
        let target_name = params.string("link_object_target");
        let target_value = params.integer("link_object_target_value")?;
        let now = Millis::now();

        let outcome = {
            let _writer = self.writer.lock();
            let mut writes = WriteSet::new();
            let mut created = Vec::new();
            let link_type = match params.string("link_type") {
                Some(name) => self.catalog.ensure_type(&name, &mut created)?,
                None => None,
            };
            let source_object = self.catalog.ensure_object(&source_name, &mut created)?;
            // Re-read under the lock so the touch starts from the newest copy.
            let source = self.records.get(source.kind, source.id).unwrap_or(source);
            let mut touched = vec![self.touch_record(&source, now, &mut writes)];
            let target_object = match target_name.as_deref() {
                Some(name) => self.catalog.ensure_object(name, &mut created)?,
                None => None,
            };
            if let (Some(kind), Some(value)) = (
                target_name.as_deref().and_then(ModelKind::from_class_name),
                target_value,
            ) {
                // `touch_reference_by_params` skips a target that doesn't exist.
                if let Some(target) = self.records.get(kind, value) {
                    let base = touched
                        .iter()
                        .find(|r| r.kind == target.kind && r.id == target.id)
                        .cloned()
                        .unwrap_or(target);
                    touched.push(self.touch_record(&base, now, &mut writes));
                }
            }
            for new in &created {
                writes.put_name(new);
            }
            // PostgreSQL draws the id from the sequence before it checks constraints, so a
            // refused insert still uses up an id.
            let id = self.next_link_id.fetch_add(1, Ordering::SeqCst);
            writes.put_next_link_id(id + 1);
            let row = (|| {
                // NOT NULL columns, checked in table order as PostgreSQL reports them.
                let link_type = link_type.ok_or(LinkError::AttributeRequired("link_type_id"))?;
                let source = ObjectRef::new(
                    source_object.ok_or(LinkError::AttributeRequired("link_object_source_id"))?,
                    source.id,
                );
                let target_object =
                    target_object.ok_or(LinkError::AttributeRequired("link_object_target_id"))?;
                let target_value =
                    target_value.ok_or(LinkError::AttributeRequired("link_object_target_value"))?;
                let target = ObjectRef::new(target_object, target_value);
                if !self.graph.find(link_type, source, target).is_empty() {
                    return Err(LinkError::AlreadyExists);
                }
                Ok(LinkRow {
                    id,
                    link_type,
                    source,
                    target,
                    created_at: now,
                    updated_at: now,
                })
            })();
            if let Ok(row) = &row {
                writes.put_link(row);
                writes.put_link_count(self.graph.len() + 1);
            }
            self.store.apply(writes)?;
            for record in touched {
                self.records.upsert(Record::clone(&record));
            }
            if let Ok(row) = &row {
                self.graph.insert(row);
            }
            row
        };
        self.store.flush().await?;
        outcome
    }

    /// `DELETE /api/v1/links/remove`, as `Link.remove(params)` of Zammad 5.0 does it: delete
    /// the rows stored exactly as passed, then the rows stored the other way round with the
    /// inverse type. Answers the rows of the second match only (what `destroy_all` returns).
    ///
    /// # Errors
    /// [`LinkError::NotAuthorized`], a parameter error or a database failure.
    pub async fn remove(
        &self,
        params: &Params<'_>,
        caller: &Caller,
    ) -> Result<Vec<LinkRow>, LinkError> {
        if !caller.may_use_links() {
            return Err(LinkError::NotAuthorized);
        }
        let source_value = params.integer("link_object_source_value")?;
        let target_value = params.integer("link_object_target_value")?;
        // `Link.remove` receives the whole `params`: without a name, an id sent directly
        // (`link_type_id`, `link_object_source_id`, …) is used as it is.
        let raw_id = |key: &str| -> Result<Option<u16>, LinkError> {
            Ok(params.integer(key)?.and_then(|id| u16::try_from(id).ok()))
        };
        let now = Millis::now();
        let removed = {
            let _writer = self.writer.lock();
            let mut writes = WriteSet::new();
            let mut created = Vec::new();
            let source_object = if params.has("link_object_source") {
                self.ensure_object_param(params, "link_object_source", &mut created)?
            } else {
                raw_id("link_object_source_id")?
            };
            let target_object = if params.has("link_object_target") {
                self.ensure_object_param(params, "link_object_target", &mut created)?
            } else {
                raw_id("link_object_target_id")?
            };
            let type_name = params.string("link_type");
            let (link_type, inverse_type) = if params.has("link_type") {
                let forward = match &type_name {
                    Some(name) => self.catalog.ensure_type(name, &mut created)?,
                    None => None,
                };
                let inverse = match type_name.as_deref().and_then(inverse_type_name) {
                    Some(name) => self.catalog.ensure_type(name, &mut created)?,
                    None => None,
                };
                (forward.map(|t| t.0), inverse.map(|t| t.0))
            } else {
                let id = raw_id("link_type_id")?;
                (id, id)
            };
            for new in &created {
                writes.put_name(new);
            }
            let ends = match (source_object, source_value, target_object, target_value) {
                (Some(so), Some(sv), Some(to), Some(tv)) => Some((
                    ObjectRef::new(crate::model::LinkObjectId(so), sv),
                    ObjectRef::new(crate::model::LinkObjectId(to), tv),
                )),
                _ => None,
            };
            let mut first = Vec::new();
            let mut second = Vec::new();
            if let Some((source, target)) = ends {
                if let Some(t) = link_type {
                    first = self.graph.find(LinkTypeId(t), source, target);
                }
                if let Some(t) = inverse_type {
                    second = self.graph.find(LinkTypeId(t), target, source);
                    // The first `destroy_all` ran before the second query.
                    second.retain(|id| !first.contains(id));
                }
            }
            let mut rows = Vec::new();
            for id in first.iter().chain(&second) {
                if let Some(row) = self.store.link(*id)? {
                    rows.push(row);
                }
            }
            let mut touched: Vec<Arc<Record>> = Vec::new();
            let names = self.catalog.snapshot();
            if !rows.is_empty() {
                writes.put_link_count(self.graph.len() - rows.len());
            }
            for row in &rows {
                writes.delete_link(row.id);
                // `after_destroy :touch_link_references` touches both ends of every row.
                for end in [row.source, row.target] {
                    self.touch_end(&names, end, now, &mut touched, &mut writes);
                }
            }
            self.store.apply(writes)?;
            for record in touched {
                self.records.upsert(Record::clone(&record));
            }
            for row in &rows {
                self.graph.remove(row);
            }
            rows.retain(|row| second.contains(&row.id));
            rows
        };
        self.store.flush().await?;
        Ok(removed)
    }

    fn ensure_object_param(
        &self,
        params: &Params<'_>,
        key: &str,
        created: &mut Vec<NewName>,
    ) -> Result<Option<u16>, LinkError> {
        Ok(match params.string(key) {
            Some(name) => self.catalog.ensure_object(&name, created)?.map(|id| id.0),
            None => None,
        })
    }

    /// Touches the record at link end `end`, if its object is a model and it exists; a
    /// record touched earlier in the same write is touched again, not its stale copy.
    fn touch_end(
        &self,
        names: &Names,
        end: ObjectRef,
        now: Millis,
        touched: &mut Vec<Arc<Record>>,
        writes: &mut WriteSet,
    ) {
        let Some(kind) = names.object_model(end.object) else {
            return;
        };
        if touched.iter().any(|r| r.kind == kind && r.id == end.value) {
            return;
        }
        if let Some(record) = self.records.get(kind, end.value) {
            touched.push(self.touch_record(&record, now, writes));
        }
    }

    fn touch_record(&self, record: &Record, now: Millis, writes: &mut WriteSet) -> Arc<Record> {
        let touched = record.touched(now);
        writes.put_touch(&touched, now);
        Arc::new(touched)
    }
}

/// The database content for a fixture document: records, passwords, tokens, Zammad's seeded
/// names plus the names its links use (created in the order `Link.add` would create them),
/// and its links with ids assigned after the highest given id.
pub fn fixture_writes(doc: &FixtureDocument) -> WriteSet {
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
    let catalog = Catalog::seeded();
    let mut created = Vec::new();
    let names = catalog.snapshot();
    for (id, name) in names.types() {
        writes.put_name(&NewName::Type(id, name.to_owned()));
    }
    for (id, name) in names.objects() {
        writes.put_name(&NewName::Object(id, name.to_owned()));
    }
    let mut next_id = doc.links.iter().filter_map(|l| l.id).max().unwrap_or(0) + 1;
    let now = Millis::now();
    let mut count = 0;
    for link in &doc.links {
        // Validation guarantees non-blank names, so every `ensure_*` yields an id; a full
        // table (65,535 names) is the only failure and drops the link.
        let ids = (|| -> Result<_, CatalogError> {
            Ok((
                catalog.ensure_type(&link.link_type, &mut created)?,
                catalog.ensure_object(&link.source_object, &mut created)?,
                catalog.ensure_object(&link.target_object, &mut created)?,
            ))
        })();
        let Ok((Some(link_type), Some(source), Some(target))) = ids else {
            log::warn!("fixture link skipped: no id left for its names");
            continue;
        };
        let id = link.id.unwrap_or_else(|| {
            next_id += 1;
            next_id - 1
        });
        let created_at = link.created_at.unwrap_or(now);
        writes.put_link(&LinkRow {
            id,
            link_type,
            source: ObjectRef::new(source, link.source_value),
            target: ObjectRef::new(target, link.target_value),
            created_at,
            updated_at: link.updated_at.unwrap_or(created_at),
        });
        count += 1;
    }
    for name in &created {
        writes.put_name(name);
    }
    writes.put_next_link_id(next_id);
    writes.put_link_count(count);
    writes
}
