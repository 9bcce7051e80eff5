//! Request parameters as Rails builds them: the parsed body (JSON or form) merged with the
//! query string, the query string winning on a clash (`ActionDispatch::Http::Parameters`),
//! and values cast the way ActiveRecord casts them for a column.
//!
//! Reading the raw request is left to `api`; what a parameter means is left to the domain
//! (`links`, `tickets`), and which values a release takes for yes to `release`.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::release::Booleans;

/// Why parameters could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    /// The body claims to be JSON but is not (Rails' `ParseError`).
    #[error("Error occurred while parsing request parameters")]
    Unparsable,
    /// A number too big for Zammad's integer columns.
    #[error("{0} is out of range for ActiveModel::Type::Integer with limit 8 bytes")]
    OutOfRange(String),
}

/// The merged parameters of one request: body entries, then query pairs, in order. A lookup
/// takes the last entry with the key, so the query wins over the body and a later duplicate
/// over an earlier one, as in Rails. (A plain list: a request has a handful of parameters,
/// and building a map for each one showed up in profiles; lookups scan, never merging, so
/// a hostile request with many keys costs linear time.) Form and query text is borrowed from
/// the request where it needs no decoding: copying it showed up in profiles of the seed's GET.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params<'a>(Vec<(Cow<'a, str>, Param<'a>)>);

/// One parameter's value: from a JSON body, or text from a form body or the query string.
#[derive(Debug, Clone, PartialEq)]
enum Param<'a> {
    Json(Value),
    Text(Cow<'a, str>),
}

