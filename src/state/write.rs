//! The write transaction: the one way the state changes.
//!
//! [`AppState::write`] takes the writer lock and gives the caller a [`WriteTx`] that gathers
//! the durable writes and the matching memory changes. When the caller's closure succeeds,
//! the transaction is applied in one place: names created, link count and id sequence added
//! to the writes, the store applies them atomically, then memory follows, then the lock is
//! released. The flush happens after the lock is released (so concurrent writers share
//! flushes) and is the caller's to await through the returned [`Commit`]. When the closure
//! fails, nothing is written and memory is untouched.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use parking_lot::MutexGuard;
use rustc_hash::FxBuildHasher;

use crate::catalog::{CatalogError, Names, NewName};
use crate::model::{ApiToken, LinkObjectId, LinkRow, LinkTypeId, Millis, ModelKind};
use crate::records::{Record, Stored};
use crate::store::{StoreError, WriteSet};

use super::{AppState, RecordIds, Sequence, WriterState};

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
    /// Where the newest copy of each record is in `records`, once there are more than a
    /// few (a ticket's delete touches every neighbour: a scan per touch would be quadratic).
    written: HashMap<(ModelKind, i64), usize, FxBuildHasher>,
    passwords: Vec<(i64, Option<String>)>,
    tokens: Vec<ApiToken>,
    added: Vec<LinkRow>,
    removed: Vec<LinkRow>,
    /// Rows re-pointed: each as it was, and as it is now (the same id).
    moved: Vec<(LinkRow, LinkRow)>,
    deleted: HashSet<(ModelKind, i64), FxBuildHasher>,
    first_link_id: u64,
    first_record_ids: RecordIds,
}

