//! Reading a stored record's JSON text without parsing it: the raw text of a few top-level
//! values found in one pass ([`fields`]), a raw value as the text SQL would compare
//! ([`text`]), and the ids of a raw list ([`ids`]). The search reads every ticket in scope
//! and its articles; building a `serde_json::Value` for each would allocate per record, so
//! it reads the stored text where it lies (records keep their attributes as compact JSON).

use std::ops::Range;

/// The raw text of the top-level values of `json` whose keys are in `wanted`, in one pass:
/// `out[i]` is set to the range of the value of key `wanted[i]` (left as it is when the key
/// is absent). Stops as soon as every key was found. A malformed text leaves the rest unset.
pub(super) fn fields(json: &str, wanted: &[&str], out: &mut [Option<Range<usize>>]) {
    debug_assert_eq!(wanted.len(), out.len());
    let bytes = json.as_bytes();
    let mut left = wanted.len();
    let Some(mut i) = skip_space(bytes, 0) else {
        return;
    };
    if bytes[i] != b'{' {
        return;
    }
    i += 1;
    while left > 0 {
        let Some(start) = skip_space(bytes, i) else {
            return;
        };
        if bytes[start] != b'"' {
            return;
        }
        let Some(end) = string_end(json, start) else {
            return;
        };
        let key = &json[start + 1..end];
        let Some(colon) = skip_space(bytes, end + 1).filter(|&c| bytes[c] == b':') else {
            return;
        };
        let Some(value) = skip_space(bytes, colon + 1) else {
            return;
        };
        let Some(value_end) = value_end(json, value) else {
            return;
        };
        for (slot, name) in out.iter_mut().zip(wanted) {
            if slot.is_none() && *name == key {
                *slot = Some(value..value_end);
                left -= 1;
            }
        }
        match skip_space(bytes, value_end) {
            Some(next) if bytes[next] == b',' => i = next + 1,
            _ => return,
        }
    }
}

