//! The service's state: the records, the link graph, the name catalog and the API tokens the
//! handlers read from memory, the caches derived from them, and the store that keeps them.
//!
//! Readers use the accessors and never take a lock of the state's own. Every change goes
//! through one write transaction (`write`): it holds the writer lock, gathers the durable
//! writes and the memory changes, applies both in one place and hands back a [`Commit`]
//! whose flush the caller awaits before it answers. Whole documents (start-up, replace,
//! reset, merge, export) are `documents`'s. Zammad's link rules are `links`'s.

mod documents;
mod write;

use dashmap::DashMap;
use parking_lot::Mutex;

use crate::auth::{GrantCache, VerifiedCallers};
use crate::catalog::{Catalog, Names};
use crate::fixtures::FixtureDocument;
use crate::graph::LinkGraph;
use crate::model::ApiToken;
use crate::profile::Profile;
use crate::records::RecordStore;
use crate::store::{Store, StoreError};

pub use documents::{document_writes, MergeError, ReplaceError};
pub use write::{LinkIds, WriteTx};

/// What the writer lock guards besides the order of writes.
#[derive(Debug)]
struct WriterState {
    /// The link id sequence: never reused, like a database sequence.
    link_ids: LinkIds,
}

/// Everything the service holds.
#[derive(Debug)]
pub struct AppState {
    profile: Profile,
    records: RecordStore,
    graph: LinkGraph,
    catalog: Catalog,
    /// By token, hashed with SipHash under a random key so that a lookup's time says nothing
    /// about how close a guessed token came (the secrets are never compared byte by byte
    /// before their keyed hashes matched).
    tokens: DashMap<String, ApiToken, std::hash::RandomState>,
    grants: GrantCache,
    verified: VerifiedCallers,
    store: Store,
    writer: Mutex<WriterState>,
    start_fixtures: FixtureDocument,
}

impl AppState {
    fn empty(store: Store, start_fixtures: FixtureDocument, profile: Profile) -> Self {
        Self {
            profile,
            records: RecordStore::default(),
            graph: LinkGraph::new(),
            catalog: Catalog::seeded(),
            tokens: DashMap::default(),
            grants: GrantCache::default(),
            verified: VerifiedCallers::default(),
            store,
            writer: Mutex::new(WriterState {
                link_ids: LinkIds::starting_at(1),
            }),
            start_fixtures,
        }
    }

    /// The Zammad version the state answers as.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The records and their lookups.
    pub fn records(&self) -> &RecordStore {
        &self.records
    }

    /// The link graph.
    pub fn graph(&self) -> &LinkGraph {
        &self.graph
    }

    /// The link type and object names as they are now.
    pub fn names(&self) -> std::sync::Arc<Names> {
        self.catalog.snapshot()
    }

    /// The API token `token`, if the fixtures define it.
    pub fn token(&self, token: &str) -> Option<ApiToken> {
        self.tokens.get(token).map(|t| t.clone())
    }

    /// Each user's permissions and group access, derived from the records.
    pub fn grants(&self) -> &GrantCache {
        &self.grants
    }

    /// Callers whose `Authorization` header already passed authentication.
    pub fn verified(&self) -> &VerifiedCallers {
        &self.verified
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
