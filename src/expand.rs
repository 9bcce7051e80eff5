//! The bodies of `expand=true`: a record's attributes with the names of its associations
//! next to their ids, as Zammad's `attributes_with_association_names`
//! (`app/models/application_model/can_associations.rb`) builds them, for tickets
//! (`GET /api/v1/tickets/:id`) and users (`GET /api/v1/users/me`).
//!
//! Zammad walks `reflect_on_all_associations`, the model's associations in declaration
//! order; the mock has no reflection, so each release writes that order out as a list of
//! [`Association`]s (`release`), and this module names them. Names of states, priorities,
//! article types and senders come from `seeds`.

use serde_json::{Map, Value};

use crate::model::ModelKind;
use crate::records::{Record, RecordStore};
use crate::release::ZammadVersion;
use crate::seeds::Lookup;

/// One association of a model, as `attributes_with_association_names` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Association {
    /// A `belongs_to`: `key` gets the name of the row whose id is in `id_key`, when the row
    /// exists and has one; otherwise the key is left as it is (`next if !ref`).
    BelongsTo {
        /// The key written.
        key: &'static str,
        /// The attribute holding the row's id.
        id_key: &'static str,
        /// Where the row's name comes from.
        names: NameSource,
    },
    /// A `has_many` whose rows have neither `login` nor `name` (articles, time accountings,
    /// authorizations, karma): Zammad sets `[]`, then deletes the key again when there were
    /// rows (`ref.count.positive? && attributes[…].blank?`), so only a record without rows
    /// keeps it.
    Unnamed {
        /// The key written.
        key: &'static str,
        /// The attribute listing the rows' ids.
        ids_key: &'static str,
    },
    /// A `has_many` / habtm of named rows (roles, organizations): the names of the rows
    /// that exist, in id-list order; dropped like [`Association::Unnamed`] when rows exist
    /// but none is named.
    Named {
        /// The key written.
        key: &'static str,
        /// The attribute listing the rows' ids.
        ids_key: &'static str,
        /// The rows' model.
        kind: ModelKind,
    },
    /// `HasGroups#group_names_access_map`: the `group_ids` map keyed by group name.
    GroupNames {
        /// The key written.
        key: &'static str,
    },
}

/// Where a `belongs_to` row's name comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameSource {
    /// A model the mock keeps no records of (a checklist): never a name.
    Missing,
    /// The record's `name`.
    Record(ModelKind),
    /// A user's `login`.
    User,
    /// A seeded lookup table, which a fixture may override id by id.
    Seeded(Lookup),
}

/// The body of `GET /api/v1/tickets/:id?expand=true` (`TicketsController#show`).
pub fn ticket(record: &Record, records: &RecordStore, release: ZammadVersion) -> String {
    expand(record, records, release, release.room().expand.ticket)
}

/// The body of `GET /api/v1/users/me?expand=true` (`UsersController#me`).
pub fn user(record: &Record, records: &RecordStore, release: ZammadVersion) -> String {
    expand(record, records, release, release.room().expand.user)
}

/// The body of an article in `GET /api/v1/ticket_articles/by_ticket/:id`
/// (`Ticket::Article#attributes_with_association_names`): its columns with the release's
/// association names, then its `attachments`, then (where the release has it) `time_unit`,
/// which is null without time accounting.
pub fn article(record: &Record, records: &RecordStore, release: ZammadVersion) -> String {
    let rules = &release.room().ticket_calls;
    let mut attrs = named(record, records, release, &[rules.article_associations]);
    let attachments = attrs
        .shift_remove("attachments")
        .unwrap_or(Value::Array(Vec::new()));
    attrs.insert("attachments".into(), attachments);
    if rules.article_time_unit {
        attrs.insert("time_unit".into(), Value::Null);
    }
    Value::Object(attrs).to_string()
}

/// `record`'s attributes with `associations` named, then the last steps every model takes.
fn expand(
    record: &Record,
    records: &RecordStore,
    release: ZammadVersion,
    associations: &[&[Association]],
) -> String {
    Value::Object(named(record, records, release, associations)).to_string()
}

