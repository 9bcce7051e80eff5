//! A record's attributes as Zammad's controllers clean them from the parameters: names
//! turned into ids (`ApplicationModel::CanAssociations.association_name_to_id_convert`), the
//! referenced records checked and everything that is not a column dropped
//! (`ApplicationModel::CanCleanupParam.param_cleanup`), values cast to their columns, and
//! values written into texts as Ruby's `inspect` writes them. Shared by create, update and
//! articles; which associations a model has is the release's (`release::ExpandRules`,
//! `TicketCallRules::article_associations`).

use serde_json::{Map, Value};

use crate::expand::{Association, NameSource};
use crate::model::{Millis, ModelKind};
use crate::params::ruby_to_i;
use crate::records::RecordStore;
use crate::refusal::TicketRefusal;
use crate::seeds::{Lookup, Seeds};

/// Parameters on their way to a record: key → value, as sent.
pub(super) type Data = Map<String, Value>;

/// The parameters `params` holds for `keys`, as sent.
pub(super) fn gather<'k>(
    params: &crate::params::Params<'_>,
    keys: impl IntoIterator<Item = &'k str>,
) -> Data {
    let mut data = Data::new();
    for key in keys {
        if let Some(value) = params.value(key) {
            data.insert(key.to_owned(), value.into_owned());
        }
    }
    data
}

/// Ruby's `inspect` of a parameter: numbers as they are, strings in double quotes, `nil`.
pub(super) fn inspect(value: &Value) -> String {
    match value {
        Value::Null => "nil".into(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(inspect).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let pairs: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}=>{}", Value::String(k.clone()), inspect(v)))
                .collect();
            format!("{{{}}}", pairs.join(", "))
        }
        // serde_json escapes a string the way Ruby's `inspect` does for the usual characters.
        Value::Bool(_) | Value::Number(_) | Value::String(_) => value.to_string(),
    }
}

/// Ruby's truthiness: anything but `nil` and `false`.
pub(super) fn is_truthy(value: &Value) -> bool {
    !matches!(value, Value::Null | Value::Bool(false))
}

/// Rails' `present?`: not `nil`, `false`, a blank string, an empty list or object.
pub(super) fn is_present(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => false,
        Value::String(text) => !text.trim().is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
        Value::Bool(true) | Value::Number(_) => true,
    }
}