impl<'a> Params<'a> {
    /// Merges a request's body and query string.
    ///
    /// # Errors
    /// [`ParamsError::Unparsable`] when a JSON body is not valid JSON.
    pub fn from_parts(
        content_type: &str,
        body: &'a [u8],
        query: &'a str,
    ) -> Result<Self, ParamsError> {
        // A link call sends two to six parameters.
        let mut entries = Vec::with_capacity(8);
        let is_blank = body.iter().all(u8::is_ascii_whitespace);
        if !is_blank {
            let media = content_type.split(';').next().unwrap_or("").trim();
            if media.eq_ignore_ascii_case("application/json") || media.ends_with("+json") {
                match serde_json::from_slice::<Value>(body).map_err(|_| ParamsError::Unparsable)? {
                    Value::Object(object) => entries.extend(json_entries(object)),
                    // Rails wraps any other JSON value as `_json`, which no link call reads.
                    other => entries.push(("_json".into(), Param::Json(other))),
                }
            } else if media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
                entries.extend(form_pairs(body));
            }
        }
        if query.bytes().any(|b| b == b'%' || b == b'+') {
            entries.extend(form_pairs(query.as_bytes()));
        } else {
            entries.extend(plain_pairs(query));
        }
        Ok(Self(entries))
    }

    fn get(&self, key: &str) -> Option<&Param<'a>> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// `key` as a JSON value, uncast: a JSON body's value as sent, a form or query value as
    /// a string (the ticket calls read nested `article`, `links` and `customer` objects).
    pub fn value(&self, key: &str) -> Option<Cow<'_, Value>> {
        match self.get(key)? {
            Param::Json(value) => Some(Cow::Borrowed(value)),
            Param::Text(text) => Some(Cow::Owned(Value::String(text.to_string()))),
        }
    }

    /// The text of every `key` pair of the query string or a form body, in order: Rails
    /// collects `sort_by[]=a&sort_by[]=b` into one array under `sort_by`.
    pub fn texts(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .filter_map(|(_, v)| match v {
                Param::Text(text) => Some(text.as_ref()),
                Param::Json(_) => None,
            })
            .collect()
    }

    /// Whether `key` was sent at all, even as null (`params.key?`).
    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    /// Whether `key` is a yes as `booleans` (the running release's rule) reads it.
    pub fn is_true(&self, key: &str, booleans: Booleans) -> bool {
        match booleans {
            Booleans::TrueOrOne => self.is_true_or_one(key),
            Booleans::ActiveModel => self.is_active_model_true(key),
        }
    }

    /// Whether `ActiveModel::Type::Boolean#cast` makes `key` true: anything but its false
    /// values (`false`, `0`, `"0"`, `"f"`, `"F"`, `"false"`, `"FALSE"`, `"off"`, `"OFF"`), a
    /// blank string (cast to nil) or nil. (`0.0` is not among them: Ruby's set compares with
    /// `eql?`.)
    fn is_active_model_true(&self, key: &str) -> bool {
        const FALSE_TEXTS: [&str; 8] = ["0", "f", "F", "false", "FALSE", "off", "OFF", ""];
        match self.get(key) {
            Some(Param::Text(text)) => !FALSE_TEXTS.contains(&text.as_ref()),
            Some(Param::Json(Value::String(text))) => !FALSE_TEXTS.contains(&text.as_str()),
            Some(Param::Json(Value::Bool(b))) => *b,
            Some(Param::Json(Value::Number(n))) => n.as_i64() != Some(0) || n.is_f64(),
            Some(Param::Json(Value::Null)) | None => false,
            Some(Param::Json(Value::Array(_) | Value::Object(_))) => true,
        }
    }

    /// `key` as Ruby's `to_i` reads a present value (`params[:page]&.to_i`): a blank string is
    /// 0, unlike an integer column's cast; absent or null is nothing.
    ///
    /// # Errors
    /// [`ParamsError::OutOfRange`] for a number beyond 64 bits.
    pub fn to_i(&self, key: &str) -> Result<Option<i64>, ParamsError> {
        match self.get(key) {
            None | Some(Param::Json(Value::Null)) => Ok(None),
            Some(Param::Text(text)) if text.trim().is_empty() => Ok(Some(0)),
            Some(Param::Json(Value::String(text))) if text.trim().is_empty() => Ok(Some(0)),
            Some(_) => self.integer(key).map(|n| n.or(Some(0))),
        }
    }

    /// `key` as Ruby's `inspect` shows what was sent: `nil` when absent, a string quoted
    /// and escaped, numbers, `true`/`false`, arrays and hashes (`{"a"=>1}`) as Ruby writes
    /// them — for the messages Zammad builds from raw parameters.
    pub fn inspect(&self, key: &str) -> String {
        match self.get(key) {
            None => "nil".to_owned(),
            Some(Param::Text(text)) => ruby_inspect_string(text),
            Some(Param::Json(value)) => ruby_inspect(value),
        }
    }

    /// Whether `key` is one of the four values the seed's line takes for yes: `true`, `1`, or
    /// their text (`application_controller/has_response_extentions.rb#response_expand?`).
    fn is_true_or_one(&self, key: &str) -> bool {
        match self.get(key) {
            Some(Param::Text(text)) => text == "true" || text == "1",
            Some(Param::Json(Value::String(text))) => text == "true" || text == "1",
            Some(Param::Json(Value::Bool(b))) => *b,
            // Ruby's `1.0 == 1` holds too.
            Some(Param::Json(Value::Number(n))) => n.as_f64() == Some(1.0),
            Some(Param::Json(_)) | None => false,
        }
    }

    /// `key` cast to a string column: integers as their text, other numbers as Ruby's
    /// `Float#to_s` writes them, `true`/`false` as `t`/`f` (ActiveModel's boolean
    /// serialisation), null or a structure as nothing.
    pub fn string(&self, key: &str) -> Option<Cow<'_, str>> {
        let value = match self.get(key)? {
            Param::Text(text) => return Some(Cow::Borrowed(text)),
            Param::Json(value) => value,
        };
        match value {
            Value::String(s) => Some(Cow::Borrowed(s)),
            Value::Number(n) => Some(Cow::Owned(match n.as_f64().filter(|_| n.is_f64()) {
                Some(float) => ruby_float_to_s(float),
                None => n.to_string(),
            })),
            Value::Bool(true) => Some(Cow::Borrowed("t")),
            Value::Bool(false) => Some(Cow::Borrowed("f")),
            Value::Null | Value::Array(_) | Value::Object(_) => None,
        }
    }

    /// `key` cast to an integer column (`ActiveModel::Type::Integer`): integers as they are,
    /// fractions truncated, strings through Ruby's `String#to_i` (`"12abc"` is 12, `"abc"` is
    /// 0, `""` is nothing), booleans as 1/0, null or a structure as nothing.
    ///
    /// # Errors
    /// [`ParamsError::OutOfRange`] for a number beyond 64 bits.
    pub fn integer(&self, key: &str) -> Result<Option<i64>, ParamsError> {
        let value = match self.get(key) {
            Some(Param::Text(text)) => return ruby_to_i(text),
            Some(Param::Json(value)) => Some(value),
            None => None,
        };
        match value {
            None | Some(Value::Null | Value::Array(_) | Value::Object(_)) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(i64::from(*b))),
            Some(Value::Number(n)) => {
                if let Some(i) = n.as_i64() {
                    Ok(Some(i))
                } else {
                    let f = n.as_f64().unwrap_or(f64::NAN);
                    if f.is_finite() && f.abs() < 9.2e18 {
                        Ok(Some(f.trunc() as i64))
                    } else {
                        Err(ParamsError::OutOfRange(n.to_string()))
                    }
                }
            }
            Some(Value::String(s)) => ruby_to_i(s),
        }
    }
}

