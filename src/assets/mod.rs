//! The `assets` sideload: every record a response refers to, pulled in the way Zammad's
//! `assets` methods walk them, each record once, model keys and ids in first-insertion order.
//! Which records a record pulls in, and what a customer sees of them, is the release's
//! (its walk and its [`CustomerView`]); this module runs the walk, keeps each linked
//! ticket's closure, and writes the JSON.
//!
//! A record is put in place before its relations are walked, so cycles end there. Records are
//! appended as their stored JSON text; only a customer's view is reduced
//! (`lib/user_info/assets.rb`). Deciding which linked objects go in is the caller's
//! (`render`).

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use arc_swap::ArcSwapOption;

use rustc_hash::FxBuildHasher;
use serde_json::{Map, Value};

use crate::auth::AssetLevel;
use crate::model::ModelKind;
use crate::records::{Record, RecordStore, Stored};
use crate::release::{Walk, ZammadVersion};

/// Collects assets for one response.
#[derive(Debug)]
pub struct AssetsBuilder<'a> {
    records: &'a RecordStore,
    walk: Walk,
    scratch: Scratch,
}

/// What one root — a record that no walk pulls in, such as a linked ticket — pulls into
/// `assets` on its own: every record of its walk in the walk's order, the root itself left
/// out. It is kept with the root's version ([`Kept`]) and used while it is
/// current: same walk, no record of it superseded, and, when the walk skipped a missing
/// record, no record arrived since (the missing one may have). Zammad caches assets per
/// record and `updated_at` the same way.
///
/// Why a kept closure gives the same response as walking: once a walk is complete, the
/// placed records are closed under the walk (everything a placed record pulls in is
/// placed, or missing). A walk from the next root over those placed records therefore places
/// exactly the records of the root's own walk that are not placed yet, in that walk's order:
/// wherever the fresh walk would descend into a placed record, it would only place records
/// that are placed already.
#[derive(Debug)]
pub struct Closure {
    walk: Walk,
    /// The store's arrivals count when the walk skipped a missing record; `None` when it
    /// skipped none (then no arrival can change it).
    arrivals: Option<u64>,
    members: Box<[Arc<Stored>]>,
}

/// What the assets room keeps for one version of a record, in the store's slot beside it
/// (`records::Stored`): its `assets` key written out, whether a newer version (or a reload)
/// has taken its place, and its memoised closure. It dies with the version; a new version
/// starts with nothing kept.
pub struct Kept {
    /// `"<id>":`, as `write_json` puts it before the record: formatting the id for every
    /// record of every response was a fiftieth of the seed's GET in instruction counts.
    /// (Text, not bytes: checking bytes as UTF-8 on every response cost as much.)
    key: Box<str>,
    superseded: AtomicBool,
    closure: ArcSwapOption<Closure>,
}

impl Kept {
    /// Nothing kept yet for record `id`'s new version.
    pub(crate) fn new(id: i64) -> Self {
        Self {
            key: format!("\"{id}\":").into_boxed_str(),
            superseded: AtomicBool::new(false),
            closure: ArcSwapOption::empty(),
        }
    }

    /// The record's `"<id>":` in `assets`.
    #[inline]
    fn key(&self) -> &str {
        &self.key
    }

    /// Whether the version this belongs to is no longer the stored one.
    #[inline]
    fn is_superseded(&self) -> bool {
        self.superseded.load(Ordering::Acquire)
    }

    /// The memoised closure, if one was kept (a guard: no reference count taken).
    #[inline]
    fn closure(&self) -> arc_swap::Guard<Option<Arc<Closure>>> {
        self.closure.load()
    }

    /// Keeps `closure` for the next response.
    fn keep_closure(&self, closure: Arc<Closure>) {
        self.closure.store(Some(closure));
    }

    /// The store replaced this version (or cleared it).
    pub(crate) fn supersede(&self) {
        self.superseded.store(true, Ordering::Release);
        // A superseded version is never a root again: let go of what its closure holds.
        self.closure.store(None);
    }
}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept")
            .field("key", &self.key())
            .field("superseded", &self.is_superseded())
            .field("closure", &self.closure.load().is_some())
            .finish()
    }
}

impl Closure {
    fn is_current(&self, records: &RecordStore, walk: Walk) -> bool {
        self.walk == walk
            && self.arrivals.is_none_or(|seen| seen == records.arrivals())
            && self.members.iter().all(|m| !m.assets.is_superseded())
    }
}