/// A value cast to a string column (`5` → `"5"`, `true` → `"t"`); nothing for null or a
/// structure.
pub(super) fn string_cast(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "t" } else { "f" }.into()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// A value cast to an integer column (`ActiveModel::Type::Integer`): strings through Ruby's
/// `to_i`, fractions truncated, booleans as 1/0; nothing for null, a blank string, a
/// structure or a number beyond 64 bits.
pub(super) fn integer_cast(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            (f.is_finite() && f.abs() < 9.2e18).then(|| f.trunc() as i64)
        }),
        Value::String(text) => ruby_to_i(text).ok().flatten(),
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// A value cast to a boolean column (`ActiveModel::Type::Boolean`): `false`, `0`, and the
/// texts `""`, `0`, `f`, `F`, `false`, `FALSE`, `off`, `OFF` are false, null is nothing
/// (false here), anything else true.
pub(super) fn boolean_cast(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => false,
        Value::Bool(true) => true,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(text) => !matches!(
            text.as_str(),
            "" | "0" | "f" | "F" | "false" | "FALSE" | "off" | "OFF"
        ),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// Whether `column` holds an integer (`*_id` but an article's `message_id`, the escalation
/// minutes, `article_count`).
fn is_integer_column(column: &str) -> bool {
    (column.ends_with("_id") && column != "message_id")
        || column.ends_with("_in_min")
        || column.ends_with("_diff_in_min")
        || column == "article_count"
}

/// Whether `column` holds a timestamp.
fn is_time_column(column: &str) -> bool {
    column.ends_with("_at") || column == "pending_time"
}

/// Every whitespace character (`\s`: space, tab, CR, LF, FF, VT) as a space
/// (`Ticket#check_title`, `Ticket::Article#check_subject`).
pub(super) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if matches!(c, '\t' | '\n' | '\r' | '\x0b' | '\x0c') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// `value` as column `column` stores it: integers and timestamps cast (a timestamp Zammad's
/// way, `2021-11-03T10:16:38.694Z`; one it cannot read is null), the title on one line,
/// `preferences` an object, anything else as sent.
pub(super) fn cast(column: &str, value: Value) -> Value {
    if is_integer_column(column) {
        return integer_cast(&value).map_or(Value::Null, Value::from);
    }
    if is_time_column(column) {
        return match &value {
            Value::String(text) => {
                Millis::parse(text.trim()).map_or(Value::Null, |at| Value::String(at.to_string()))
            }
            _ => Value::Null,
        };
    }
    match column {
        "title" | "subject" => string_cast(&value).map_or(Value::Null, |t| one_line(&t).into()),
        "number" => string_cast(&value).map_or(Value::Null, Value::String),
        "preferences" => match value {
            Value::Object(_) => value,
            _ => Value::Object(Map::new()),
        },
        _ => value,
    }
}

/// Whether `id` names a row of `source` (`klass.lookup(id:)`).
fn exists(records: &RecordStore, seeds: &Seeds, source: NameSource, id: i64) -> bool {
    match source {
        // A model the mock keeps no records of (a checklist, which 6.5+ ignore on create).
        NameSource::Missing => false,
        NameSource::Record(kind) => records.get(kind, id).is_some(),
        NameSource::User => records.get(ModelKind::User, id).is_some(),
        NameSource::Seeded(lookup) => lookup.name(records, seeds, id).is_some(),
    }
}

/// The id of the row named `name` (`klass.lookup(name:)`, users by login, then email).
fn id_by_name(records: &RecordStore, seeds: &Seeds, source: NameSource, name: &str) -> Option<i64> {
    match source {
        NameSource::Missing => None,
        NameSource::Record(kind) => records
            .lowest_where(kind, |r| r.fields.name.as_deref() == Some(name))
            .map(|r| r.id),
        NameSource::User => records.user_by_login(name).map(|u| u.id),
        NameSource::Seeded(lookup) => seeded_id(records, seeds, lookup, name),
    }
}

/// The id of the state, priority, article type or sender named `name`: a fixture's record
/// of that name first, else the seeded row, unless a fixture renamed it.
fn seeded_id(records: &RecordStore, seeds: &Seeds, lookup: Lookup, name: &str) -> Option<i64> {
    let (kind, table) = match lookup {
        Lookup::State => (Some(ModelKind::TicketState), seeds.states),
        Lookup::Priority => (Some(ModelKind::TicketPriority), seeds.priorities),
        Lookup::ArticleType => (None, seeds.article_types),
        Lookup::ArticleSender => (None, seeds.article_senders),
    };
    if let Some(kind) = kind {
        if let Some(record) = records.lowest_where(kind, |r| r.fields.name.as_deref() == Some(name))
        {
            return Some(record.id);
        }
    }
    table
        .iter()
        .find(|(id, seeded)| {
            *seeded == name && kind.is_none_or(|kind| records.get(kind, *id).is_none())
        })
        .map(|(id, _)| *id)
}

/// The id of the seeded row named `name` (the article defaults: `note`, `Agent`, …).
pub(super) fn seeded(records: &RecordStore, seeds: &Seeds, lookup: Lookup, name: &str) -> i64 {
    seeded_id(records, seeds, lookup, name).unwrap_or(0)
}

/// `association_name_to_id_convert`: for each association in declaration order with a name
/// given (`group: "Users"`) and no id given beside it (an id wins), the id of the row of
/// that name replaces the name.
///
/// # Errors
/// [`TicketRefusal::LookupNotFound`], or [`TicketRefusal::RefValueNotString`] for a user
/// given as anything but a string.
pub(super) fn names_to_ids(
    data: &mut Data,
    associations: &[Association],
    records: &RecordStore,
    seeds: &Seeds,
) -> Result<(), TicketRefusal> {
    for association in associations {
        let Association::BelongsTo { key, id_key, names } = *association else {
            continue;
        };
        let Some(value) = data.get(key).filter(|v| is_truthy(v)) else {
            continue;
        };
        if data.get(id_key).is_some_and(is_truthy) {
            continue;
        }
        let name = match (names, value) {
            (_, Value::String(name)) => Some(name.clone()),
            (NameSource::User, other) => {
                return Err(TicketRefusal::RefValueNotString {
                    association: key,
                    value: inspect(other),
                })
            }
            (_, other) => string_cast(other),
        };
        let id = name.and_then(|name| id_by_name(records, seeds, names, &name));
        let Some(id) = id else {
            return Err(TicketRefusal::LookupNotFound {
                association: key,
                value: inspect(value),
            });
        };
        data.shift_remove(key);
        data.insert(id_key.to_owned(), Value::from(id));
    }
    Ok(())
}

/// `param_cleanup`'s reference check: every `*_id` of `columns` (in column order) whose
/// association names its class (not a group's or an organization's) and that is present
/// must name an existing row.
///
/// # Errors
/// [`TicketRefusal::InvalidParamValue`] for the first that names none.
pub(super) fn check_references<'c>(
    data: &Data,
    columns: impl IntoIterator<Item = &'c str>,
    associations: &[Association],
    records: &RecordStore,
    seeds: &Seeds,
) -> Result<(), TicketRefusal> {
    for column in columns {
        let Some(value) = data.get(column).filter(|v| is_present(v)) else {
            continue;
        };
        let checked = associations.iter().find_map(|a| match *a {
            Association::BelongsTo { id_key, names, .. }
                if id_key == column && !matches!(names, NameSource::Record(_)) =>
            {
                Some(names)
            }
            _ => None,
        });
        let Some(source) = checked else { continue };
        let found = integer_cast(value).is_some_and(|id| exists(records, seeds, source, id));
        if !found {
            return Err(TicketRefusal::InvalidParamValue {
                attribute: column.to_owned(),
                value: inspect(value),
            });
        }
    }
    Ok(())
}