/// `value` as Ruby's `inspect` writes the object Rails parsed it into.
pub(crate) fn ruby_inspect(value: &Value) -> String {
    match value {
        Value::Null => "nil".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64().filter(|_| n.is_f64()) {
            Some(float) => ruby_float_to_s(float),
            None => n.to_string(),
        },
        Value::String(text) => ruby_inspect_string(text),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(ruby_inspect).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let pairs: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}=>{}", ruby_inspect_string(k), ruby_inspect(v)))
                .collect();
            format!("{{{}}}", pairs.join(", "))
        }
    }
}

/// Ruby's `String#inspect` (`rb_str_inspect`): double quotes, `"`, `\` and the start of an
/// interpolation (`#{`, `#$`, `#@`) escaped, control characters as `\n`, `\t`, `\e`, … or
/// `\xNN`/`\u{…}`, everything printable as it is.
fn ruby_inspect_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '#' if matches!(chars.peek(), Some('{' | '$' | '@')) => out.push_str("\\#"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0c}' => out.push_str("\\f"),
            '\u{0b}' => out.push_str("\\v"),
            '\u{08}' => out.push_str("\\b"),
            '\u{07}' => out.push_str("\\a"),
            '\u{1b}' => out.push_str("\\e"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02X}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Ruby's `Float#to_s` (`flo_to_s` in `numeric.c`): the shortest digits that read back as
/// the same float, in plain notation while the decimal point falls within 16 digits and no
/// more than 4 zeros follow the point (`1000.0`, `0.0001`), else in scientific notation with
/// at least two exponent digits (`1.0e-06`, `1.0e+16`).
fn ruby_float_to_s(value: f64) -> String {
    // Rust's `{:e}` gives the same shortest round-trip digits: `1.5e0`, `1e-7`.
    let scientific = format!("{:e}", value.abs());
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("`{:e}` always writes an exponent");
    let exponent: i32 = exponent.parse().expect("`{:e}` writes an integer exponent");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    // The decimal point's position after the first `decpt` digits.
    let decpt = exponent + 1;
    let sign = if value.is_sign_negative() { "-" } else { "" };
    let body = if value == 0.0 {
        "0.0".to_owned()
    } else if decpt > 0 && decpt <= 16 {
        let decpt = decpt as usize;
        if digits.len() <= decpt {
            format!("{digits}{}.0", "0".repeat(decpt - digits.len()))
        } else {
            format!("{}.{}", &digits[..decpt], &digits[decpt..])
        }
    } else if decpt <= 0 && decpt > -4 {
        format!("0.{}{digits}", "0".repeat((-decpt) as usize))
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        format!(
            "{first}.{rest}e{}{:02}",
            if exponent < 0 { '-' } else { '+' },
            exponent.abs()
        )
    };
    format!("{sign}{body}")
}