/// A builder's buffers. A worker thread keeps the last one and the next builder on that
/// thread takes it over: allocating them afresh for every response showed up in profiles of
/// the seed's GET (a dozen allocations out of its thirty).
#[derive(Debug, Default)]
struct Scratch {
    /// The placed records' kinds and ids, once there are more than [`Scratch::SCAN_UP_TO`].
    seen: HashSet<(ModelKind, i64), FxBuildHasher>,
    /// Every record placed, in placing order.
    placed: Vec<Arc<Stored>>,
    /// The model keys in the order their first record was placed.
    kinds: Vec<ModelKind>,
    stack: Vec<Arc<Stored>>,
    /// The relations of the record being placed.
    children: Vec<(ModelKind, i64)>,
    /// Whether a walk skipped a relation whose record does not exist.
    missed: bool,
}

thread_local! {
    /// The buffers the last builder on this thread left behind.
    static SPARE: Cell<Option<Scratch>> = const { Cell::new(None) };
}

impl Scratch {
    /// Beyond this many records a builder's buffers are freed rather than kept, so that one
    /// object with thousands of links does not pin its buffers to a worker for good.
    const KEEP_UP_TO: usize = 4096;
    /// Up to this many placed records, "is it placed?" scans them (a response usually has a
    /// handful, and a scan of a few is cheaper than hashing); beyond, `seen` answers.
    const SCAN_UP_TO: usize = 16;

    fn take() -> Self {
        SPARE.with(Cell::take).unwrap_or_default()
    }

    fn give_back(mut self) {
        if self.placed.capacity() > Self::KEEP_UP_TO || self.seen.capacity() > Self::KEEP_UP_TO {
            return;
        }
        self.seen.clear();
        self.placed.clear();
        self.kinds.clear();
        self.stack.clear();
        self.children.clear();
        self.missed = false;
        SPARE.with(|spare| spare.set(Some(self)));
    }

    #[inline]
    fn is_placed(&self, kind: ModelKind, id: i64) -> bool {
        if self.placed.len() <= Self::SCAN_UP_TO {
            self.placed.iter().any(|r| r.id == id && r.kind == kind)
        } else {
            self.seen.contains(&(kind, id))
        }
    }

    fn place(&mut self, record: Arc<Stored>) {
        if self.placed.len() >= Self::SCAN_UP_TO {
            if self.placed.len() == Self::SCAN_UP_TO {
                self.seen.extend(self.placed.iter().map(|r| (r.kind, r.id)));
            }
            self.seen.insert((record.kind, record.id));
        }
        if !self.kinds.contains(&record.kind) {
            self.kinds.push(record.kind);
        }
        self.placed.push(record);
    }

    /// Places `record` and everything it pulls in that is not placed yet, in Zammad's order.
    fn walk(&mut self, records: &RecordStore, walk: Walk, record: Arc<Stored>) {
        // An explicit stack instead of recursion, so a long chain of `created_by` users
        // cannot exhaust a worker's stack. Children are pushed in reverse so that they are
        // visited in Zammad's order; checking when popping keeps the order of a recursive
        // walk.
        self.stack.push(record);
        while let Some(record) = self.stack.pop() {
            if self.is_placed(record.kind, record.id) {
                continue;
            }
            self.children.clear();
            walk.of(&record, &mut self.children);
            self.place(record);
            for i in (0..self.children.len()).rev() {
                let (kind, id) = self.children[i];
                if self.is_placed(kind, id) {
                    continue;
                }
                match records.get(kind, id) {
                    Some(child) => self.stack.push(child),
                    None => self.missed = true,
                }
            }
        }
    }
}

impl Drop for AssetsBuilder<'_> {
    fn drop(&mut self) {
        std::mem::take(&mut self.scratch).give_back();
    }
}

impl<'a> AssetsBuilder<'a> {
    /// An empty sideload over `records`, walked as `release` walks.
    pub fn new(records: &'a RecordStore, release: ZammadVersion) -> Self {
        Self {
            records,
            walk: release.walk(),
            scratch: Scratch::take(),
        }
    }

    /// Adds `record` and everything it pulls in. `record` must be the stored version (read
    /// in the same view): a root's closure is kept with it.
    pub fn add(&mut self, record: Arc<Stored>) {
        if Walk::may_pull_in(record.kind) || record.kind == ModelKind::TicketArticle {
            // A user or organization linked directly: walked every time. (Keeping a closure
            // with a record that other closures hold could make a cycle of `Arc`s.) An
            // article pulls in its ticket, which no kept closure may hold; articles are
            // rare roots (a ticket's article list), so they are walked every time too.
            self.scratch.walk(self.records, self.walk, record);
            return;
        }
        if self.scratch.is_placed(record.kind, record.id) {
            return;
        }
        let kept = record.assets.closure();
        let fresh;
        let closure = match kept.as_deref() {
            Some(kept) if kept.is_current(self.records, self.walk) => kept,
            _ => {
                fresh = Arc::new(self.closure_of(&record));
                record.assets.keep_closure(Arc::clone(&fresh));
                &fresh
            }
        };
        self.scratch.place(record);
        for member in &closure.members {
            if !self.scratch.is_placed(member.kind, member.id) {
                self.scratch.place(Arc::clone(member));
            }
        }
    }

