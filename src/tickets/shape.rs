//! The keys a record the ticket calls create has, and what each holds when nothing sets it
//! (spec §11.2): a new ticket (or user) has the keys of the data set's records of its kind,
//! in their order (the record with the lowest id stands for them), merged with the keys the
//! running release's records have (`TicketCallRules::ticket_keys` / `user_keys`) where the
//! data set lacks some. An attribute of the data set that a request does not set is `""`
//! where the data set's record holds `""` (a text field with an empty default) and `null`
//! otherwise; lists are empty.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::model::ModelKind;
use crate::release::ZammadVersion;
use crate::state::WriteTx;

/// A new record's keys, in order, each with the value it holds unless something sets it.
#[derive(Debug, Clone)]
pub(super) struct Shape {
    keys: Vec<(String, Value)>,
}

impl Shape {
    /// The keys and their defaults as a record's attributes.
    pub(super) fn attributes(&self) -> Map<String, Value> {
        self.keys.iter().cloned().collect()
    }

    /// The keys that are columns (not the `*_ids` lists assets add), in order.
    pub(super) fn columns(&self) -> impl Iterator<Item = &str> {
        self.keys
            .iter()
            .map(|(key, _)| key.as_str())
            .filter(|key| !key.ends_with("_ids"))
    }

    /// Whether the shape has `key`.
    pub(super) fn has(&self, key: &str) -> bool {
        self.keys.iter().any(|(k, _)| k == key)
    }
}

/// A new ticket's shape (derived once per load).
pub(super) fn ticket(tx: &mut WriteTx<'_>, release: ZammadVersion) -> Arc<Shape> {
    tx.derived("ticket shape", |tx| {
        let sample = tx.sample(ModelKind::Ticket);
        build(
            sample.as_deref().map(|s| s.json()),
            release.room().ticket_calls.ticket_keys,
            false,
        )
    })
}

/// A new user's shape (derived once per load).
pub(super) fn user(tx: &mut WriteTx<'_>, release: ZammadVersion) -> Arc<Shape> {
    tx.derived("user shape", |tx| {
        let sample = tx.sample(ModelKind::User);
        build(
            sample.as_deref().map(|s| s.json()),
            release.room().ticket_calls.user_keys,
            true,
        )
    })
}

/// The keys of `sample` (a record's JSON) in its order, with the release's `keys` it lacks
/// put where the release has them: before the first key that follows them in both. With
/// `typed`, a value the sample holds as a boolean or a number defaults to `false` / `0`
/// (a user's flags and counters), else to `null`.
fn build(sample: Option<&str>, keys: &[&str], typed: bool) -> Shape {
    let sample: Vec<(String, Value)> = sample
        .and_then(|json| serde_json::from_str::<Map<String, Value>>(json).ok())
        .map(|attrs| attrs.into_iter().collect())
        .unwrap_or_default();
    let mut out: Vec<(String, Value)> = Vec::with_capacity(sample.len() + keys.len());
    let mut next = 0;
    let from_sample = |(key, value): &(String, Value)| (key.clone(), default(key, value, typed));
    for key in keys {
        match sample.iter().position(|(k, _)| k == key) {
            Some(at) if at >= next => {
                out.extend(sample[next..=at].iter().map(from_sample));
                next = at + 1;
            }
            Some(_) => {}
            None => out.push(((*key).to_owned(), default(key, &Value::Null, typed))),
        }
    }
    out.extend(sample[next..].iter().map(from_sample));
    Shape { keys: out }
}

/// What `key` holds when nothing sets it, given what the sample holds there.
fn default(key: &str, sample: &Value, typed: bool) -> Value {
    match (key, sample) {
        ("group_ids" | "preferences" | "accounts", _) | (_, Value::Object(_)) => {
            Value::Object(Map::new())
        }
        (key, _) if key.ends_with("_ids") => Value::Array(Vec::new()),
        (_, Value::Array(_)) => Value::Array(Vec::new()),
        (_, Value::String(text)) if text.is_empty() => Value::String(String::new()),
        (_, Value::Bool(_)) if typed => Value::Bool(false),
        (_, Value::Number(_)) if typed => Value::from(0),
        // A user's flags where the data set shows no user.
        ("vip" | "verified" | "out_of_office", Value::Null) if typed => Value::Bool(false),
        ("login_failed", Value::Null) if typed => Value::from(0),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(shape: &Shape) -> Vec<&str> {
        shape.keys.iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn the_data_sets_order_wins_and_missing_keys_go_where_the_release_has_them() {
        let sample = r#"{"id":1,"title":"t","custom":"","other":5,"article_ids":[1]}"#;
        let shape = build(
            Some(sample),
            &[
                "id",
                "number",
                "title",
                "article_ids",
                "ticket_time_accounting_ids",
            ],
            false,
        );
        assert_eq!(
            keys(&shape),
            [
                "id",
                "number",
                "title",
                "custom",
                "other",
                "article_ids",
                "ticket_time_accounting_ids"
            ]
        );
        let attrs = shape.attributes();
        assert_eq!(attrs["custom"], "");
        assert_eq!(attrs["other"], Value::Null);
        assert_eq!(attrs["article_ids"], serde_json::json!([]));
        assert_eq!(
            shape.columns().collect::<Vec<_>>(),
            ["id", "number", "title", "custom", "other"]
        );
    }

    #[test]
    fn without_a_sample_the_releases_keys_are_the_shape() {
        let shape = build(None, &["id", "login", "vip", "group_ids"], true);
        let attrs = shape.attributes();
        assert_eq!(keys(&shape), ["id", "login", "vip", "group_ids"]);
        assert_eq!(attrs["vip"], false);
        assert_eq!(attrs["group_ids"], serde_json::json!({}));
    }
}