/// Ruby's `String#to_i` for a blank-checked string: leading whitespace, a sign, then digits
/// (single underscores between digits allowed); anything else ends the number.
pub(crate) fn ruby_to_i(text: &str) -> Result<Option<i64>, ParamsError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let rest = text.trim_start();
    let (negative, rest) = match rest.as_bytes().first() {
        Some(b'-') => (true, &rest[1..]),
        Some(b'+') => (false, &rest[1..]),
        _ => (false, rest),
    };
    // Accumulated negatively so that i64::MIN fits; `None` once it overflowed.
    let mut value: Option<i64> = Some(0);
    let mut digits = 0usize;
    let mut last_was_digit = false;
    let mut end = 0;
    for (at, byte) in rest.bytes().enumerate() {
        match byte {
            b'0'..=b'9' => {
                let digit = i64::from(byte - b'0');
                value = value
                    .and_then(|v| v.checked_mul(10))
                    .and_then(|v| v.checked_sub(digit));
                digits += 1;
                last_was_digit = true;
            }
            b'_' if last_was_digit => last_was_digit = false,
            _ => break,
        }
        end = at + 1;
    }
    if digits == 0 {
        return Ok(Some(0));
    }
    let value = if negative {
        value
    } else {
        value.and_then(i64::checked_neg)
    };
    value.map(Some).ok_or_else(|| {
        let text: String = rest[..end].chars().filter(|c| *c != '_').collect();
        ParamsError::OutOfRange(if negative { format!("-{text}") } else { text })
    })
}

fn json_entries<'a>(map: Map<String, Value>) -> impl Iterator<Item = (Cow<'a, str>, Param<'a>)> {
    map.into_iter()
        .map(|(key, value)| (Cow::Owned(key), Param::Json(value)))
}

/// The pairs of a query string with nothing to decode (no `%`, no `+`), borrowed as they
/// are: what `form_urlencoded::parse` gives for such text (pieces split at `&`, empty ones
/// skipped, each split at its first `=`), without its three decoding passes per key and
/// value, which were a twentieth of the seed's GET in instruction profiles. A unit test
/// holds the two to the same answers.
fn plain_pairs(query: &str) -> impl Iterator<Item = (Cow<'_, str>, Param<'_>)> {
    query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            (Cow::Borrowed(key), Param::Text(Cow::Borrowed(value)))
        })
}