    /// The closure of `root`, walked afresh.
    fn closure_of(&self, root: &Arc<Stored>) -> Closure {
        // Read before walking; the caller's view keeps records from changing meanwhile.
        let arrivals = self.records.arrivals();
        let mut own = Scratch::default();
        own.walk(self.records, self.walk, Arc::clone(root));
        Closure {
            walk: self.walk,
            arrivals: own.missed.then_some(arrivals),
            members: own.placed.drain(1..).collect(),
        }
    }

    /// Adds `record` and everything it pulls in, walking every time (what [`add`](Self::add)
    /// does without kept closures; a unit test compares the two).
    #[cfg(test)]
    fn add_walking(&mut self, record: Arc<Stored>) {
        self.scratch.walk(self.records, self.walk, record);
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.scratch.placed.is_empty()
    }

    /// The number of records collected.
    pub fn len(&self) -> usize {
        self.scratch.placed.len()
    }

    /// The bytes [`write_json`](Self::write_json) appends for an agent or admin, or more, so
    /// that the caller can size its buffer once. (A customer's reduced records are usually
    /// shorter; a role renamed `Role_<id>` can make one a little longer.)
    pub fn json_len_bound(&self) -> usize {
        // `{}`; `"<key>":{` … `},` per model; `"<id>":<json>,` per record.
        let s = &self.scratch;
        let models: usize = s.kinds.iter().map(|kind| kind.assets_key().len() + 6).sum();
        2 + models
            + s.placed
                .iter()
                .map(|r| r.assets.key().len() + r.json().len() + 1)
                .sum::<usize>()
    }

    /// Writes the `assets` object as JSON to `out`, as `viewer` (user id) at `level` sees it.
    pub fn write_json(&self, out: &mut String, level: AssetLevel, viewer: i64) {
        let s = &self.scratch;
        out.push('{');
        for (m, kind) in s.kinds.iter().enumerate() {
            if m > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(kind.assets_key());
            out.push_str("\":{");
            // One pass over the records per model key: a response has at most a handful.
            let of_kind = s.placed.iter().filter(|record| record.kind == *kind);
            for (i, record) in of_kind.enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(record.assets.key());
                match level {
                    AssetLevel::Agent | AssetLevel::Admin => out.push_str(record.json()),
                    AssetLevel::Customer => {
                        out.push_str(&reduce_for_customer(
                            record,
                            viewer,
                            self.walk.customer_view(),
                        ));
                    }
                }
            }
            out.push('}');
        }
        out.push('}');
    }
}

/// What a customer sees of the records in `assets`: the attributes each kind keeps, as a
/// release states them (`User#filter_attributes` and friends, `lib/user_info/assets.rb`).
#[derive(Debug)]
pub struct CustomerView {
    /// The attributes kept of users other than the customer.
    pub other_user: &'static [&'static str],
    /// The attributes taken out of the customer's own user.
    pub own_user_hidden: &'static [&'static str],
    /// The attributes kept of an organization.
    pub organization: &'static [&'static str],
    /// The attributes kept of a group.
    pub group: &'static [&'static str],
    /// The attributes kept of a role (whose `name` becomes `Role_<id>`).
    pub role: &'static [&'static str],
}

/// What a customer (user `viewer`) sees of `record`.
fn reduce_for_customer(record: &Record, viewer: i64, view: &CustomerView) -> String {
    let (keys, listed_are_kept): (&[&str], bool) = match record.kind {
        ModelKind::User if record.id == viewer => (view.own_user_hidden, false),
        ModelKind::User => (view.other_user, true),
        ModelKind::Organization => (view.organization, true),
        ModelKind::Group => (view.group, true),
        ModelKind::Role => (view.role, true),
        ModelKind::Ticket
        | ModelKind::Permission
        | ModelKind::KbAnswerTranslation
        | ModelKind::TicketState
        | ModelKind::TicketPriority
        | ModelKind::TicketArticle => return record.json().to_string(),
    };
    let keep = |key: &str| keys.contains(&key) == listed_are_kept;
    let attrs: Map<String, Value> =
        serde_json::from_str(record.json()).expect("stored record JSON is always an object");
    let mut reduced: Map<String, Value> = attrs.into_iter().filter(|(k, _)| keep(k)).collect();
    if record.kind == ModelKind::Role {
        reduced.insert("name".into(), Value::String(format!("Role_{}", record.id)));
    }
    Value::Object(reduced).to_string()
}

#[cfg(test)]
mod tests;
