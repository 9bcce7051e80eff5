//! [`WriteSet`]: the changes of one write, gathered by the state and applied by the store as
//! one atomic unit, in the order they were added.
//!
//! Link rows are edits to their blocks: [`WriteSet::resolve`] reads each changed block once,
//! applies its edits in order and writes it back whole.

use std::collections::BTreeMap;

use crate::catalog::NewName;
use crate::model::{ApiToken, LinkRow, Millis};
use crate::records::Record;

use super::keys::{
    block_key, block_of, decode_block, encode_block, password_key, record_key, touch_key, KeyOp,
    LINK_OBJECT, LINK_TYPE, META_INITIALIZED, META_LINK_COUNT, META_NEXT_LINK_ID, META_SEQUENCES,
    TOKEN,
};
use super::StoreError;

/// One change to the link rows, applied to its block in the order it was added.
#[derive(Debug, Clone)]
pub(super) enum LinkEdit {
    Put(LinkRow),
    Delete(u64),
}

impl LinkEdit {
    fn block(&self) -> u64 {
        match self {
            LinkEdit::Put(row) => block_of(row.id),
            LinkEdit::Delete(id) => block_of(*id),
        }
    }

    /// Applies the edit to a block's rows, kept by id.
    fn apply_to(&self, rows: &mut Vec<LinkRow>) {
        match self {
            LinkEdit::Put(row) => match rows.binary_search_by_key(&row.id, |r| r.id) {
                Ok(at) => rows[at] = *row,
                Err(at) => rows.insert(at, *row),
            },
            LinkEdit::Delete(id) => rows.retain(|r| r.id != *id),
        }
    }
}

/// A set of writes applied atomically by the store, in the order they were added.
#[derive(Debug, Default)]
pub struct WriteSet {
    ops: Vec<KeyOp>,
    link_edits: Vec<LinkEdit>,
}

impl WriteSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty() && self.link_edits.is_empty()
    }

    /// The number of operations, a link row counting as one.
    pub(super) fn len(&self) -> usize {
        self.ops.len() + self.link_edits.len()
    }

    fn insert(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        self.ops
            .push((key.as_ref().to_vec(), Some(value.as_ref().to_vec())));
    }

    fn remove(&mut self, key: impl AsRef<[u8]>) {
        self.ops.push((key.as_ref().to_vec(), None));
    }

    /// The writes as key operations, in order: a changed link block is read from `db`
    /// (`None`: every block starts empty) and written back whole.
    pub(super) fn resolve(self, db: Option<&sled::Db>) -> Result<Vec<KeyOp>, StoreError> {
        let mut ops = self.ops;
        let mut blocks: BTreeMap<u64, Vec<LinkEdit>> = BTreeMap::new();
        for edit in self.link_edits {
            blocks.entry(edit.block()).or_default().push(edit);
        }
        for (block, edits) in blocks {
            let key = block_key(block);
            let mut rows = match db.map(|db| db.get(key)).transpose()?.flatten() {
                Some(bytes) => decode_block(&key, &bytes)?,
                None => Vec::new(),
            };
            for edit in &edits {
                edit.apply_to(&mut rows);
            }
            if rows.is_empty() {
                ops.push((key.to_vec(), None));
            } else {
                ops.push((key.to_vec(), Some(encode_block(&rows))));
            }
        }
        Ok(ops)
    }

    /// Writes a record's public JSON (which supersedes an earlier touch).
    pub fn put_record(&mut self, record: &Record) {
        let key = record_key(record.kind, record.id);
        self.remove(touch_key(&key));
        self.insert(key, record.json().as_bytes());
    }

    /// Deletes record `kind`/`id` (and a touch of it).
    pub fn delete_record(&mut self, kind: crate::model::ModelKind, id: i64) {
        let key = record_key(kind, id);
        self.remove(touch_key(&key));
        self.remove(key);
    }

    /// Writes that `record` was touched at `at` (`updated_at`), and nothing else of it.
    pub fn put_touch(&mut self, record: &Record, at: Millis) {
        let key = record_key(record.kind, record.id);
        self.insert(touch_key(&key), at.0.to_be_bytes());
    }

    /// Writes or deletes a user's password.
    pub fn put_password(&mut self, user_id: i64, password: Option<&str>) {
        let key = password_key(user_id);
        match password {
            Some(p) => self.insert(key, p.as_bytes()),
            None => self.remove(key),
        }
    }

    /// Writes a link row.
    pub fn put_link(&mut self, row: &LinkRow) {
        self.link_edits.push(LinkEdit::Put(*row));
    }

    /// Deletes a link row.
    pub fn delete_link(&mut self, id: u64) {
        self.link_edits.push(LinkEdit::Delete(id));
    }

    /// Writes a newly created link type or object name.
    pub fn put_name(&mut self, name: &NewName) {
        let (prefix, id, text) = match name {
            NewName::Type(id, text) => (LINK_TYPE, id.0, text),
            NewName::Object(id, text) => (LINK_OBJECT, id.0, text),
        };
        let mut key = vec![prefix];
        key.extend_from_slice(&id.to_be_bytes());
        self.insert(key, text.as_bytes());
    }

    /// Writes an API token.
    pub fn put_token(&mut self, token: &ApiToken) {
        let mut key = vec![TOKEN];
        key.extend_from_slice(token.token.as_bytes());
        let value = serde_json::to_vec(token).expect("a token always serialises");
        self.insert(key, value);
    }

    /// Records how many links the database holds after this write; start-up checks it.
    pub fn put_link_count(&mut self, count: usize) {
        self.insert(META_LINK_COUNT, (count as u64).to_be_bytes());
    }

    /// Records the values of the record sequences (see `state`'s sequences), in order.
    pub fn put_sequences(&mut self, values: &[u64]) {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_be_bytes()).collect();
        self.insert(META_SEQUENCES, bytes);
    }

    /// Writes a record that never existed before: as [`WriteSet::put_record`], without
    /// removing a touch no such record can have.
    pub fn put_new_record(&mut self, record: &Record) {
        self.insert(record_key(record.kind, record.id), record.json().as_bytes());
    }

    /// Records the next link id to hand out.
    pub fn put_next_link_id(&mut self, next: u64) {
        self.insert(META_NEXT_LINK_ID, next.to_be_bytes());
    }

    /// Marks the database as holding its fixtures.
    pub(super) fn mark_initialized(&mut self) {
        self.insert(META_INITIALIZED, [1u8]);
    }
}

#[cfg(test)]
mod tests {
    use super::super::keys::tests::row;
    use super::*;

    #[test]
    fn edits_to_one_block_are_applied_in_order_and_an_emptied_block_is_removed() {
        let mut writes = WriteSet::new();
        writes.put_link(&row(3));
        writes.put_link(&row(1));
        writes.delete_link(3);
        writes.put_link(&row(70));
        writes.delete_link(70);
        let ops = writes.resolve(None).unwrap();
        assert_eq!(
            ops,
            vec![
                (block_key(0).to_vec(), Some(encode_block(&[row(1)]))),
                (block_key(1).to_vec(), None),
            ]
        );
    }
}
