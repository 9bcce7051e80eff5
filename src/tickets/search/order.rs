//! The order of a search's result (`lib/sql_helper.rb`: `get_sort_by`, `get_order_by`,
//! `get_order`): `sort_by` and `order_by`, each a comma-separated string or a list, paired by
//! position; a column must be one of `tickets` (else "Found invalid column 'x' for
//! sorting."), a direction `asc` or `desc` in any case (else "Found invalid order by value
//! x. Please use 'asc' or 'desc'."); a column without a direction is left out; nothing left
//! means `updated_at` descending. Which names are columns is [`Columns`]'.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use crate::params::{ruby_inspect, Params};
use crate::records::Record;
use crate::refusal::TicketRefusal;
use crate::release::ZammadVersion;

/// The columns of `tickets`: the running release's, and the data set's own attributes (its
/// custom fields), as its lowest ticket shows them. The `*_ids` lists assets add are not
/// columns.
#[derive(Debug, Clone)]
pub(super) struct Columns {
    names: Vec<String>,
}

impl Columns {
    /// The release's ticket columns and those of `sample`.
    pub(super) fn of(release: ZammadVersion, sample: Option<&Record>) -> Self {
        let mut names: Vec<String> = release
            .room()
            .ticket_calls
            .ticket_keys
            .iter()
            .filter(|key| !key.ends_with("_ids"))
            .map(|key| (*key).to_owned())
            .collect();
        if let Some(sample) = sample {
            if let Ok(attrs) = serde_json::from_str::<serde_json::Map<String, Value>>(sample.json())
            {
                for (key, value) in attrs {
                    let is_list = key.ends_with("_ids") && value.is_array();
                    if !is_list && !names.contains(&key) {
                        names.push(key);
                    }
                }
            }
        }
        Self { names }
    }

    /// Whether `name` is a column (`columns_hash[name]`).
    pub(super) fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }
}

/// The columns a result is ordered by, each ascending or descending, in turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Order {
    /// (column, descending).
    pub(super) keys: Vec<(String, bool)>,
}

impl Order {
    /// The order `params` ask for.
    ///
    /// # Errors
    /// The refusals of `get_sort_by` (checked first) and `get_order_by`, with the text for
    /// callers who may see details (`detailed`) or masked.
    pub(super) fn from_params(
        params: &Params<'_>,
        columns: &Columns,
        detailed: bool,
    ) -> Result<Self, TicketRefusal> {
        let sort_by = values(params, "sort_by");
        for column in &sort_by {
            if !columns.has(column) {
                return Err(TicketRefusal::SortColumnInvalid {
                    column: column.to_string(),
                    detailed,
                });
            }
        }
        let mut order_by = Vec::with_capacity(sort_by.len());
        for value in values(params, "order_by") {
            let lower = value.to_ascii_lowercase();
            if lower != "asc" && lower != "desc" {
                return Err(TicketRefusal::SortOrderInvalid {
                    value: value.into_owned(),
                    detailed,
                });
            }
            order_by.push(lower == "desc");
        }
        // The defaults stand in for a list left empty, each on its own: `sort_by=title`
        // alone sorts by title descending.
        let sort_by = if sort_by.is_empty() {
            vec![Cow::Borrowed("updated_at")]
        } else {
            sort_by
        };
        if order_by.is_empty() {
            order_by.push(true);
        }
        let keys: Vec<(String, bool)> = sort_by
            .iter()
            .zip(order_by)
            .map(|(column, descending)| (column.to_string(), descending))
            .collect();
        Ok(Self { keys })
    }
}

/// `SqlHelper#get_param_key`: a string split at commas (with the spaces around them, as
/// `split(/\s*,\s*/)`, trailing empty pieces dropped), a list as it is (`sort_by[]=…` in a
/// query string, or a JSON array), nothing for a blank value; other values as Ruby would
/// interpolate them.
fn values<'p>(params: &'p Params<'_>, key: &str) -> Vec<Cow<'p, str>> {
    let listed = params.texts(&format!("{key}[]"));
    if !listed.is_empty() {
        return listed.into_iter().map(Cow::Borrowed).collect();
    }
    match params.value(key) {
        None => Vec::new(),
        Some(value) => match value.as_ref() {
            Value::Null => Vec::new(),
            Value::String(text) => split(text).into_iter().map(Cow::Owned).collect(),
            Value::Array(items) if items.is_empty() => Vec::new(),
            Value::Array(items) => items.iter().map(|i| Cow::Owned(interpolated(i))).collect(),
            Value::Object(map) if map.is_empty() => Vec::new(),
            other => vec![Cow::Owned(interpolated(other))],
        },
    }
}

