//! The `assets` sideload: every record a response refers to, pulled in the way Zammad's
//! `assets` methods walk them, each record once, model keys and ids in first-insertion order.
//! Which records a record pulls in is the profile's (`Profile::relations`).
//!
//! A record is put in place before its relations are walked, so cycles end there. Records are
//! appended as their stored JSON text; only a customer's view is reduced
//! (`lib/user_info/assets.rb`). Deciding which linked objects go in is left to `state`.

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::Arc;

use rustc_hash::FxBuildHasher;
use serde_json::{Map, Value};

use crate::auth::AssetLevel;
use crate::model::ModelKind;
use crate::profile::Relations;
use crate::records::{Record, RecordStore};

/// Collects assets for one response.
#[derive(Debug)]
pub struct AssetsBuilder<'a> {
    records: &'a RecordStore,
    relations: Relations,
    scratch: Scratch,
}

/// A builder's buffers. A worker thread keeps the last one and the next builder on that
/// thread takes it over: allocating them afresh for every response showed up in profiles of
/// the seed's GET (a dozen allocations out of its thirty).
#[derive(Debug, Default)]
struct Scratch {
    seen: HashSet<(ModelKind, i64), FxBuildHasher>,
    /// Every record placed, in placing order.
    placed: Vec<Arc<Record>>,
    /// The model keys in the order their first record was placed.
    kinds: Vec<ModelKind>,
    stack: Vec<Arc<Record>>,
    /// The relations of the record being placed.
    children: Vec<(ModelKind, i64)>,
}

thread_local! {
    /// The buffers the last builder on this thread left behind.
    static SPARE: Cell<Option<Scratch>> = const { Cell::new(None) };
}

impl Scratch {
    /// Beyond this many records a builder's buffers are freed rather than kept, so that one
    /// object with thousands of links does not pin its buffers to a worker for good.
    const KEEP_UP_TO: usize = 4096;

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
        SPARE.with(|spare| spare.set(Some(self)));
    }
}

impl Drop for AssetsBuilder<'_> {
    fn drop(&mut self) {
        std::mem::take(&mut self.scratch).give_back();
    }
}

impl<'a> AssetsBuilder<'a> {
    /// An empty sideload over `records`, walked by `relations`.
    pub fn new(records: &'a RecordStore, relations: Relations) -> Self {
        Self {
            records,
            relations,
            scratch: Scratch::take(),
        }
    }

    /// Adds `record` and everything it pulls in.
    pub fn add(&mut self, record: Arc<Record>) {
        // An explicit stack instead of recursion, so a long chain of `created_by` users
        // cannot exhaust a worker's stack. Children are pushed in reverse so that they are
        // visited in Zammad's order; checking `seen` when popping keeps the order of a
        // recursive walk.
        let s = &mut self.scratch;
        s.stack.push(record);
        while let Some(record) = s.stack.pop() {
            if !s.seen.insert((record.kind, record.id)) {
                continue;
            }
            s.children.clear();
            self.relations.of(&record, &mut s.children);
            if !s.kinds.contains(&record.kind) {
                s.kinds.push(record.kind);
            }
            s.placed.push(record);
            for &(kind, id) in s.children.iter().rev() {
                if s.seen.contains(&(kind, id)) {
                    continue;
                }
                if let Some(child) = self.records.get(kind, id) {
                    s.stack.push(child);
                }
            }
        }
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
        // `{}`; `"<key>":{` … `},` per model; `"<id>":<json>,` per record (≤ 20 digits).
        let s = &self.scratch;
        let models: usize = s.kinds.iter().map(|kind| kind.assets_key().len() + 6).sum();
        2 + models + s.placed.iter().map(|r| r.json.len() + 24).sum::<usize>()
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
                out.push('"');
                out.push_str(itoa::Buffer::new().format(record.id));
                out.push_str("\":");
                match level {
                    AssetLevel::Agent | AssetLevel::Admin => out.push_str(&record.json),
                    AssetLevel::Customer => out.push_str(&reduce_for_customer(record, viewer)),
                }
            }
            out.push('}');
        }
        out.push('}');
    }
}