/// The columns `filter_unused_params` drops whatever was sent.
pub(super) const UNUSED: [&str; 5] = [
    "id",
    "created_at",
    "updated_at",
    "created_by_id",
    "updated_by_id",
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_inspected_as_ruby_writes_them() {
        assert_eq!(inspect(&json!(99999)), "99999");
        assert_eq!(inspect(&json!("abc")), "\"abc\"");
        assert_eq!(inspect(&json!("a\"b")), "\"a\\\"b\"");
        assert_eq!(inspect(&json!(null)), "nil");
        assert_eq!(inspect(&json!([1, "x"])), "[1, \"x\"]");
    }

    #[test]
    fn columns_cast_their_values() {
        assert_eq!(cast("owner_id", json!("5")), json!(5));
        assert_eq!(cast("owner_id", json!("")), json!(null));
        assert_eq!(cast("message_id", json!("<a@b>")), json!("<a@b>"));
        assert_eq!(cast("title", json!("a\tb\nc")), json!("a b c"));
        assert_eq!(cast("number", json!(34001)), json!("34001"));
        assert_eq!(
            cast("pending_time", json!("2021-11-03T10:16:38Z")),
            json!("2021-11-03T10:16:38.000Z")
        );
        assert_eq!(cast("pending_time", json!("soon")), json!(null));
        assert_eq!(cast("preferences", json!("x")), json!({}));
        assert_eq!(cast("remote_access", json!("x")), json!("x"));
    }

    #[test]
    fn presence_follows_rails() {
        assert!(!is_present(&json!("  ")) && !is_present(&json!({})) && !is_present(&json!([])));
        assert!(is_present(&json!(0)) && is_present(&json!("x")));
        assert!(is_truthy(&json!("")) && is_truthy(&json!(0)) && !is_truthy(&json!(false)));
    }
}