/// `text.split(/\s*,\s*/)` for a present text; a blank one is no list at all.
fn split(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    let pieces: Vec<&str> = text.split(',').collect();
    let last = pieces.len() - 1;
    let mut out: Vec<String> = pieces
        .iter()
        .enumerate()
        .map(|(n, piece)| {
            let piece = if n > 0 { piece.trim_start() } else { piece };
            let piece = if n < last { piece.trim_end() } else { piece };
            piece.to_owned()
        })
        .collect();
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// `"#{value}"`: a string as it is, nil as nothing, anything else inspected.
fn interpolated(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => ruby_inspect(other),
    }
}

/// How two raw column values compare in ascending order, as PostgreSQL orders them: NULL
/// after everything (so first when descending), numbers by value, booleans false first,
/// strings by their bytes (a choice: PostgreSQL follows the database's collation).
pub(super) fn compare_raw(a: Option<&str>, b: Option<&str>) -> Ordering {
    fn rank(raw: Option<&str>) -> u8 {
        match raw.map(|r| r.as_bytes().first().copied()) {
            None | Some(None) => 4,
            Some(Some(b'n')) => 4,
            Some(Some(b't' | b'f')) => 0,
            Some(Some(b'"')) => 2,
            Some(Some(b'-' | b'0'..=b'9')) => 1,
            Some(Some(_)) => 3,
        }
    }
    let (ra, rb) = (rank(a), rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    let (a, b) = (a.unwrap_or(""), b.unwrap_or(""));
    match ra {
        0 => (a == "true").cmp(&(b == "true")),
        1 => {
            let (x, y) = (a.parse::<f64>(), b.parse::<f64>());
            match (x, y) {
                (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
                _ => a.cmp(b),
            }
        }
        // A string by its content: the closing quote must not sort before a space.
        2 => a[1..a.len().saturating_sub(1).max(1)].cmp(&b[1..b.len().saturating_sub(1).max(1)]),
        4 => Ordering::Equal,
        _ => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(query: &str) -> Result<Vec<(String, bool)>, TicketRefusal> {
        let params = Params::from_parts("", b"", query).unwrap();
        let columns = Columns::of(ZammadVersion::V5_0, None);
        Order::from_params(&params, &columns, true).map(|o| o.keys)
    }

    fn keys(list: &[(&str, bool)]) -> Vec<(String, bool)> {
        list.iter().map(|(c, d)| ((*c).to_owned(), *d)).collect()
    }

    #[test]
    fn the_default_is_updated_at_descending_and_each_list_defaults_on_its_own() {
        assert_eq!(order(""), Ok(keys(&[("updated_at", true)])));
        assert_eq!(order("sort_by=title"), Ok(keys(&[("title", true)])));
        assert_eq!(order("order_by=ASC"), Ok(keys(&[("updated_at", false)])));
    }

    #[test]
    fn lists_pair_by_position_and_a_column_without_direction_is_left_out() {
        assert_eq!(
            order("sort_by=title,%20id&order_by=asc"),
            Ok(keys(&[("title", false)]))
        );
        assert_eq!(
            order("sort_by[]=title&sort_by[]=id&order_by[]=asc&order_by[]=desc"),
            Ok(keys(&[("title", false), ("id", true)]))
        );
    }

    #[test]
    fn unknown_columns_and_directions_are_refused_with_zammads_words() {
        assert_eq!(
            order("sort_by=nope&order_by=sideways"),
            Err(TicketRefusal::SortColumnInvalid {
                column: "nope".into(),
                detailed: true
            })
        );
        assert_eq!(
            order("order_by=sideways"),
            Err(TicketRefusal::SortOrderInvalid {
                value: "sideways".into(),
                detailed: true
            })
        );
        // `" a".split(/\s*,\s*/)` keeps the leading space.
        assert!(order("sort_by=%20title").is_err());
        assert_eq!(order("sort_by=title,"), Ok(keys(&[("title", true)])));
    }

    #[test]
    fn raw_values_order_as_postgresql_orders_them() {
        let cmp = |a: &str, b: &str| compare_raw(Some(a), Some(b));
        assert_eq!(cmp("2", "10"), Ordering::Less);
        assert_eq!(cmp(r#""a""#, r#""b""#), Ordering::Less);
        assert_eq!(cmp(r#""a""#, r#""a b""#), Ordering::Less);
        assert_eq!(cmp("null", r#""b""#), Ordering::Greater);
        assert_eq!(compare_raw(None, Some("1")), Ordering::Greater);
        assert_eq!(cmp("false", "true"), Ordering::Less);
        assert_eq!(cmp("null", "null"), Ordering::Equal);
    }
}