/// [`expand`]'s attributes, before they are written.
fn named(
    record: &Record,
    records: &RecordStore,
    release: ZammadVersion,
    associations: &[&[Association]],
) -> Map<String, Value> {
    let mut attrs = attributes(record);
    for association in associations.iter().copied().flatten() {
        match *association {
            Association::BelongsTo { key, id_key, names } => {
                let name = id_of(&attrs, id_key).and_then(|id| match names {
                    NameSource::Missing => None,
                    NameSource::Record(kind) => name(records, kind, id),
                    NameSource::User => login(records, id).flatten(),
                    NameSource::Seeded(lookup) => lookup.name(records, release.room().seeds, id),
                });
                belongs_to(&mut attrs, key, name);
            }
            Association::Unnamed { key, ids_key } => unnamed_collection(&mut attrs, key, ids_key),
            Association::Named { key, ids_key, kind } => {
                let ids = ids_of(&attrs, ids_key);
                named_collection(&mut attrs, key, records, kind, &ids);
            }
            Association::GroupNames { key } => {
                // The keys of the `group_ids` map, by group name.
                let groups: Map<String, Value> = record
                    .fields
                    .group_ids
                    .iter()
                    .filter_map(|(id, access)| {
                        let name = name(records, ModelKind::Group, *id)?;
                        Some((name, Value::from(access.clone())))
                    })
                    .collect();
                attrs.insert(key.into(), Value::Object(groups));
            }
        }
    }
    let f = &record.fields;
    finish(attrs, records, f.created_by_id, f.updated_by_id)
}

fn attributes(record: &Record) -> Map<String, Value> {
    serde_json::from_str(record.json()).expect("stored record JSON is always an object")
}

fn id_of(attrs: &Map<String, Value>, key: &str) -> Option<i64> {
    attrs.get(key).and_then(Value::as_i64)
}

/// The integer ids listed under `key` (records are checked at load: they are integers).
fn ids_of(attrs: &Map<String, Value>, key: &str) -> Vec<i64> {
    attrs
        .get(key)
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default()
}

/// The `name` of record `id` of `kind`, when the record exists and has one.
fn name(records: &RecordStore, kind: ModelKind, id: i64) -> Option<String> {
    records.get(kind, id)?.fields.name.clone()
}

/// `Some(login)` of user `id` when the user exists (the login itself may be null).
fn login(records: &RecordStore, id: i64) -> Option<Option<String>> {
    records
        .get(ModelKind::User, id)
        .map(|user| user.fields.login.clone())
}

/// A `belongs_to`: its name (`login` first, then `name`) when the row exists and has one;
/// otherwise the key is left as it is (`next if !ref`). An existing key keeps its place, as
/// a Ruby hash does on assignment.
fn belongs_to(attrs: &mut Map<String, Value>, key: &str, name: Option<String>) {
    if let Some(name) = name {
        attrs.insert(key.into(), Value::String(name));
    }
}

/// A `has_many` whose rows have neither `login` nor `name` (articles, time accountings,
/// authorizations, karma): Zammad sets `[]`, then deletes the key again when there were rows
/// (`ref.count.positive? && attributes[…].blank?`), so only a record without rows keeps it.
fn unnamed_collection(attrs: &mut Map<String, Value>, key: &str, ids_key: &str) {
    let has_rows = attrs
        .get(ids_key)
        .and_then(Value::as_array)
        .is_some_and(|ids| !ids.is_empty());
    if has_rows {
        attrs.shift_remove(key);
    } else {
        attrs.insert(key.into(), Value::Array(Vec::new()));
    }
}

/// A `has_many` / habtm of named rows (roles, organizations): the names of the rows that
/// exist, in id-list order; dropped like [`unnamed_collection`] when rows exist but none is
/// named.
fn named_collection(
    attrs: &mut Map<String, Value>,
    key: &str,
    records: &RecordStore,
    kind: ModelKind,
    ids: &[i64],
) {
    let rows: Vec<_> = ids.iter().filter_map(|id| records.get(kind, *id)).collect();
    let names: Vec<Value> = rows
        .iter()
        .filter_map(|row| row.fields.name.clone().map(Value::String))
        .collect();
    if !rows.is_empty() && names.is_empty() {
        attrs.shift_remove(key);
    } else {
        attrs.insert(key.into(), Value::Array(names));
    }
}

