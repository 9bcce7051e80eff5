//! Tickets, users, roles, groups, organizations, permissions, knowledge-base answer
//! translations, ticket states and priorities, kept in memory exactly as their fixture gave
//! them.
//!
//! A [`Record`] holds the attributes as compact JSON text in the fixture's key order (minus a
//! user's `password`), so a response is assembled from stored text rather than re-encoded,
//! plus the few fields the service's logic needs, parsed once. The store holds each version
//! of a record as a [`Stored`], beside a slot the assets room keeps its derivations in, and
//! tells that slot when a newer version replaces it. The indexes a lookup needs (ticket
//! number, user login and email) live beside the records. Persisting is left to `store`;
//! deciding who may see what is left to the releases' policies.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dashmap::DashMap;
use rustc_hash::FxBuildHasher;
use serde_json::{Map, Value};

use crate::assets::Kept;
pub use crate::attributes::FieldError;
use crate::attributes::{
    integer_list, optional_bool, optional_integer, optional_string, required_string,
};
use crate::model::{Millis, ModelKind};

/// The fields of a record that the service's logic reads. Every other attribute is opaque.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Fields {
    /// `Ticket.number`.
    pub number: Option<String>,
    /// `Ticket.group_id`.
    pub group_id: Option<i64>,
    /// `organization_id` of a ticket or user.
    pub organization_id: Option<i64>,
    /// `Ticket.owner_id`.
    pub owner_id: Option<i64>,
    /// `Ticket.customer_id`.
    pub customer_id: Option<i64>,
    /// `created_by_id`.
    pub created_by_id: Option<i64>,
    /// `updated_by_id`.
    pub updated_by_id: Option<i64>,
    /// `User.role_ids`.
    pub role_ids: Vec<i64>,
    /// `group_ids` of a user or role: group id → access names (`full`, `read`, …).
    pub group_ids: Vec<(i64, Vec<String>)>,
    /// `User.organization_ids` (secondary organizations).
    pub organization_ids: Vec<i64>,
    /// `Role.permission_ids`.
    pub permission_ids: Vec<i64>,
    /// `Organization.member_ids`.
    pub member_ids: Vec<i64>,
    /// `User.login`.
    pub login: Option<String>,
    /// `User.email`.
    pub email: Option<String>,
    /// `Permission.name`.
    pub name: Option<String>,
    /// `active` (users, roles, groups); absent means active.
    pub active: Option<bool>,
    /// `Organization.shared`: customers of a shared organization see each other's tickets.
    pub shared: Option<bool>,
}

/// One record: what it is, its id, its public JSON and its parsed fields. Plain data: what
/// responses derive from a record is kept beside it by the store ([`Stored`]), not in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The model.
    pub kind: ModelKind,
    /// The record id.
    pub id: i64,
    /// The attributes as compact JSON, fixture order, never a password.
    json: Box<str>,
    /// The fields the service reads.
    pub fields: Fields,
}

/// A record as the store holds it: one version of it, with what the assets room keeps for
/// that version (`assets::Kept`: whether a newer version replaced it, its memoised assets
/// closure). A new version (a touch, an edit) is a new `Stored` with nothing kept.
#[derive(Debug)]
pub struct Stored {
    record: Record,
    pub(crate) assets: Kept,
}

impl Stored {
    /// `record` as a new version, nothing kept for it yet.
    pub(crate) fn new(record: Record) -> Self {
        Self {
            assets: Kept::new(record.id),
            record,
        }
    }

    /// The record.
    #[inline]
    pub fn record(&self) -> &Record {
        &self.record
    }
}

impl std::ops::Deref for Stored {
    type Target = Record;

    #[inline]
    fn deref(&self) -> &Record {
        &self.record
    }
}

fn group_access(attrs: &Map<String, Value>) -> Result<Vec<(i64, Vec<String>)>, FieldError> {
    let map = match attrs.get("group_ids") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(FieldError::new(
                "group_ids",
                "expected an object of group id to access names, like {\"1\": [\"full\"]}",
            ))
        }
    };
    map.iter()
        .map(|(key, access)| {
            let field = || format!("group_ids[\"{key}\"]");
            let id = key
                .parse::<i64>()
                .map_err(|_| FieldError::new(field(), "expected a group id as key"))?;
            let names = match access {
                Value::String(one) => vec![one.clone()],
                Value::Array(items) => items
                    .iter()
                    .map(|item| {
                        item.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| FieldError::new(field(), "expected access names"))
                    })
                    .collect::<Result<_, _>>()?,
                _ => {
                    return Err(FieldError::new(
                        field(),
                        "expected an array of access names",
                    ))
                }
            };
            Ok((id, names))
        })
        .collect()
}