/// Up to this many records a transaction finds its own copies by a scan; beyond, by `written`.
const SCAN_UP_TO: usize = 16;

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

    /// Each user's permissions and group access (an article's author is asked whether it
    /// holds `ticket.agent`).
    pub fn grants(&self) -> &'s crate::auth::GrantCache {
        &self.state.grants
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

    /// The newest copy of record `kind`/`id`: this transaction's, else the state's; `None`
    /// once this transaction deleted it.
    pub fn record(&self, kind: ModelKind, id: i64) -> Option<Arc<Stored>> {
        if self.deleted.contains(&(kind, id)) {
            return None;
        }
        self.own(kind, id)
            .cloned()
            .or_else(|| self.state.records.get(kind, id))
    }

    /// This transaction's newest copy of record `kind`/`id`.
    fn own(&self, kind: ModelKind, id: i64) -> Option<&Arc<Stored>> {
        if self.records.len() <= SCAN_UP_TO {
            self.records
                .iter()
                .rev()
                .find(|r| r.kind == kind && r.id == id)
        } else {
            self.written.get(&(kind, id)).map(|at| &self.records[*at])
        }
    }

    /// Keeps `record` as this transaction's newest copy.
    fn keep(&mut self, record: Arc<Stored>) {
        self.records.push(record);
        if self.records.len() > SCAN_UP_TO {
            if self.written.is_empty() {
                for (at, r) in self.records.iter().enumerate() {
                    self.written.insert((r.kind, r.id), at);
                }
            } else {
                let at = self.records.len() - 1;
                let r = &self.records[at];
                self.written.insert((r.kind, r.id), at);
            }
        }
    }

    /// The record of `kind` whose keys a new record of that kind copies: the one with the
    /// lowest id when the data set was loaded, found once per load.
    pub fn sample(&mut self, kind: ModelKind) -> Option<Arc<Stored>> {
        let records = &self.state.records;
        self.writer
            .samples
            .entry(kind)
            .or_insert_with(|| records.lowest_where(kind, |_| true))
            .clone()
    }

    /// The value `derive` makes, made once per load and kept under `name` (a new record's
    /// shape, taken from the data set's sample): the domain's own derivations, dropped when a
    /// document is loaded again.
    pub fn derived<T: std::any::Any + Send + Sync>(
        &mut self,
        name: &'static str,
        derive: impl FnOnce(&mut Self) -> T,
    ) -> Arc<T> {
        if let Some(kept) = self.writer.derived.get(name) {
            if let Ok(kept) = Arc::clone(kept).downcast::<T>() {
                return kept;
            }
        }
        let made = Arc::new(derive(self));
        let kept: Arc<dyn std::any::Any + Send + Sync> = made.clone();
        self.writer.derived.insert(name, kept);
        made
    }

    /// Whether this transaction already wrote record `kind`/`id`.
    pub fn has_written(&self, kind: ModelKind, id: i64) -> bool {
        self.own(kind, id).is_some()
    }

    /// Touches the newest copy of record `kind`/`id` (ActiveRecord's `touch`: `updated_at`
    /// becomes `now`); a record that does not exist is skipped, as Zammad skips it.
    pub fn touch(&mut self, kind: ModelKind, id: i64, now: Millis) {
        if let Some(record) = self.record(kind, id) {
            let touched = record.touched(now);
            self.writes.put_touch(&touched, now);
            self.keep(Arc::new(Stored::new(touched)));
        }
    }

    /// Writes `record` whole; a user's password is set when `password` is given. The record
    /// sequences move past what it holds (a merged ticket's id is never handed out again).
    pub fn put_record(&mut self, record: Record, password: Option<&str>) {
        self.writer.record_ids.observe(&record);
        self.writes.put_record(&record);
        if let Some(password) = password {
            self.writes.put_password(record.id, Some(password));
            self.passwords.push((record.id, Some(password.to_owned())));
        }
        self.deleted.remove(&(record.kind, record.id));
        self.keep(Arc::new(Stored::new(record)));
    }

    /// Writes `record`, which never existed before (an id just drawn from its sequence):
    /// as [`WriteTx::put_record`] with one key operation fewer.
    pub fn put_created(&mut self, record: Record) {
        self.writer.record_ids.observe(&record);
        self.writes.put_new_record(&record);
        self.keep(Arc::new(Stored::new(record)));
    }

    /// Deletes record `kind`/`id` (`destroy`); a record that does not exist is skipped.
    pub fn delete_record(&mut self, kind: ModelKind, id: i64) {
        if self.record(kind, id).is_some() {
            self.writes.delete_record(kind, id);
            self.deleted.insert((kind, id));
        }
    }

    /// The next id of `sequence` (a new ticket, article, user or attachment). Like the link
    /// ids it is written with the transaction, and handed back if the transaction fails.
    pub fn next_id(&mut self, sequence: Sequence) -> i64 {
        self.writer.record_ids.next(sequence)
    }

    /// The ticket number counter's next value (`Ticket::Counter`), kept like [`next_id`](Self::next_id).
    pub fn next_ticket_counter(&mut self) -> u64 {
        self.writer.record_ids.next_counter()
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

    /// The stored rows of links `ids` that exist (with their timestamps), by id.
    ///
    /// # Errors
    /// When the database fails.
    pub fn stored_links(&self, ids: &[u64]) -> Result<Vec<LinkRow>, StoreError> {
        self.state.store.links_by_id(ids)
    }

    /// Moves link `from` to the ends of `to`, which keeps its id (an `update_all` that
    /// re-points a row): the row is written over, and the graph drops `from` from its old
    /// ends before it adds `to` at its new ones, so an end both rows share keeps one edge.
    /// The link count does not change.
    pub fn move_link(&mut self, from: LinkRow, to: LinkRow) {
        debug_assert_eq!(from.id, to.id, "a moved link keeps its id");
        self.writes.put_link(&to);
        self.moved.push((from, to));
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
        self.writer
            .record_ids
            .write_changes(&self.first_record_ids, &mut self.writes);
        let wrote = !self.writes.is_empty();
        self.state.store.apply(std::mem::take(&mut self.writes))?;
        let state = self.state;
        // Readers see memory before all of this or after all of it.
        let _published = state.published.write();
        for record in self.records.drain(..) {
            // A record deleted after it was written goes; one written after its delete stays.
            if !self.deleted.contains(&(record.kind, record.id)) {
                state.records.upsert(Record::clone(&record));
            }
        }
        for (id, password) in self.passwords.drain(..) {
            state.records.set_password(id, password);
        }
        for (kind, id) in self.deleted.drain() {
            state.records.remove(kind, id);
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
        state.graph.remove_all(&self.removed);
        state.graph.move_all(&self.moved);
        Ok(wrote)
    }

    /// Gives back what a failed transaction took from the sequences and the name tables, so
    /// that a refused write leaves no trace (`Transaction.execute` rolls back the names
    /// `Link.add` created too).
    fn roll_back(mut self, names: Arc<Names>) {
        self.writer.link_ids = LinkIds::starting_at(self.first_link_id);
        self.writer.record_ids = self.first_record_ids;
        if !self.created.is_empty() {
            self.state.catalog.restore(names);
        }
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
        let first_record_ids = writer.record_ids;
        // Under the writer lock nobody else changes the names: this is what a failed
        // transaction goes back to.
        let names = self.catalog.snapshot();
        let mut tx = WriteTx {
            state: self,
            writer,
            writes: WriteSet::new(),
            created: Vec::new(),
            records: Vec::new(),
            written: HashMap::default(),
            passwords: Vec::new(),
            tokens: Vec::new(),
            added: Vec::new(),
            removed: Vec::new(),
            moved: Vec::new(),
            deleted: HashSet::default(),
            first_link_id,
            first_record_ids,
        };
        let value = match change(&mut tx) {
            Ok(value) => value,
            Err(error) => {
                tx.roll_back(names);
                return Err(error);
            }
        };
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
