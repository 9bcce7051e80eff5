//! The fixture document: the one data format of the default data set, `--fixtures FILE` and
//! the admin API. It is shaped like Zammad's own `assets` (model name → id string → record)
//! plus `Link` and `Token` lists, so a response captured from a real Zammad can be pasted in.
//!
//! A document is validated whole before anything is applied; an error names the place, as in
//! `Ticket["147469"].owner_id: expected an integer or null`. Turning a valid document into
//! stored state is left to `state`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::model::{ApiToken, Millis, ModelKind};
use crate::records::Record;

/// The default data set: the user's example from Zammad 5.0 plus what makes it usable.
pub const DEFAULT_DATA: &str = include_str!("../data/default.json");

/// Why a fixture document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct FixtureError {
    /// Where in the document, e.g. `Link[3].link_object_target_value`.
    pub path: String,
    /// What was wrong there.
    pub reason: String,
}

impl FixtureError {
    fn new(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// Why a fixture file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FixtureFileError {
    /// The file could not be read.
    #[error("cannot read fixture file {path}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file's content is not a valid fixture document.
    #[error("fixture file {path} is invalid: {source}")]
    Invalid {
        /// The file.
        path: String,
        /// The place and reason.
        #[source]
        source: FixtureError,
    },
}

/// A record of the document with its fixture-only password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureRecord {
    /// The record.
    pub record: Record,
    /// A user's password, if given.
    pub password: Option<String>,
}

/// A `Link` row of the document, with names rather than ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureLink {
    /// `id`, assigned in order after the highest given id when absent.
    pub id: Option<u64>,
    /// `link_type` name.
    pub link_type: String,
    /// `link_object_source` name.
    pub source_object: String,
    /// `link_object_source_value`.
    pub source_value: i64,
    /// `link_object_target` name.
    pub target_object: String,
    /// `link_object_target_value`.
    pub target_value: i64,
    /// `created_at`, now when absent.
    pub created_at: Option<Millis>,
    /// `updated_at`, `created_at` when absent.
    pub updated_at: Option<Millis>,
}

/// A validated fixture document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixtureDocument {
    /// Records, section by section, in document order.
    pub records: Vec<FixtureRecord>,
    /// Link rows, in document order.
    pub links: Vec<FixtureLink>,
    /// API tokens.
    pub tokens: Vec<ApiToken>,
}

const LINK_KEYS: [&str; 8] = [
    "id",
    "link_type",
    "link_object_source",
    "link_object_source_value",
    "link_object_target",
    "link_object_target_value",
    "created_at",
    "updated_at",
];

fn section_names() -> String {
    let mut names: Vec<&str> = ModelKind::ALL.iter().map(|k| k.class_name()).collect();
    names.extend(["Link", "Token"]);
    names.join(", ")
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl FixtureDocument {
    /// The default data set of `data/default.json`, compiled into the binary.
    pub fn default_data() -> Self {
        Self::from_json(DEFAULT_DATA).expect("data/default.json is a valid fixture document")
    }

    /// The default data set of `profile`'s Zammad version.
    pub(crate) fn default_data_of(profile: &crate::profile::Profile) -> Self {
        Self::from_json(profile.default_data)
            .expect("every profile's default data set is a valid fixture document")
    }

    /// Reads and validates a fixture file.
    ///
    /// # Errors
    /// When the file cannot be read or is not a valid document.
    pub fn from_file(path: &Path) -> Result<Self, FixtureFileError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| FixtureFileError::Io {
            path: shown.clone(),
            source,
        })?;
        Self::from_json(&text).map_err(|source| FixtureFileError::Invalid {
            path: shown,
            source,
        })
    }

    /// Parses and validates a document. Each record and link is parsed on its own, so a
    /// large document never exists as one JSON tree in memory.
    ///
    /// # Errors
    /// A [`FixtureError`] naming the first place that is wrong.
    pub fn from_json(text: &str) -> Result<Self, FixtureError> {
        let document: RawDocument = serde_json::from_str(text).map_err(|e| {
            FixtureError::new(
                format!("(line {}, column {})", e.line(), e.column()),
                format!("not valid JSON: {e}"),
            )
        })?;
        let sections = match document {
            RawDocument::Sections(sections) => sections,
            RawDocument::Not(found) => {
                return Err(FixtureError::new(
                    "(document)",
                    format!("expected an object of sections, found {found}"),
                ))
            }
        };
        let mut doc = FixtureDocument::default();
        for (section, content) in sections {
            match section.as_str() {
                "Link" => doc.links = parse_links(content)?,
                "Token" => doc.tokens = parse_tokens(content)?,
                name => {
                    let kind = ModelKind::from_name(name).ok_or_else(|| {
                        FixtureError::new(
                            name,
                            format!("unknown section; expected one of {}", section_names()),
                        )
                    })?;
                    parse_records(kind, name, content, &mut doc.records)?;
                }
            }
        }
        check_unique_records(&doc.records)?;
        Ok(doc)
    }

    /// Validates an already parsed document.
    ///
    /// # Errors
    /// A [`FixtureError`] naming the first place that is wrong.
    pub fn from_value(value: Value) -> Result<Self, FixtureError> {
        Self::from_json(&value.to_string())
    }
}