impl Record {
    /// Builds a record from fixture attributes, returning it with the user's password (which
    /// is taken out of the public JSON). Checks the types of the fields the service reads.
    pub fn from_attributes(
        kind: ModelKind,
        id: i64,
        mut attrs: Map<String, Value>,
    ) -> Result<(Self, Option<String>), FieldError> {
        let password = match attrs.shift_remove("password") {
            None | Some(Value::Null) => None,
            Some(Value::String(p)) => Some(p),
            Some(_) => return Err(FieldError::new("password", "expected a string")),
        };
        let fields = Fields {
            number: match kind {
                ModelKind::Ticket => match attrs.get("number") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(_) => {
                        return Err(FieldError::new(
                            "number",
                            "expected a string (Zammad's ticket numbers are strings)",
                        ))
                    }
                },
                _ => None,
            },
            group_id: optional_integer(&attrs, "group_id")?,
            organization_id: optional_integer(&attrs, "organization_id")?,
            owner_id: optional_integer(&attrs, "owner_id")?,
            customer_id: optional_integer(&attrs, "customer_id")?,
            created_by_id: optional_integer(&attrs, "created_by_id")?,
            updated_by_id: optional_integer(&attrs, "updated_by_id")?,
            role_ids: integer_list(&attrs, "role_ids")?,
            group_ids: group_access(&attrs)?,
            organization_ids: integer_list(&attrs, "organization_ids")?,
            permission_ids: integer_list(&attrs, "permission_ids")?,
            member_ids: integer_list(&attrs, "member_ids")?,
            login: optional_string(&attrs, "login")?,
            email: optional_string(&attrs, "email")?,
            // A state or priority is only there to give its name (`expand=true`); Zammad's
            // `Ticket::State` / `Ticket::Priority` validate `name` for presence too.
            name: match kind {
                ModelKind::TicketState | ModelKind::TicketPriority => {
                    Some(required_string(&attrs, "name")?)
                }
                _ => optional_string(&attrs, "name")?,
            },
            active: optional_bool(&attrs, "active")?,
            shared: optional_bool(&attrs, "shared")?,
        };
        let json = Value::Object(attrs).to_string().into_boxed_str();
        Ok((
            Self {
                kind,
                id,
                json,
                fields,
            },
            password,
        ))
    }

    /// A record with `fields` and no attributes (`{}`), for asking a policy about a record
    /// that is still being put together; never stored.
    pub(crate) fn probe(kind: ModelKind, id: i64, fields: Fields) -> Self {
        Self {
            kind,
            id,
            json: "{}".into(),
            fields,
        }
    }

    /// Re-reads a record from its stored public JSON.
    pub fn from_json(kind: ModelKind, id: i64, json: &str) -> Result<Self, FieldError> {
        let attrs: Map<String, Value> = serde_json::from_str(json)
            .map_err(|e| FieldError::new("(record)", format!("stored JSON is unreadable: {e}")))?;
        Self::from_attributes(kind, id, attrs).map(|(record, _)| record)
    }

    /// The record with `updated_at` set to `now`, as ActiveRecord's `touch` does; the other
    /// attributes keep their order (a missing `updated_at` is appended).
    pub fn touched(&self, now: Millis) -> Self {
        let json = touch_json(self.json(), now).expect("stored record JSON is always an object");
        Self {
            json: json.into_boxed_str(),
            ..self.clone()
        }
    }

    /// The attributes as compact JSON, in fixture order, never a password.
    #[inline]
    pub fn json(&self) -> &str {
        &self.json
    }

    /// Whether the record is active (absent `active` means active).
    pub fn is_active(&self) -> bool {
        self.fields.active.unwrap_or(true)
    }
}

/// A record's stored JSON with `updated_at` set to `now` (see [`Record::touched`]): the old
/// value's text is replaced in place, or the key appended when missing; every other byte is
/// kept. (Parsing and re-encoding the whole record was the biggest cost of an add.)
///
/// `None` when `json` is not a JSON object.
pub fn touch_json(json: &str, now: Millis) -> Option<String> {
    let stamp = now.to_string();
    let mut out = String::with_capacity(json.len() + 48);
    match top_level_value(json, "updated_at")? {
        Some(value) => {
            out.push_str(&json[..value.start]);
            out.push('"');
            out.push_str(&stamp);
            out.push('"');
            out.push_str(&json[value.end..]);
        }
        None => {
            let close = json.rfind('}')?;
            let body = json[..close].trim_end();
            out.push_str(body);
            if !body.ends_with('{') {
                out.push(',');
            }
            out.push_str("\"updated_at\":\"");
            out.push_str(&stamp);
            out.push('"');
            out.push_str(&json[close..]);
        }
    }
    Some(out)
}