/// What a customer sees of a record (`User#filter_attributes` and friends in Zammad 5.0).
fn reduce_for_customer(record: &Record, viewer: i64) -> String {
    const OTHER_USER: &[&str] = &[
        "id",
        "firstname",
        "lastname",
        "image",
        "image_source",
        "active",
    ];
    const OWN_USER_HIDDEN: &[&str] = &[
        "web",
        "phone",
        "mobile",
        "fax",
        "department",
        "street",
        "zip",
        "city",
        "country",
        "address",
        "note",
    ];
    const ORGANIZATION: &[&str] = &["id", "name", "active"];
    const GROUP: &[&str] = &["id", "name", "active"];
    const ROLE: &[&str] = &["id", "name", "group_ids", "permission_ids", "active"];
    let (keys, listed_are_kept): (&[&str], bool) = match record.kind {
        ModelKind::User if record.id == viewer => (OWN_USER_HIDDEN, false),
        ModelKind::User => (OTHER_USER, true),
        ModelKind::Organization => (ORGANIZATION, true),
        ModelKind::Group => (GROUP, true),
        ModelKind::Role => (ROLE, true),
        ModelKind::Ticket
        | ModelKind::Permission
        | ModelKind::KbAnswerTranslation
        | ModelKind::TicketState
        | ModelKind::TicketPriority => return record.json.to_string(),
    };
    let keep = |key: &str| keys.contains(&key) == listed_are_kept;
    let attrs: Map<String, Value> =
        serde_json::from_str(&record.json).expect("stored record JSON is always an object");
    let mut reduced: Map<String, Value> = attrs.into_iter().filter(|(k, _)| keep(k)).collect();
    if record.kind == ModelKind::Role {
        reduced.insert("name".into(), Value::String(format!("Role_{}", record.id)));
    }
    Value::Object(reduced).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ZAMMAD_5_0;
    use serde_json::json;

    fn store(records: Vec<(ModelKind, Value)>) -> RecordStore {
        let store = RecordStore::default();
        for (kind, value) in records {
            let Value::Object(attrs) = value else {
                unreachable!()
            };
            let id = attrs["id"].as_i64().unwrap();
            store.upsert(Record::from_attributes(kind, id, attrs).unwrap().0);
        }
        store
    }

    fn render(builder: &AssetsBuilder<'_>) -> String {
        let mut out = String::new();
        builder.write_json(&mut out, AssetLevel::Agent, 0);
        out
    }

    #[test]
    fn a_ticket_pulls_in_its_users_then_their_roles_and_groups_once_each() {
        let records = store(vec![
            (
                ModelKind::Ticket,
                json!({"id": 10, "created_by_id": 3, "updated_by_id": 3, "owner_id": 1, "customer_id": 3}),
            ),
            (
                ModelKind::Ticket,
                json!({"id": 11, "created_by_id": 3, "owner_id": 1}),
            ),
            (
                ModelKind::User,
                json!({"id": 3, "role_ids": [1], "group_ids": {"1": ["full"]}, "created_by_id": 1}),
            ),
            (ModelKind::User, json!({"id": 1, "created_by_id": 1})),
            (ModelKind::Role, json!({"id": 1, "created_by_id": 1})),
            (ModelKind::Group, json!({"id": 1, "created_by_id": 1})),
        ]);
        let mut builder = AssetsBuilder::new(&records, ZAMMAD_5_0.relations);
        builder.add(records.get(ModelKind::Ticket, 10).unwrap());
        builder.add(records.get(ModelKind::Ticket, 11).unwrap());
        let rendered = render(&builder);
        let keys: Vec<String> = serde_json::from_str::<Map<String, Value>>(&rendered)
            .unwrap()
            .iter()
            .map(|(model, ids)| {
                let ids: Vec<&String> = ids.as_object().unwrap().keys().collect();
                format!("{model}{ids:?}")
            })
            .collect();
        assert_eq!(
            keys,
            vec![
                "Ticket[\"10\", \"11\"]",
                "User[\"3\", \"1\"]",
                "Role[\"1\"]",
                "Group[\"1\"]"
            ]
        );
    }

    #[test]
    fn a_builder_on_a_thread_that_built_one_before_starts_empty() {
        let records = store(vec![
            (ModelKind::Ticket, json!({"id": 10, "owner_id": 1})),
            (ModelKind::User, json!({"id": 1})),
            (ModelKind::Ticket, json!({"id": 11})),
        ]);
        let mut first = AssetsBuilder::new(&records, ZAMMAD_5_0.relations);
        first.add(records.get(ModelKind::Ticket, 10).unwrap());
        assert_eq!(first.len(), 2);
        drop(first);
        // Act: the second builder takes over the first one's buffers.
        let mut second = AssetsBuilder::new(&records, ZAMMAD_5_0.relations);
        second.add(records.get(ModelKind::Ticket, 11).unwrap());
        // Assert
        assert_eq!(second.len(), 1);
        assert_eq!(render(&second), r#"{"Ticket":{"11":{"id":11}}}"#);
    }

    #[test]
    fn the_length_bound_covers_what_is_written() {
        let records = store(vec![
            (
                ModelKind::Ticket,
                json!({"id": 10, "owner_id": 1, "customer_id": 2}),
            ),
            (ModelKind::User, json!({"id": 1, "organization_id": 9})),
            (ModelKind::User, json!({"id": 2})),
            (ModelKind::Organization, json!({"id": 9, "member_ids": [2]})),
        ]);
        let mut builder = AssetsBuilder::new(&records, ZAMMAD_5_0.relations);
        builder.add(records.get(ModelKind::Ticket, 10).unwrap());
        assert!(render(&builder).len() <= builder.json_len_bound());
    }

    #[test]
    fn missing_related_records_are_skipped() {
        let records = store(vec![(ModelKind::Ticket, json!({"id": 10, "owner_id": 99}))]);
        let mut builder = AssetsBuilder::new(&records, ZAMMAD_5_0.relations);
        builder.add(records.get(ModelKind::Ticket, 10).unwrap());
        assert_eq!(
            render(&builder),
            r#"{"Ticket":{"10":{"id":10,"owner_id":99}}}"#
        );
    }

    #[test]
    fn a_customer_sees_other_users_and_roles_reduced() {
        let records = store(vec![
            (
                ModelKind::User,
                json!({"id": 2, "firstname": "N", "phone": "1", "role_ids": [3]}),
            ),
            (
                ModelKind::User,
                json!({"id": 5, "login": "x", "firstname": "A", "lastname": "B", "active": true}),
            ),
            (
                ModelKind::Role,
                json!({"id": 3, "name": "Customer", "note": "n", "permission_ids": [54]}),
            ),
        ]);
        let mut builder = AssetsBuilder::new(&records, ZAMMAD_5_0.relations);
        builder.add(records.get(ModelKind::User, 2).unwrap());
        builder.add(records.get(ModelKind::User, 5).unwrap());
        let mut out = String::new();
        builder.write_json(&mut out, AssetLevel::Customer, 2);
        assert_eq!(
            out,
            r#"{"User":{"2":{"id":2,"firstname":"N","role_ids":[3]},"5":{"id":5,"firstname":"A","lastname":"B","active":true}},"Role":{"3":{"id":3,"name":"Role_3","permission_ids":[54]}}}"#
        );
    }
}
