//! The write transaction: the one way the state changes.
//!
//! [`AppState::write`] takes the writer lock and gives the caller a [`WriteTx`] that gathers
//! the durable writes and the matching memory changes. When the caller's closure succeeds,
//! the transaction is applied in one place: names created, link count and id sequence added
//! to the writes, the store applies them atomically, then memory follows, then the lock is
//! released. The flush happens after the lock is released (so concurrent writers share
//! flushes) and is the caller's to await through the returned [`Commit`]. When the closure
//! fails, nothing is written and memory is untouched.

use std::sync::Arc;

use parking_lot::MutexGuard;

use crate::catalog::{CatalogError, Names, NewName};
use crate::model::{ApiToken, LinkObjectId, LinkRow, LinkTypeId, Millis, ModelKind};
use crate::records::{Record, Stored};
use crate::store::{StoreError, WriteSet};

use super::{AppState, WriterState};

/// The link id sequence. Ids are assigned here and nowhere else: a link without an id gets
/// the next one; a given id moves the sequence past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkIds {
    next: u64,
}

impl LinkIds {
    /// A sequence whose next id is `next`.
    pub fn starting_at(next: u64) -> Self {
        Self { next: next.max(1) }
    }

    /// `given`, or the next id; the sequence moves past the one returned.
    pub fn assign(&mut self, given: Option<u64>) -> u64 {
        let id = given.unwrap_or(self.next);
        self.next = self.next.max(id + 1);
        id
    }

    /// The id the next link without one gets.
    pub fn next(&self) -> u64 {
        self.next
    }
}

/// The changes of one write, applied together when the transaction commits.
#[derive(Debug)]
pub struct WriteTx<'s> {
    state: &'s AppState,
    writer: MutexGuard<'s, WriterState>,
    writes: WriteSet,
    created: Vec<NewName>,
    records: Vec<Arc<Stored>>,
    passwords: Vec<(i64, Option<String>)>,
    tokens: Vec<ApiToken>,
    added: Vec<LinkRow>,
    removed: Vec<LinkRow>,
    first_link_id: u64,
}

impl<'s> WriteTx<'s> {
    /// The link graph as it is (this transaction's links not yet in it). No other write
    /// changes it while the transaction holds the writer lock.
    pub fn graph(&self) -> &'s crate::graph::LinkGraph {
        &self.state.graph
    }

    /// The records as they are (this transaction's changes not yet in them).
    pub fn records(&self) -> &'s crate::records::RecordStore {
        &self.state.records
    }

    /// The link names, including those this transaction created.
    pub fn names(&self) -> Arc<Names> {
        self.state.catalog.snapshot()
    }

    /// The id of link type `name`, created when missing (`Link.link_type_get`); `None` for
    /// a blank name, which Zammad never creates.
    ///
    /// # Errors
    /// When the name is too long or the table is full.
    pub fn ensure_type(&mut self, name: &str) -> Result<Option<LinkTypeId>, CatalogError> {
        self.state.catalog.ensure_type(name, &mut self.created)
    }

    /// The id of link object `name`, created when missing (`Link.link_object_get`).
    ///
    /// # Errors
    /// When the name is too long or the table is full.
    pub fn ensure_object(&mut self, name: &str) -> Result<Option<LinkObjectId>, CatalogError> {
        self.state.catalog.ensure_object(name, &mut self.created)
    }

    /// The newest copy of record `kind`/`id`: this transaction's, else the state's.
    pub fn record(&self, kind: ModelKind, id: i64) -> Option<Arc<Stored>> {
        self.records
            .iter()
            .rev()
            .find(|r| r.kind == kind && r.id == id)
            .cloned()
            .or_else(|| self.state.records.get(kind, id))
    }

    /// Whether this transaction already wrote record `kind`/`id`.
    pub fn has_written(&self, kind: ModelKind, id: i64) -> bool {
        self.records.iter().any(|r| r.kind == kind && r.id == id)
    }

    /// Touches the newest copy of record `kind`/`id` (ActiveRecord's `touch`: `updated_at`
    /// becomes `now`); a record that does not exist is skipped, as Zammad skips it.
    pub fn touch(&mut self, kind: ModelKind, id: i64, now: Millis) {
        if let Some(record) = self.record(kind, id) {
            let touched = record.touched(now);
            self.writes.put_touch(&touched, now);
            self.records.push(Arc::new(Stored::new(touched)));
        }
    }

    /// Writes `record` whole; a user's password is set when `password` is given.
    pub fn put_record(&mut self, record: Record, password: Option<&str>) {
        self.writes.put_record(&record);
        if let Some(password) = password {
            self.writes.put_password(record.id, Some(password));
            self.passwords.push((record.id, Some(password.to_owned())));
        }
        self.records.push(Arc::new(Stored::new(record)));
    }

    /// Writes an API token.
    pub fn put_token(&mut self, token: ApiToken) {
        self.writes.put_token(&token);
        self.tokens.push(token);
    }

    /// The id for a new link: `given`, or the next of the sequence. The sequence is kept
    /// even when the link is then refused, as PostgreSQL draws an id before it checks
    /// constraints.
    pub fn link_id(&mut self, given: Option<u64>) -> u64 {
        self.writer.link_ids.assign(given)
    }

    /// The stored row of link `id` (with its timestamps, which the graph does not keep).
    ///
    /// # Errors
    /// When the database fails.
    pub fn stored_link(&self, id: u64) -> Result<Option<LinkRow>, StoreError> {
        self.state.store.link(id)
    }

    /// Adds link `row`.
    pub fn add_link(&mut self, row: LinkRow) {
        self.writes.put_link(&row);
        self.added.push(row);
    }

    /// Removes link `row`.
    pub fn remove_link(&mut self, row: LinkRow) {
        self.writes.delete_link(row.id);
        self.removed.push(row);
    }

    /// Applies the transaction: durable writes first, then memory.
    fn commit(mut self) -> Result<bool, StoreError> {
        for name in &self.created {
            self.writes.put_name(name);
        }
        if !self.added.is_empty() || !self.removed.is_empty() {
            let count = self.state.graph.len() + self.added.len() - self.removed.len();
            self.writes.put_link_count(count);
        }
        if self.writer.link_ids.next() != self.first_link_id {
            self.writes.put_next_link_id(self.writer.link_ids.next());
        }
        let wrote = !self.writes.is_empty();
        self.state.store.apply(std::mem::take(&mut self.writes))?;
        let state = self.state;
        // Readers see memory before all of this or after all of it.
        let _published = state.published.write();
        for record in self.records.drain(..) {
            state.records.upsert(Record::clone(&record));
        }
        for (id, password) in self.passwords.drain(..) {
            state.records.set_password(id, password);
        }
        if !self.tokens.is_empty() {
            for token in self.tokens.drain(..) {
                state.tokens.insert(token.token.clone(), token);
            }
            // A token's user may act differently now: verified callers are stale.
            state.records.changed();
        }
        for row in &self.added {
            state.graph.insert(row);
        }
        for row in &self.removed {
            state.graph.remove(row);
        }
        Ok(wrote)
    }
}

