//! Typed readers for the attributes of a JSON object, shared by the records' fields
//! (`records`) and the fixture document's rows (`fixtures`), so that a wrongly typed value
//! is named the same way everywhere. An error names the attribute relative to its object
//! ([`FieldError::field`]); the caller puts the object's place in front.

use serde_json::{Map, Value};

use crate::model::Millis;

/// Why an attribute was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    /// The attribute, as a path below the object (`owner_id`, `group_ids["1"]`).
    pub field: String,
    /// What was wrong.
    pub reason: String,
}

impl FieldError {
    /// `field` was refused for `reason`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// What `value` is, for a message (`a string`, `an array`, …).
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An integer that may be absent or null.
pub fn optional_integer(attrs: &Map<String, Value>, key: &str) -> Result<Option<i64>, FieldError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| FieldError::new(key, "expected an integer")),
        Some(_) => Err(FieldError::new(key, "expected an integer or null")),
    }
}

/// A string that may be absent or null.
pub fn optional_string(
    attrs: &Map<String, Value>,
    key: &str,
) -> Result<Option<String>, FieldError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(FieldError::new(key, "expected a string or null")),
    }
}

/// `true` or `false`, absent or null meaning `None`.
pub fn optional_bool(attrs: &Map<String, Value>, key: &str) -> Result<Option<bool>, FieldError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(FieldError::new(key, "expected true or false")),
    }
}

/// A list of integers; absent or null is empty.
pub fn integer_list(attrs: &Map<String, Value>, key: &str) -> Result<Vec<i64>, FieldError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_i64()
                    .ok_or_else(|| FieldError::new(format!("{key}[{i}]"), "expected an integer"))
            })
            .collect(),
        Some(_) => Err(FieldError::new(key, "expected an array of integers")),
    }
}

/// A list of strings (`one` names an item, `many` several, in a message); absent or null is
/// `None`.
pub fn optional_string_list(
    attrs: &Map<String, Value>,
    key: &str,
    (one, many): (&str, &str),
) -> Result<Option<Vec<String>>, FieldError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_str().map(str::to_owned).ok_or_else(|| {
                    FieldError::new(format!("{key}[{i}]"), format!("expected {one}"))
                })
            })
            .collect::<Result<_, _>>()
            .map(Some),
        Some(other) => Err(FieldError::new(
            key,
            format!("expected an array of {many}, found {}", type_name(other)),
        )),
    }
}

/// A string that must be there and not blank.
pub fn required_string(attrs: &Map<String, Value>, key: &str) -> Result<String, FieldError> {
    match attrs.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(FieldError::new(key, "must not be blank")),
        Some(other) => Err(FieldError::new(
            key,
            format!("expected a string, found {}", type_name(other)),
        )),
        None => Err(FieldError::new(key, "missing")),
    }
}

/// An integer that must be there.
pub fn required_integer(attrs: &Map<String, Value>, key: &str) -> Result<i64, FieldError> {
    match attrs.get(key) {
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| FieldError::new(key, "expected an integer")),
        Some(other) => Err(FieldError::new(
            key,
            format!("expected an integer, found {}", type_name(other)),
        )),
        None => Err(FieldError::new(key, "missing")),
    }
}

/// A timestamp like Zammad writes them (`2021-11-03T10:40:14.528Z`); absent or null is `None`.
pub fn optional_time(attrs: &Map<String, Value>, key: &str) -> Result<Option<Millis>, FieldError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Millis::parse(s).map(Some).ok_or_else(|| {
            FieldError::new(
                key,
                "expected a timestamp like \"2021-11-03T10:40:14.528Z\"",
            )
        }),
        Some(other) => Err(FieldError::new(
            key,
            format!("expected a timestamp string, found {}", type_name(other)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn optional_and_required_readers_name_what_they_found() {
        let a = attrs(json!({"n": "x", "s": 1, "l": [1, "2"], "t": "soon", "b": 1}));
        assert_eq!(
            optional_integer(&a, "n").unwrap_err().to_string(),
            "n: expected an integer or null"
        );
        assert_eq!(
            required_integer(&a, "n").unwrap_err().to_string(),
            "n: expected an integer, found a string"
        );
        assert_eq!(
            required_string(&a, "s").unwrap_err().to_string(),
            "s: expected a string, found a number"
        );
        assert_eq!(
            integer_list(&a, "l").unwrap_err().to_string(),
            "l[1]: expected an integer"
        );
        assert!(optional_time(&a, "t").is_err());
        assert_eq!(
            optional_bool(&a, "b").unwrap_err().to_string(),
            "b: expected true or false"
        );
        assert_eq!(required_integer(&a, "gone").unwrap_err().reason, "missing");
        assert_eq!(optional_integer(&a, "gone").unwrap(), None);
    }
}
