//! The request journal behind `GET` / `DELETE /__mock/requests`: what each Zammad API call
//! asked and how it was answered, newest last, bounded so a long run cannot exhaust memory.
//! Recording happens in `api`'s journal middleware; this module only keeps the entries.

use std::collections::VecDeque;

use parking_lot::Mutex;
use serde::Serialize;
use serde_json::Value;

/// Entries kept when nothing else is configured.
pub const DEFAULT_LIMIT: usize = 1000;
/// The longest body kept, in bytes; longer bodies are cut and marked.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// One answered request.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct JournalEntry {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path without the query string.
    pub path: String,
    /// The raw query string.
    pub query: String,
    /// The body: its JSON when it parses, else its text, `null` when empty.
    pub body: Value,
    /// The status answered.
    pub status: u16,
    /// The user the request acted as, once authenticated.
    pub user: Option<i64>,
    /// When it was answered (`2021-11-03T10:40:14.528Z`).
    pub time: String,
    /// The fault rule that answered the call instead of Zammad (or only delayed it: kind
    /// `latency`); left out when none did. A call whose connection a rule closed without an
    /// answer has status 444.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<JournalFault>,
}

/// Which fault rule had a say in a journal entry's call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct JournalFault {
    /// The rule's id (`GET /__mock/faults`).
    pub rule: u64,
    /// Its kind: `internal_error`, `drop`, `latency`, …
    pub kind: String,
}

impl JournalEntry {
    /// The body as the journal keeps it.
    pub fn body_value(body: &[u8]) -> Value {
        if body.is_empty() {
            return Value::Null;
        }
        if let Ok(value) = serde_json::from_slice(body) {
            if body.len() <= MAX_BODY_BYTES {
                return value;
            }
        }
        let cut = &body[..body.len().min(MAX_BODY_BYTES)];
        let mut text = String::from_utf8_lossy(cut).into_owned();
        if body.len() > MAX_BODY_BYTES {
            text.push_str("…(truncated)");
        }
        Value::String(text)
    }
}

/// A bounded list of entries.
#[derive(Debug)]
pub struct Journal {
    entries: Mutex<VecDeque<JournalEntry>>,
    limit: usize,
}

impl Default for Journal {
    fn default() -> Self {
        Self::with_limit(DEFAULT_LIMIT)
    }
}

impl Journal {
    /// A journal that keeps at most `limit` entries (0 records nothing).
    pub fn with_limit(limit: usize) -> Self {
        Self {
            entries: Mutex::new(VecDeque::new()),
            limit,
        }
    }

    /// Whether entries are kept at all (a limit of 0 turns the journal off).
    pub fn is_enabled(&self) -> bool {
        self.limit > 0
    }

    /// Appends `entry`, dropping the oldest past the limit.
    ///
    /// Locking: the journal's own mutex, held only for the push.
    pub fn record(&self, entry: JournalEntry) {
        let limit = self.limit;
        if limit == 0 {
            return;
        }
        let mut entries = self.entries.lock();
        while entries.len() >= limit {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// Every entry, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.entries.lock().iter().cloned().collect()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        self.entries.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u16) -> JournalEntry {
        JournalEntry {
            method: "GET".into(),
            path: "/".into(),
            query: String::new(),
            body: Value::Null,
            status: n,
            user: None,
            time: String::new(),
            fault: None,
        }
    }

    #[test]
    fn the_oldest_entries_go_past_the_limit() {
        let journal = Journal::with_limit(2);
        for n in 1..=3 {
            journal.record(entry(n));
        }
        let statuses: Vec<u16> = journal.entries().iter().map(|e| e.status).collect();
        assert_eq!(statuses, [2, 3]);
    }

    #[test]
    fn bodies_are_kept_as_json_or_cut_text() {
        assert_eq!(
            JournalEntry::body_value(b"{\"a\":1}"),
            serde_json::json!({"a": 1})
        );
        assert_eq!(JournalEntry::body_value(b""), Value::Null);
        let long = vec![b'x'; MAX_BODY_BYTES + 1];
        let kept = JournalEntry::body_value(&long);
        assert!(kept.as_str().unwrap().ends_with("…(truncated)"));
    }
}