/// A committed write whose flush is still to come.
#[must_use = "a write is durable only once its flush was awaited"]
#[derive(Debug)]
pub struct Commit<'s, T> {
    state: &'s AppState,
    wrote: bool,
    value: T,
}

impl<'s, T> Commit<'s, T> {
    /// A write that went to the database outside a transaction (a whole document's load),
    /// still to be flushed.
    pub(super) fn written(state: &'s AppState, value: T) -> Self {
        Self {
            state,
            wrote: true,
            value,
        }
    }

    /// Waits until the write is on disk (sharing the flush with concurrent writers), then
    /// gives the transaction's value.
    ///
    /// # Errors
    /// When the flush fails.
    pub async fn durable(self) -> Result<T, StoreError> {
        // A write that wrote nothing (a list that created no name) has nothing to make durable.
        if self.wrote {
            self.state.store.flush().await?;
        }
        Ok(self.value)
    }

    /// As [`Commit::durable`], blocking the thread (the library API's calls).
    ///
    /// # Errors
    /// When the flush fails.
    pub fn durable_blocking(self) -> Result<T, StoreError> {
        if self.wrote {
            self.state.store.flush_blocking()?;
        }
        Ok(self.value)
    }
}

impl AppState {
    /// Runs `change` in a write transaction and applies what it gathered, unless it failed.
    /// The returned [`Commit`] gives the value once the write is durable.
    ///
    /// # Errors
    /// `change`'s error (nothing written), or the store's when applying failed.
    pub fn write<T, E: From<StoreError>>(
        &self,
        change: impl FnOnce(&mut WriteTx<'_>) -> Result<T, E>,
    ) -> Result<Commit<'_, T>, E> {
        let writer = self.writer.lock();
        let first_link_id = writer.link_ids.next();
        let mut tx = WriteTx {
            state: self,
            writer,
            writes: WriteSet::new(),
            created: Vec::new(),
            records: Vec::new(),
            passwords: Vec::new(),
            tokens: Vec::new(),
            added: Vec::new(),
            removed: Vec::new(),
            first_link_id,
        };
        let value = change(&mut tx)?;
        let wrote = tx.commit()?;
        Ok(Commit {
            state: self,
            wrote,
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_gives_the_next_id_and_moves_past_given_ones() {
        let mut ids = LinkIds::starting_at(5);
        assert_eq!(ids.assign(None), 5);
        assert_eq!(ids.assign(Some(3)), 3);
        assert_eq!(ids.assign(None), 6);
        assert_eq!(ids.assign(Some(10)), 10);
        assert_eq!(ids.assign(None), 11);
        assert_eq!(ids.next(), 12);
    }
}