/// The first index at or after `from` that is not JSON whitespace.
fn skip_space(bytes: &[u8], from: usize) -> Option<usize> {
    (from..bytes.len()).find(|&i| !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r'))
}

/// The index of the quote that closes the string opening at `open`. Keys and most values
/// are short: their first bytes are looked at one by one (a `memchr` call costs more than
/// such a string), a longer rest (an article's body) through `memchr`.
fn string_end(json: &str, open: usize) -> Option<usize> {
    let bytes = json.as_bytes();
    let mut i = open + 1;
    let short = bytes.len().min(open + 1 + 32);
    while i < short {
        match bytes[i] {
            b'"' => return Some(i),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    if i >= bytes.len() {
        return None;
    }
    let mut from = i;
    loop {
        // `str::find` of one byte runs memchr.
        let quote = from + json.get(from..)?.find('"')?;
        let backslashes = bytes[open + 1..quote]
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return Some(quote);
        }
        from = quote + 1;
    }
}

/// The end (exclusive) of the value starting at `start`.
fn value_end(json: &str, start: usize) -> Option<usize> {
    let bytes = json.as_bytes();
    match bytes[start] {
        b'"' => string_end(json, start).map(|end| end + 1),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = start;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => i = string_end(json, i)?,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => Some(
            (start..bytes.len())
                .find(|&i| matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'))
                .unwrap_or(bytes.len()),
        ),
    }
}

/// The raw list under the top-level key `key` of a compact record text whose lists come
/// last (a ticket's `article_ids`, after every column, as `attributes_with_association_ids`
/// orders them): found from the end, where a key follows a `,` (inside a string a quote is
/// always escaped). `None` when the text is not so shaped; the caller then reads it in full.
pub(super) fn list_near_end(json: &str, key: &str) -> Option<Range<usize>> {
    let bytes = json.as_bytes();
    let mut end = json.len();
    loop {
        let at = memchr::memmem::rfind(&bytes[..end], key.as_bytes())?;
        end = at;
        let structural = at >= 2
            && bytes[at - 1] == b'"'
            && bytes[at - 2] == b','
            && json[at + key.len()..].starts_with("\":[");
        if structural {
            let start = at + key.len() + 2;
            return value_end(json, start).map(|stop| start..stop);
        }
    }
}

/// A raw value as the text a `LIKE` or an `IN` compares: a string's content (decoded into
/// `buf` only when it holds an escape), a number or boolean as written, `None` for null
/// (SQL's NULL, which no comparison holds for).
pub(super) fn text<'b>(raw: &'b str, buf: &'b mut String) -> Option<&'b str> {
    if raw == "null" {
        return None;
    }
    let Some(content) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
        return Some(raw);
    };
    if !content.contains('\\') {
        return Some(content);
    }
    buf.clear();
    unescape(content, buf);
    Some(buf.as_str())
}

/// JSON's escapes decoded (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX` with
/// surrogate pairs); an escape that is not one is kept as it is.
fn unescape(content: &str, out: &mut String) {
    let mut chars = content.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{08}'),
            Some('f') => out.push('\u{0c}'),
            Some('u') => {
                let hex = |chars: &mut std::str::Chars<'_>| {
                    let digits: String = chars.by_ref().take(4).collect();
                    u32::from_str_radix(&digits, 16).ok()
                };
                let Some(high) = hex(&mut chars) else {
                    continue;
                };
                let code = if (0xD800..0xDC00).contains(&high) {
                    let rest = chars.as_str();
                    match rest.strip_prefix("\\u") {
                        Some(after) => {
                            chars = after.chars();
                            hex(&mut chars)
                                .map(|low| 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                        }
                        None => None,
                    }
                } else {
                    Some(high)
                };
                out.push(code.and_then(char::from_u32).unwrap_or('\u{fffd}'));
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
}

/// The integers of a raw list (`[464963,464964]`), in order; anything else in it is skipped.
pub(super) fn ids(raw: &str) -> impl Iterator<Item = i64> + '_ {
    raw.strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or("")
        .split(',')
        .filter_map(|item| item.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found<'j>(json: &'j str, wanted: &[&str]) -> Vec<Option<&'j str>> {
        let mut out = vec![None; wanted.len()];
        fields(json, wanted, &mut out);
        out.into_iter().map(|r| r.map(|r| &json[r])).collect()
    }

    #[test]
    fn top_level_values_are_found_in_one_pass_and_nested_keys_are_not() {
        let json = r#"{"id":1,"preferences":{"title":"inner"},"title":"T \"q\"","article_ids":[5, 6],"n":null}"#;
        assert_eq!(
            found(json, &["title", "article_ids", "n", "missing", "id"]),
            vec![
                Some(r#""T \"q\"""#),
                Some("[5, 6]"),
                Some("null"),
                None,
                Some("1")
            ]
        );
    }

    #[test]
    fn a_key_asked_for_twice_is_found_for_both() {
        let json = r#"{"a":"x","b":2}"#;
        assert_eq!(found(json, &["b", "b"]), vec![Some("2"), Some("2")]);
    }

    #[test]
    fn malformed_text_leaves_the_rest_unset() {
        assert_eq!(found(r#"{"a":"x"#, &["a"]), vec![None]);
        assert_eq!(found("[1]", &["a"]), vec![None]);
        assert_eq!(found("", &["a"]), vec![None]);
    }

    #[test]
    fn raw_values_read_as_sql_compares_them() {
        let mut buf = String::new();
        assert_eq!(text("null", &mut buf), None);
        assert_eq!(text("12", &mut buf), Some("12"));
        assert_eq!(text(r#""plain""#, &mut buf), Some("plain"));
        assert_eq!(
            text(r#""a\"b\\c\nd\u00e9\ud83d\ude00""#, &mut buf),
            Some("a\"b\\c\ndé😀")
        );
    }

    #[test]
    fn long_strings_and_escapes_past_the_short_scan_end_where_they_do() {
        let long = "x".repeat(40);
        let json = format!(r#"{{"a":"{long}\\","b":"{long}\"q","c":1}}"#);
        assert_eq!(found(&json, &["c"]), vec![Some("1")]);
    }

    #[test]
    fn a_list_near_the_end_is_found_structurally_or_not_at_all() {
        let json = r#"{"title":",\"article_ids\":[9]","preferences":{"article_ids":[8]},"article_ids":[1,2],"x_ids":[]}"#;
        let range = list_near_end(json, "article_ids").unwrap();
        assert_eq!(&json[range], "[1,2]");
        assert_eq!(
            list_near_end(r#"{"title":",\"article_ids\":[9]"}"#, "article_ids"),
            None
        );
        assert_eq!(list_near_end(r#"{"article_ids":[1]}"#, "article_ids"), None);
    }

    #[test]
    fn ids_of_a_raw_list_skip_what_is_not_an_integer() {
        assert_eq!(ids("[1,2, 3]").collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(ids("[]").count(), 0);
        assert_eq!(ids("null").count(), 0);
        assert_eq!(ids(r#"[1,"x",2]"#).collect::<Vec<_>>(), vec![1, 2]);
    }
}