/// Where the value of the top-level key `wanted` (a key without escapes) lies in the text of
/// a JSON object: `None` when `json` is not an object, `Some(None)` when the key is absent.
fn top_level_value(json: &str, wanted: &str) -> Option<Option<std::ops::Range<usize>>> {
    let bytes = json.as_bytes();
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    if bytes[first] != b'{' || json.trim_end().as_bytes().last() != Some(&b'}') {
        return None;
    }
    let mut depth = 0usize;
    let mut expecting_key = false;
    let mut value_start: Option<usize> = None;
    let mut i = first;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if i >= bytes.len() {
                    return None;
                }
                if depth == 1 && expecting_key {
                    expecting_key = false;
                    if json.get(start + 1..i) == Some(wanted) {
                        let colon = i
                            + 1
                            + bytes[i + 1..]
                                .iter()
                                .position(|b| !b.is_ascii_whitespace())?;
                        if bytes[colon] != b':' {
                            return None;
                        }
                        let after = bytes[colon + 1..]
                            .iter()
                            .position(|b| !b.is_ascii_whitespace())?;
                        value_start = Some(colon + 1 + after);
                    }
                }
            }
            b'{' | b'[' => {
                depth += 1;
                expecting_key = depth == 1;
            }
            b'}' | b']' | b',' if depth == 1 => {
                if let Some(start) = value_start {
                    let end = start + json[start..i].trim_end().len();
                    return Some(Some(start..end));
                }
                if bytes[i] == b',' {
                    expecting_key = true;
                } else {
                    depth -= 1;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Some(None)
}

/// All records, by kind and id, with the lookups the API needs.
#[derive(Debug, Default)]
pub struct RecordStore {
    records: DashMap<(ModelKind, i64), Arc<Stored>, FxBuildHasher>,
    /// The ids of the kinds a data set has few of (groups, organizations, roles, …), so that
    /// a look-up by name among them does not scan every ticket and user.
    few: DashMap<ModelKind, std::collections::BTreeSet<i64>, FxBuildHasher>,
    ticket_numbers: DashMap<String, i64, FxBuildHasher>,
    user_logins: DashMap<String, i64, FxBuildHasher>,
    passwords: DashMap<i64, String, FxBuildHasher>,
    /// Bumped by every change to a user, role, permission or password (and by the state when
    /// tokens change), so that what is derived from them (a caller's grants, a verified
    /// `Authorization` header) can tell it is stale.
    generation: AtomicU64,
    /// Bumped whenever a record appears under a kind and id that had none (and when the store
    /// is cleared): a memoised assets closure that skipped a missing record is stale then.
    arrivals: AtomicU64,
}

impl RecordStore {
    /// The record `kind`/`id`, shared.
    ///
    /// Locking: a shard read lock, released before returning.
    #[inline]
    pub fn get(&self, kind: ModelKind, id: i64) -> Option<Arc<Stored>> {
        self.records.get(&(kind, id)).map(|r| Arc::clone(&r))
    }

    /// The ticket with number `number` (`Ticket.find_by(number:)`).
    ///
    /// Locking: two shard read locks, one after the other, never nested.
    pub fn ticket_by_number(&self, number: &str) -> Option<Arc<Stored>> {
        let id = *self.ticket_numbers.get(number)?;
        self.get(ModelKind::Ticket, id)
    }

    /// The user whose login or email is `name`, compared case-insensitively as Zammad does.
    ///
    /// Locking: as [`RecordStore::ticket_by_number`].
    pub fn user_by_login(&self, name: &str) -> Option<Arc<Stored>> {
        let id = *self.user_logins.get(&name.to_lowercase())?;
        self.get(ModelKind::User, id)
    }

    /// Whether user `id` has a password (a fixture gave it; never part of any response) and
    /// `check` accepts it, without a copy of the secret.
    ///
    /// Locking: a shard read lock, held while `check` runs.
    pub fn password_matches(&self, id: i64, check: impl FnOnce(&str) -> bool) -> bool {
        self.passwords.get(&id).is_some_and(|p| check(&p))
    }

    /// A number that changes whenever a user, role, permission or password changes.
    #[inline]
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// A number that changes whenever a record appears where there was none.
    #[inline]
    pub fn arrivals(&self) -> u64 {
        self.arrivals.load(Ordering::Acquire)
    }

    /// Marks a change that cached derivations depend on; besides every record change, the
    /// state calls it when API tokens change.
    pub(crate) fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Inserts or replaces a record and keeps the indexes in step. New index entries go in
    /// before stale ones come out, so a concurrent lookup of an unchanged number or login
    /// never misses (a touch rewrites a ticket while others look it up by number).
    ///
    /// Locking: takes shard write locks one at a time; callers hold the state's writer lock.
    pub fn upsert(&self, record: Record) {
        let key = (record.kind, record.id);
        let old = self.records.get(&key).map(|r| Arc::clone(&r));
        let new_numbers = Self::numbers(&record);
        let new_logins = Self::logins(&record);
        for number in &new_numbers {
            self.ticket_numbers.insert(number.clone(), record.id);
        }
        for login in &new_logins {
            self.user_logins.insert(login.clone(), record.id);
        }
        let id = record.id;
        let kind = record.kind;
        match self.records.insert(key, Arc::new(Stored::new(record))) {
            Some(replaced) => replaced.assets.supersede(),
            None => {
                if is_few(kind) {
                    self.few.entry(kind).or_default().insert(id);
                }
                self.arrivals.fetch_add(1, Ordering::AcqRel);
            }
        }
        if let Some(old) = old {
            for number in Self::numbers(&old)
                .iter()
                .filter(|n| !new_numbers.contains(n))
            {
                self.ticket_numbers
                    .remove_if(number, |_, owner| *owner == id);
            }
            for login in Self::logins(&old)
                .iter()
                .filter(|l| !new_logins.contains(l))
            {
                self.user_logins.remove_if(login, |_, owner| *owner == id);
            }
        }
        // Tickets change on every add (a touch); only users, roles and permissions make a
        // caller's derived rights stale. Counted last, once the indexes are in step, so that
        // a caller verified under the new count never used an old login.
        if matches!(
            kind,
            ModelKind::User | ModelKind::Role | ModelKind::Permission
        ) {
            self.changed();
        }
    }

    fn numbers(record: &Record) -> Vec<String> {
        match record.kind {
            ModelKind::Ticket => record.fields.number.iter().cloned().collect(),
            _ => Vec::new(),
        }
    }

    fn logins(record: &Record) -> Vec<String> {
        match record.kind {
            ModelKind::User => [&record.fields.login, &record.fields.email]
                .into_iter()
                .flatten()
                .filter(|name| !name.is_empty())
                .map(|name| name.to_lowercase())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Removes record `kind`/`id` and its index entries (`destroy`), handing it back.
    ///
    /// Locking: as [`RecordStore::upsert`].
    pub fn remove(&self, kind: ModelKind, id: i64) -> Option<Arc<Stored>> {
        let (_, removed) = self.records.remove(&(kind, id))?;
        removed.assets.supersede();
        if let Some(mut ids) = self.few.get_mut(&kind) {
            ids.remove(&id);
        }
        for number in Self::numbers(&removed) {
            self.ticket_numbers
                .remove_if(&number, |_, owner| *owner == id);
        }
        for login in Self::logins(&removed) {
            self.user_logins.remove_if(&login, |_, owner| *owner == id);
        }
        if kind == ModelKind::User {
            self.passwords.remove(&id);
        }
        // A closure that holds the removed record is stale (it is superseded), and one that
        // skipped it stays right: nothing arrived.
        if matches!(
            kind,
            ModelKind::User | ModelKind::Role | ModelKind::Permission
        ) {
            self.changed();
        }
        Some(removed)
    }

    /// Sets or clears user `id`'s password.
    pub fn set_password(&self, id: i64, password: Option<String>) {
        match password {
            Some(p) => self.passwords.insert(id, p),
            None => self.passwords.remove(&id).map(|(_, p)| p),
        };
        self.changed();
    }

    /// Removes everything.
    pub fn clear(&self) {
        for entry in self.records.iter() {
            entry.value().assets.supersede();
        }
        self.records.clear();
        self.few.clear();
        self.arrivals.fetch_add(1, Ordering::AcqRel);
        self.ticket_numbers.clear();
        self.user_logins.clear();
        self.passwords.clear();
        self.changed();
    }

    /// Every record of `kind`, by id.
    pub fn all_of(&self, kind: ModelKind) -> Vec<Arc<Stored>> {
        if is_few(kind) {
            let ids: Vec<i64> = self
                .few
                .get(&kind)
                .map(|ids| ids.iter().copied().collect())
                .unwrap_or_default();
            return ids
                .into_iter()
                .filter_map(|id| self.get(kind, id))
                .collect();
        }
        let mut all: Vec<_> = self
            .records
            .iter()
            .filter(|entry| entry.key().0 == kind)
            .map(|entry| Arc::clone(entry.value()))
            .collect();
        all.sort_by_key(|record| record.id);
        all
    }
}

mod scan;

use scan::is_few;
pub use scan::listed_ids;

#[cfg(test)]
mod tests;