/// A document read one level deep: each section's entries stay raw JSON text until their
/// turn comes, in document order.
enum RawDocument {
    Sections(Vec<(String, RawSection)>),
    Not(&'static str),
}

/// A section: id → record entries, a list of rows, or something else (named for the error).
enum RawSection {
    Entries(Vec<(String, Box<RawValue>)>),
    Items(Vec<Box<RawValue>>),
    Other(&'static str),
}

impl RawSection {
    fn found(&self) -> &'static str {
        match self {
            RawSection::Entries(_) => "an object",
            RawSection::Items(_) => "an array",
            RawSection::Other(found) => found,
        }
    }
}

/// Deserialises anything, keeping maps and sequences one level deep and naming the rest.
macro_rules! scalars_are_named {
    ($out:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($out("a boolean"))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($out("a number"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($out("a number"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($out("a number"))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($out("a string"))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($out("null"))
        }
    };
}

impl<'de> Deserialize<'de> for RawDocument {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DocumentVisitor;
        impl<'de> Visitor<'de> for DocumentVisitor {
            type Value = RawDocument;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a fixture document")
            }
            scalars_are_named!(RawDocument::Not);
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(RawDocument::Not("an array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut sections = Vec::new();
                while let Some((key, section)) = map.next_entry::<String, RawSection>()? {
                    sections.push((key, section));
                }
                Ok(RawDocument::Sections(sections))
            }
        }
        deserializer.deserialize_any(DocumentVisitor)
    }
}

impl<'de> Deserialize<'de> for RawSection {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SectionVisitor;
        impl<'de> Visitor<'de> for SectionVisitor {
            type Value = RawSection;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a fixture section")
            }
            scalars_are_named!(RawSection::Other);
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Box<RawValue>>()? {
                    items.push(item);
                }
                Ok(RawSection::Items(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    entries.push(entry);
                }
                Ok(RawSection::Entries(entries))
            }
        }
        deserializer.deserialize_any(SectionVisitor)
    }
}

/// One raw entry as a value; the text was already checked to be JSON.
fn value_of(raw: &RawValue) -> Value {
    serde_json::from_str(raw.get()).expect("a raw value is valid JSON")
}

fn parse_records(
    kind: ModelKind,
    section: &str,
    content: RawSection,
    out: &mut Vec<FixtureRecord>,
) -> Result<(), FixtureError> {
    let RawSection::Entries(entries) = content else {
        return Err(FixtureError::new(
            section,
            format!(
                "expected an object of id → record, found {}",
                content.found()
            ),
        ));
    };
    out.reserve(entries.len());
    for (key, raw) in entries {
        let attrs = value_of(&raw);
        drop(raw);
        let path = format!("{section}[\"{key}\"]");
        let id: i64 = key
            .parse()
            .map_err(|_| FixtureError::new(&path, "the key must be the record's id"))?;
        let Value::Object(attrs) = attrs else {
            return Err(FixtureError::new(
                &path,
                format!("expected an object, found {}", type_name(&attrs)),
            ));
        };
        match attrs.get("id") {
            Some(Value::Number(n)) if n.as_i64() == Some(id) => {}
            Some(other) => {
                return Err(FixtureError::new(
                    format!("{path}.id"),
                    format!("expected {id} (the record's key), found {other}"),
                ))
            }
            None => return Err(FixtureError::new(format!("{path}.id"), "missing")),
        }
        let (record, password) = Record::from_attributes(kind, id, attrs)
            .map_err(|e| FixtureError::new(format!("{path}.{}", e.field), e.reason))?;
        out.push(FixtureRecord { record, password });
    }
    Ok(())
}

fn check_unique_records(records: &[FixtureRecord]) -> Result<(), FixtureError> {
    let mut numbers: HashMap<&str, i64> = HashMap::new();
    let mut logins: HashMap<String, i64> = HashMap::new();
    for FixtureRecord { record, .. } in records {
        let path = |field: &str| format!("{}[\"{}\"].{field}", record.kind.class_name(), record.id);
        if let Some(number) = &record.fields.number {
            if let Some(other) = numbers.insert(number, record.id) {
                return Err(FixtureError::new(
                    path("number"),
                    format!("\"{number}\" is already the number of Ticket[\"{other}\"]"),
                ));
            }
        }
        if record.kind == ModelKind::User {
            if let Some(login) = &record.fields.login {
                if let Some(other) = logins.insert(login.to_lowercase(), record.id) {
                    return Err(FixtureError::new(
                        path("login"),
                        format!("\"{login}\" is already the login of User[\"{other}\"]"),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn required_string(
    row: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<String, FixtureError> {
    match row.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(FixtureError::new(
            format!("{path}.{key}"),
            "must not be blank",
        )),
        Some(other) => Err(FixtureError::new(
            format!("{path}.{key}"),
            format!("expected a string, found {}", type_name(other)),
        )),
        None => Err(FixtureError::new(format!("{path}.{key}"), "missing")),
    }
}

fn required_integer(row: &Map<String, Value>, key: &str, path: &str) -> Result<i64, FixtureError> {
    match row.get(key) {
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| FixtureError::new(format!("{path}.{key}"), "expected an integer")),
        Some(other) => Err(FixtureError::new(
            format!("{path}.{key}"),
            format!("expected an integer, found {}", type_name(other)),
        )),
        None => Err(FixtureError::new(format!("{path}.{key}"), "missing")),
    }
}

fn optional_time(
    row: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<Millis>, FixtureError> {
    match row.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Millis::parse(s).map(Some).ok_or_else(|| {
            FixtureError::new(
                format!("{path}.{key}"),
                "expected a timestamp like \"2021-11-03T10:40:14.528Z\"",
            )
        }),
        Some(other) => Err(FixtureError::new(
            format!("{path}.{key}"),
            format!("expected a timestamp string, found {}", type_name(other)),
        )),
    }
}

fn parse_links(content: RawSection) -> Result<Vec<FixtureLink>, FixtureError> {
    let RawSection::Items(rows) = content else {
        return Err(FixtureError::new(
            "Link",
            format!("expected an array of links, found {}", content.found()),
        ));
    };
    let mut ids = HashMap::new();
    let mut ends = HashMap::new();
    let mut links = Vec::with_capacity(rows.len());
    for (index, raw) in rows.into_iter().enumerate() {
        let row = value_of(&raw);
        drop(raw);
        let path = format!("Link[{index}]");
        let Value::Object(row) = row else {
            return Err(FixtureError::new(
                &path,
                format!("expected an object, found {}", type_name(&row)),
            ));
        };
        if let Some(key) = row.keys().find(|k| !LINK_KEYS.contains(&k.as_str())) {
            return Err(FixtureError::new(
                format!("{path}.{key}"),
                format!("unknown attribute; expected {}", LINK_KEYS.join(", ")),
            ));
        }
        let id = match row.get("id") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => match n.as_u64() {
                Some(id) if id > 0 && id < (1 << 62) => Some(id),
                _ => {
                    return Err(FixtureError::new(
                        format!("{path}.id"),
                        "expected a positive integer",
                    ))
                }
            },
            Some(other) => {
                return Err(FixtureError::new(
                    format!("{path}.id"),
                    format!("expected a positive integer, found {}", type_name(other)),
                ))
            }
        };
        let link = FixtureLink {
            id,
            link_type: required_string(&row, "link_type", &path)?,
            source_object: required_string(&row, "link_object_source", &path)?,
            source_value: required_integer(&row, "link_object_source_value", &path)?,
            target_object: required_string(&row, "link_object_target", &path)?,
            target_value: required_integer(&row, "link_object_target_value", &path)?,
            created_at: optional_time(&row, "created_at", &path)?,
            updated_at: optional_time(&row, "updated_at", &path)?,
        };
        if let Some(id) = id {
            if let Some(other) = ids.insert(id, index) {
                return Err(FixtureError::new(
                    format!("{path}.id"),
                    format!("{id} is already the id of Link[{other}]"),
                ));
            }
        }
        // Zammad's unique index `links_uniq_total` allows one row per type and direction.
        let key = (
            link.link_type.clone(),
            link.source_object.clone(),
            link.source_value,
            link.target_object.clone(),
            link.target_value,
        );
        if let Some(other) = ends.insert(key, index) {
            return Err(FixtureError::new(
                &path,
                format!("the same link (type, source and target) is already Link[{other}]"),
            ));
        }
        links.push(link);
    }
    Ok(links)
}

fn parse_tokens(content: RawSection) -> Result<Vec<ApiToken>, FixtureError> {
    let RawSection::Items(rows) = content else {
        return Err(FixtureError::new(
            "Token",
            format!("expected an array of tokens, found {}", content.found()),
        ));
    };
    let mut seen = HashSet::new();
    let mut tokens = Vec::with_capacity(rows.len());
    for (index, raw) in rows.into_iter().enumerate() {
        let row = value_of(&raw);
        drop(raw);
        let path = format!("Token[{index}]");
        let Value::Object(row) = row else {
            return Err(FixtureError::new(
                &path,
                format!("expected an object, found {}", type_name(&row)),
            ));
        };
        let token = required_string(&row, "token", &path)?;
        let user_id = required_integer(&row, "user_id", &path)?;
        let permissions = match row.get("permissions") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        item.as_str().map(str::to_owned).ok_or_else(|| {
                            FixtureError::new(
                                format!("{path}.permissions[{i}]"),
                                "expected a permission name",
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(other) => {
                return Err(FixtureError::new(
                    format!("{path}.permissions"),
                    format!(
                        "expected an array of permission names, found {}",
                        type_name(other)
                    ),
                ))
            }
        };
        if !seen.insert(token.clone()) {
            return Err(FixtureError::new(
                format!("{path}.token"),
                "the same token is listed twice",
            ));
        }
        tokens.push(ApiToken {
            token,
            user_id,
            permissions,
        });
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        FixtureDocument::from_json(text).unwrap_err().to_string()
    }

    #[test]
    fn the_default_data_set_is_valid() {
        let doc = FixtureDocument::default_data();
        assert_eq!(doc.links.len(), 2);
        assert_eq!(doc.tokens.len(), 1);
        let user3 = doc
            .records
            .iter()
            .find(|r| r.record.kind == ModelKind::User && r.record.id == 3)
            .unwrap();
        assert_eq!(user3.password.as_deref(), Some("test"));
        assert!(!user3.record.json.contains("password"));
    }

    #[test]
    fn a_wrongly_typed_attribute_is_named_by_its_path() {
        assert_eq!(
            error_of(r#"{"Ticket": {"147469": {"id": 147469, "owner_id": "one"}}}"#),
            "Ticket[\"147469\"].owner_id: expected an integer or null"
        );
    }

    #[test]
    fn a_link_value_of_the_wrong_type_is_named_by_its_index() {
        let text = r#"{"Link": [
            {"link_type": "normal", "link_object_source": "Ticket", "link_object_source_value": 1,
             "link_object_target": "Ticket", "link_object_target_value": 2},
            {"link_type": "normal", "link_object_source": "Ticket", "link_object_source_value": 1,
             "link_object_target": "Ticket", "link_object_target_value": "x"}]}"#;
        assert_eq!(
            error_of(text),
            "Link[1].link_object_target_value: expected an integer, found a string"
        );
    }

    #[test]
    fn a_record_key_must_match_its_id() {
        assert_eq!(
            error_of(r#"{"User": {"3": {"id": 4}}}"#),
            "User[\"3\"].id: expected 3 (the record's key), found 4"
        );
    }

    #[test]
    fn unknown_sections_are_refused_with_the_known_ones_listed() {
        assert!(error_of(r#"{"Tickets": {}}"#)
            .starts_with("Tickets: unknown section; expected one of Ticket, User"));
    }

    #[test]
    fn duplicate_links_and_ticket_numbers_are_refused() {
        let row = r#"{"link_type": "normal", "link_object_source": "Ticket", "link_object_source_value": 1,
             "link_object_target": "Ticket", "link_object_target_value": 2}"#;
        assert!(error_of(&format!(r#"{{"Link": [{row}, {row}]}}"#))
            .starts_with("Link[1]: the same link"));
        assert!(error_of(
            r#"{"Ticket": {"1": {"id": 1, "number": "7"}, "2": {"id": 2, "number": "7"}}}"#
        )
        .starts_with("Ticket[\"2\"].number"));
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        assert!(error_of("{\n  \"Ticket\": [}").starts_with("(line 2, column"));
    }
}
