//! The look-ups that do not go through an index of their own: the lowest record of a kind
//! that a predicate accepts (a name among groups, organizations, states; a new record's
//! sample), over the ids kept per kind for the kinds a data set has few of, and the ids a
//! record's text lists under a key, read without parsing the rest.

use std::sync::Arc;

use serde_json::Value;

use super::{Record, RecordStore, Stored};
use crate::model::ModelKind;

impl RecordStore {
    /// The record of `kind` with the lowest id among those `matches` accepts (a scan: for
    /// the few lookups by name, and for the sample a new record's shape is taken from).
    ///
    /// Locking: shard read locks, one at a time.
    pub fn lowest_where(
        &self,
        kind: ModelKind,
        mut matches: impl FnMut(&Record) -> bool,
    ) -> Option<Arc<Stored>> {
        if is_few(kind) {
            let ids: Vec<i64> = self
                .few
                .get(&kind)
                .map(|ids| ids.iter().copied().collect())
                .unwrap_or_default();
            return ids
                .into_iter()
                .filter_map(|id| self.get(kind, id))
                .find(|record| matches(record));
        }
        let mut found: Option<Arc<Stored>> = None;
        for entry in self.records.iter() {
            let record = entry.value();
            if entry.key().0 == kind
                && found.as_ref().is_none_or(|f| record.id < f.id)
                && matches(record)
            {
                found = Some(Arc::clone(record));
            }
        }
        found
    }

    /// Every record of `kind`, in no particular order: one pass over the records that does
    /// not sort them (the ticket search orders only what it keeps). The records are
    /// collected before anything looks at them, so no shard lock is held while the caller
    /// reads the store again.
    ///
    /// Locking: shard read locks, one at a time.
    pub fn unordered_of(&self, kind: ModelKind) -> Vec<Arc<Stored>> {
        self.records
            .iter()
            .filter(|entry| entry.key().0 == kind)
            .map(|entry| Arc::clone(entry.value()))
            .collect()
    }
}

/// Whether a data set has few records of `kind` (everything but tickets, users and
/// articles): those are indexed by kind.
pub(super) fn is_few(kind: ModelKind) -> bool {
    !matches!(
        kind,
        ModelKind::Ticket | ModelKind::User | ModelKind::TicketArticle
    )
}

/// The integers listed under the top-level key `key` of a record's JSON text (`article_ids`),
/// read without parsing the rest; empty when the key is absent or holds no list.
pub fn listed_ids(json: &str, key: &str) -> Vec<i64> {
    match super::top_level_value(json, key) {
        Some(Some(range)) => serde_json::from_str::<Vec<Value>>(&json[range])
            .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}
