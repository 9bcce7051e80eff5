//! The service's state: the records, the link graph, the name catalog and the API tokens the
//! handlers read from memory, the caches derived from them, and the store that keeps them.
//!
//! Readers read through a [`View`]: while one is held, no write shows half-way, so a reader
//! sees the whole state before a write (an add, a merge, a replace, a reset) or the whole
//! state after it. Every change goes through one write transaction (`write`): it holds the
//! writer lock, gathers the durable writes and the memory changes, applies both in one place
//! (the memory part while no view is open) and hands back a `Commit` whose flush the caller
//! awaits before it answers. Every whole document takes one road into the store (`load`:
//! start-up, `--fixtures`, reset, replace); the running state's document calls (replace,
//! reset, merge, export) are `documents`'s. Zammad's rules are the domain's (`links`,
//! `tickets`).
//!
//! Lock order: the writer lock, then the publication lock. A view is never held across an
//! `.await` or while writing (the write would wait for it forever).

mod documents;
mod entries;
mod load;
mod sequences;
mod write;

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use dashmap::DashMap;
use parking_lot::{Mutex, RwLock, RwLockReadGuard};

use crate::auth::{GrantCache, VerifiedCallers};
use crate::catalog::{Catalog, Names};
use crate::graph::LinkGraph;
use crate::model::{ApiToken, ModelKind};
use crate::records::{RecordStore, Stored};
use crate::release::ZammadVersion;
use crate::store::{Store, StoreError};

pub use documents::MergeError;
pub use load::{write_document, OpenError, ReplaceError};
pub use sequences::{RecordIds, Sequence};
pub use write::{Commit, LinkIds, WriteTx};

/// What the writer lock guards besides the order of writes.
#[derive(Debug)]
struct WriterState {
    /// The link id sequence: never reused, like a database sequence.
    link_ids: LinkIds,
    /// The ticket, article, user and attachment ids and the ticket number counter.
    record_ids: RecordIds,
    /// Per kind, the record a new record's shape is taken from (the data set's lowest id),
    /// found once per load (`WriteTx::sample`).
    samples: HashMap<ModelKind, Option<Arc<Stored>>>,
    /// What the domain derives from the loaded data once per load (a new ticket's shape),
    /// by name (`WriteTx::derived`).
    derived: HashMap<&'static str, Arc<dyn Any + Send + Sync>>,
}

/// Everything the service holds.
#[derive(Debug)]
pub struct AppState {
    release: ZammadVersion,
    records: RecordStore,
    graph: LinkGraph,
    catalog: Catalog,
    /// By token, hashed with a per-process random seed (foldhash, not Fx), so that a guessed
    /// token cannot aim at a stored token's bucket: the secrets are compared byte by byte only
    /// once their seeded hashes matched.
    tokens: DashMap<String, ApiToken, foldhash::fast::RandomState>,
    grants: GrantCache,
    verified: VerifiedCallers,
    store: Store,
    writer: Mutex<WriterState>,
    /// Readers hold it shared through a [`View`]; a write's memory changes take it alone.
    published: RwLock<()>,
    /// What a reset goes back to.
    start: load::StartFixtures,
}

/// A consistent read of the state: while it is held, no write's memory changes show.
///
/// Locking: the publication lock, shared. Never hold one across an `.await`, inside another
/// view, or while writing.
#[derive(Debug)]
pub struct View<'s> {
    state: &'s AppState,
    _published: RwLockReadGuard<'s, ()>,
}

impl View<'_> {
    /// The records and their lookups.
    #[inline]
    pub fn records(&self) -> &RecordStore {
        &self.state.records
    }

    /// The link graph.
    #[inline]
    pub fn graph(&self) -> &LinkGraph {
        &self.state.graph
    }

    /// The link type and object names.
    #[inline]
    pub fn names(&self) -> std::sync::Arc<Names> {
        self.state.catalog.snapshot()
    }

    /// The API token `token`, if the fixtures define it.
    #[inline]
    pub fn token(&self, token: &str) -> Option<ApiToken> {
        self.state.tokens.get(token).map(|t| t.clone())
    }

    /// Each user's permissions and group access, derived from the records.
    #[inline]
    pub fn grants(&self) -> &GrantCache {
        &self.state.grants
    }

    /// Callers whose `Authorization` header already passed authentication.
    #[inline]
    pub fn verified(&self) -> &VerifiedCallers {
        &self.state.verified
    }
}

impl AppState {
    /// An empty state over `store`, to be filled by `load`.
    fn empty(store: Store, release: ZammadVersion) -> Self {
        Self {
            release,
            records: RecordStore::default(),
            graph: LinkGraph::new(),
            catalog: Catalog::seeded(),
            tokens: DashMap::default(),
            grants: GrantCache::default(),
            verified: VerifiedCallers::default(),
            store,
            writer: Mutex::new(WriterState {
                link_ids: LinkIds::starting_at(1),
                record_ids: RecordIds::default(),
                samples: Default::default(),
                derived: Default::default(),
            }),
            published: RwLock::new(()),
            start: load::StartFixtures::Document(crate::fixtures::FixtureDocument::default()),
        }
    }

    /// The Zammad release the state answers as.
    #[inline]
    pub fn release(&self) -> ZammadVersion {
        self.release
    }

    /// A consistent read of the state (see [`View`]).
    #[inline]
    pub fn view(&self) -> View<'_> {
        View {
            state: self,
            _published: self.published.read(),
        }
    }

    /// Flushes and closes the database: no write is accepted afterwards, and its folder can
    /// be opened again as soon as this returns.
    ///
    /// # Errors
    /// When the final flush fails.
    pub fn close(&self) -> Result<(), StoreError> {
        // Under the writer lock, so that no write is half-way when the database goes.
        let _writer = self.writer.lock();
        self.store.close()
    }
}