fn form_pairs(input: &[u8]) -> impl Iterator<Item = (Cow<'_, str>, Param<'_>)> {
    form_urlencoded::parse(input).map(|(key, value)| (key, Param::Text(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_with_nothing_to_decode_split_as_form_urlencoded_splits_them() {
        for query in [
            "",
            "a=1",
            "a=1&b=2",
            "&&a=1&&",
            "a",
            "a=",
            "=1",
            "a==1&b=2=3",
            "link_object=Ticket&link_object_value=147469",
            "é=ü&x=ß",
        ] {
            let plain: Vec<_> = plain_pairs(query).collect();
            let form: Vec<_> = form_pairs(query.as_bytes()).collect();
            assert_eq!(plain, form, "{query:?}");
        }
    }

    #[test]
    fn the_query_string_wins_over_the_body() {
        let params = Params::from_parts(
            "application/json",
            br#"{"link_object": "Ticket", "link_object_value": 1}"#,
            "link_object_value=2",
        )
        .unwrap();
        assert_eq!(params.integer("link_object_value").unwrap(), Some(2));
        assert_eq!(params.string("link_object").as_deref(), Some("Ticket"));
    }

    #[test]
    fn only_zammads_four_yes_values_are_true() {
        let yes = |body: &str, query: &str| {
            Params::from_parts("application/json", body.as_bytes(), query)
                .unwrap()
                .is_true("expand", Booleans::TrueOrOne)
        };
        assert!(yes("", "expand=true") && yes("", "expand=1"));
        assert!(yes(r#"{"expand": true}"#, "") && yes(r#"{"expand": 1}"#, ""));
        assert!(yes(r#"{"expand": "true"}"#, ""));
        assert!(!yes("", "expand=yes") && !yes("", "expand=TRUE") && !yes("", "expand="));
        assert!(!yes(r#"{"expand": false}"#, "") && !yes("", "expand=t") && !yes("", ""));
    }

    #[test]
    fn strings_cast_to_integers_like_ruby() {
        let cast = |s: &str| ruby_to_i(s).unwrap();
        assert_eq!(cast("147469"), Some(147469));
        assert_eq!(cast(" 12abc"), Some(12));
        assert_eq!(cast("abc"), Some(0));
        assert_eq!(cast("-7"), Some(-7));
        assert_eq!(cast("1_000"), Some(1000));
        assert_eq!(cast(""), None);
        assert_eq!(cast("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(cast("9223372036854775807"), Some(i64::MAX));
        assert_eq!(cast("7_"), Some(7));
        assert_eq!(
            ruby_to_i("99999999999999999999"),
            Err(ParamsError::OutOfRange("99999999999999999999".into()))
        );
        assert!(ruby_to_i("9223372036854775808").is_err());
    }

    #[test]
    fn floats_cast_to_strings_as_ruby_writes_them() {
        // See: issue 13, point 5 (Ruby's `Float#to_s`).
        for (float, ruby) in [
            (1.5, "1.5"),
            (1e3, "1000.0"),
            (0.000001, "1.0e-06"),
            (1e-7, "1.0e-07"),
            (0.0001, "0.0001"),
            (123.456, "123.456"),
            (1e15, "1000000000000000.0"),
            (1e16, "1.0e+16"),
            (1.25e20, "1.25e+20"),
            (-2.5, "-2.5"),
            (0.0, "0.0"),
            (0.1, "0.1"),
        ] {
            assert_eq!(ruby_float_to_s(float), ruby, "for {float:e}");
        }
        let params = Params::from_parts(
            "application/json",
            br#"{"t": 1e-7, "b": true, "i": 1000}"#,
            "",
        )
        .unwrap();
        assert_eq!(params.string("t").as_deref(), Some("1.0e-07"));
        assert_eq!(params.string("b").as_deref(), Some("t"));
        assert_eq!(params.string("i").as_deref(), Some("1000"));
    }

    #[test]
    fn numbers_cast_to_strings_for_ticket_numbers() {
        let params = Params::from_parts("application/json", br#"{"n": 34147471}"#, "").unwrap();
        assert_eq!(params.string("n").as_deref(), Some("34147471"));
    }

    #[test]
    fn a_broken_json_body_is_a_parse_error_and_other_types_are_ignored() {
        assert_eq!(
            Params::from_parts("application/json", b"{", ""),
            Err(ParamsError::Unparsable)
        );
        let ignored = Params::from_parts("text/plain", b"{", "").unwrap();
        assert!(!ignored.has("{"));
    }

    #[test]
    fn a_later_duplicate_wins_and_form_bodies_merge_too() {
        let params = Params::from_parts(
            "application/x-www-form-urlencoded",
            b"link_type=normal&link_object_value=1",
            "link_object_value=2&link_object_value=3",
        )
        .unwrap();
        assert_eq!(params.integer("link_object_value").unwrap(), Some(3));
        assert_eq!(params.string("link_type").as_deref(), Some("normal"));
    }

    #[test]
    fn query_text_is_decoded_where_it_is_escaped() {
        let params =
            Params::from_parts("", b"", "link_object=Ticket&link_type=a%20b+c&n=%2B12").unwrap();
        assert_eq!(params.string("link_object").as_deref(), Some("Ticket"));
        assert_eq!(params.string("link_type").as_deref(), Some("a b c"));
        assert_eq!(params.integer("n").unwrap(), Some(12));
    }

    #[test]
    fn null_is_sent_but_has_no_value() {
        let params = Params::from_parts("application/json", br#"{"link_type": null}"#, "").unwrap();
        assert!(params.has("link_type"));
        assert_eq!(params.string("link_type"), None);
    }
}