/// The last steps of `attributes_with_association_names`: `created_by` / `updated_by` as the
/// user's login (set even when that login is null), then `filter_attributes`.
fn finish(
    mut attrs: Map<String, Value>,
    records: &RecordStore,
    created_by: Option<i64>,
    updated_by: Option<i64>,
) -> Map<String, Value> {
    for (key, id) in [("created_by", created_by), ("updated_by", updated_by)] {
        if let Some(login) = id.and_then(|id| login(records, id)) {
            attrs.insert(key.into(), login.map_or(Value::Null, Value::String));
        }
    }
    for forbidden in ["password", "token", "tokens", "token_ids"] {
        attrs.shift_remove(forbidden);
    }
    attrs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn store(records: Vec<(ModelKind, Value)>) -> RecordStore {
        let store = RecordStore::default();
        for (kind, attrs) in records {
            let Value::Object(attrs) = attrs else {
                panic!("a test record is an object")
            };
            let id = attrs["id"].as_i64().expect("a test record has an id");
            store.upsert(Record::from_attributes(kind, id, attrs).unwrap().0);
        }
        store
    }

    fn keys(body: &str) -> Vec<String> {
        let attrs: Map<String, Value> = serde_json::from_str(body).unwrap();
        attrs.keys().cloned().collect()
    }

    #[test]
    fn ticket_names_follow_the_ids_in_zammads_association_order() {
        let records = store(vec![
            (
                ModelKind::Ticket,
                json!({"id": 1, "group_id": 1, "priority_id": 3, "state_id": 4,
                       "organization_id": 9, "owner_id": 2, "customer_id": 2,
                       "create_article_type_id": 1, "create_article_sender_id": 2,
                       "updated_by_id": 2, "created_by_id": 2,
                       "article_ids": [5, 6], "ticket_time_accounting_ids": []}),
            ),
            (
                ModelKind::User,
                json!({"id": 2, "login": "chris@example.com"}),
            ),
            (ModelKind::Group, json!({"id": 1, "name": "Sales"})),
            (
                ModelKind::Organization,
                json!({"id": 9, "name": "Awesome Inc."}),
            ),
        ]);
        let ticket = records.get(ModelKind::Ticket, 1).unwrap();
        let body = super::ticket(&ticket, &records, ZammadVersion::V5_0);
        assert_eq!(
            keys(&body)[13..],
            [
                "group",
                "organization",
                "ticket_time_accounting",
                "state",
                "priority",
                "owner",
                "customer",
                "created_by",
                "updated_by",
                "create_article_type",
                "create_article_sender"
            ]
        );
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["state"], "closed");
        assert_eq!(body["priority"], "3 high");
        assert_eq!(body["owner"], "chris@example.com");
        assert_eq!(body["create_article_type"], "email");
        assert_eq!(body["ticket_time_accounting"], json!([]));
        assert!(body.get("articles").is_none());
    }

    #[test]
    fn missing_associated_rows_leave_no_key() {
        let records = store(vec![(
            ModelKind::Ticket,
            json!({"id": 1, "group_id": 7, "state_id": 99, "owner_id": 5}),
        )]);
        let ticket = records.get(ModelKind::Ticket, 1).unwrap();
        let body: Value =
            serde_json::from_str(&super::ticket(&ticket, &records, ZammadVersion::V5_0)).unwrap();
        for key in ["group", "state", "owner", "created_by"] {
            assert!(body.get(key).is_none(), "{key}");
        }
        assert_eq!(body["articles"], json!([]));
    }

    #[test]
    fn user_names_follow_zammads_order_with_groups_and_creators_last() {
        let records = store(vec![
            (
                ModelKind::User,
                json!({"id": 3, "login": "agent", "organization_id": 9, "created_by_id": 1,
                       "updated_by_id": 1, "role_ids": [1, 2], "organization_ids": [],
                       "authorization_ids": [], "karma_user_ids": [4],
                       "group_ids": {"1": ["full"]}, "tokens": ["x"]}),
            ),
            (ModelKind::User, json!({"id": 1, "login": "-"})),
            (ModelKind::Role, json!({"id": 1, "name": "Admin"})),
            (ModelKind::Role, json!({"id": 2, "name": "Agent"})),
            (ModelKind::Group, json!({"id": 1, "name": "Users"})),
            (ModelKind::Organization, json!({"id": 9, "name": "Org"})),
        ]);
        let user = records.get(ModelKind::User, 3).unwrap();
        let body = super::user(&user, &records, ZammadVersion::V5_0);
        let keys = keys(&body);
        assert_eq!(
            keys[keys.len() - 7..],
            [
                "roles",
                "organizations",
                "authorizations",
                "organization",
                "groups",
                "created_by",
                "updated_by"
            ]
        );
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["roles"], json!(["Admin", "Agent"]));
        assert_eq!(body["groups"], json!({"Users": ["full"]}));
        assert_eq!(body["created_by"], "-");
        assert!(body.get("tokens").is_none() && body.get("karma_user").is_none());
    }
}
