//! The record sequences: the next ticket, article, user and attachment ids and the ticket
//! number counter (spec §11.1). Like the link id sequence they are held under the writer
//! lock, handed out by the write transaction only, never reused, and persisted with the
//! write that moves them (`WriteSet::put_sequences`), so that neither a restart nor a
//! `kill -9` hands an id or a number out twice. Each starts one past the highest value the
//! data set holds (records, the ids a ticket lists in `article_ids`, the counters in its
//! numbers) and a merged record moves it on; a reset goes back to the data set's values.

use crate::model::ModelKind;
use crate::records::{listed_ids, Record};
use crate::store::WriteSet;
use crate::tickets::numbers;

/// What a record sequence numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sequence {
    /// Ticket ids.
    Ticket,
    /// Article ids.
    Article,
    /// User ids (customers created by `guess:` or a `customer` object).
    User,
    /// Attachment (`Store`) ids.
    Attachment,
}

/// The record sequences' next values and the number counter's last value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordIds {
    ticket: u64,
    article: u64,
    user: u64,
    attachment: u64,
    /// The last counter value a number used (`Ticket::Counter`'s content).
    counter: u64,
}

impl Default for RecordIds {
    fn default() -> Self {
        Self {
            ticket: 1,
            article: 1,
            user: 1,
            attachment: 1,
            counter: 0,
        }
    }
}

/// The sequences in the order the database stores their values (never reorder: databases
/// hold them; a new one goes at the end).
const NAMES: [&str; 5] = ["ticket", "article", "user", "attachment", "ticket_counter"];

impl RecordIds {
    fn slots(&mut self) -> [&mut u64; 5] {
        [
            &mut self.ticket,
            &mut self.article,
            &mut self.user,
            &mut self.attachment,
            &mut self.counter,
        ]
    }

    fn values(&self) -> [u64; 5] {
        [
            self.ticket,
            self.article,
            self.user,
            self.attachment,
            self.counter,
        ]
    }

    /// Moves every sequence past what `record` holds: its own id, the article ids a ticket
    /// lists, the counter in a ticket's number, the ids of an article's attachments.
    pub fn observe(&mut self, record: &Record) {
        let past = |slot: &mut u64, id: i64| {
            if let Ok(id) = u64::try_from(id) {
                *slot = (*slot).max(id.saturating_add(1));
            }
        };
        match record.kind {
            ModelKind::Ticket => {
                past(&mut self.ticket, record.id);
                for id in listed_ids(record.json(), "article_ids") {
                    past(&mut self.article, id);
                }
                if let Some(counter) = record
                    .fields
                    .number
                    .as_deref()
                    .and_then(numbers::counter_in)
                {
                    self.counter = self.counter.max(counter);
                }
            }
            ModelKind::TicketArticle => {
                past(&mut self.article, record.id);
                for id in attachment_ids(record.json()) {
                    past(&mut self.attachment, id);
                }
            }
            ModelKind::User => past(&mut self.user, record.id),
            ModelKind::Role
            | ModelKind::Group
            | ModelKind::Organization
            | ModelKind::Permission
            | ModelKind::KbAnswerTranslation
            | ModelKind::TicketState
            | ModelKind::TicketPriority => {}
        }
    }

    /// Moves every sequence past the values a database recorded (`Snapshot::sequences`, in
    /// [`NAMES`]' order; a shorter list leaves the later ones as they are).
    pub fn observe_stored(&mut self, stored: &[u64]) {
        for (slot, value) in self.slots().into_iter().zip(stored) {
            *slot = (*slot).max(*value);
        }
    }

    /// Hands out the next value of `sequence`.
    pub fn next(&mut self, sequence: Sequence) -> i64 {
        let slot = match sequence {
            Sequence::Ticket => &mut self.ticket,
            Sequence::Article => &mut self.article,
            Sequence::User => &mut self.user,
            Sequence::Attachment => &mut self.attachment,
        };
        let id = *slot;
        *slot += 1;
        i64::try_from(id).unwrap_or(i64::MAX)
    }

    /// The number counter's next value (`counter.content.to_i.next`).
    pub fn next_counter(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// Adds the sequences to `writes` when any differs from `before` (one key for all).
    pub fn write_changes(&self, before: &RecordIds, writes: &mut WriteSet) {
        if self != before {
            self.write_all(writes);
        }
    }

    /// Every sequence as a database records it (`Snapshot::sequences`).
    pub fn stored(&self) -> Vec<u64> {
        self.values().to_vec()
    }

    /// Adds every sequence to `writes` (a whole document's load).
    pub fn write_all(&self, writes: &mut WriteSet) {
        debug_assert_eq!(NAMES.len(), self.values().len());
        writes.put_sequences(&self.values());
    }
}

/// The ids of the attachments an article's JSON lists.
fn attachment_ids(json: &str) -> Vec<i64> {
    #[derive(serde::Deserialize)]
    struct Attachment {
        id: Option<i64>,
    }
    #[derive(serde::Deserialize)]
    struct Article {
        #[serde(default)]
        attachments: Vec<Attachment>,
    }
    serde_json::from_str::<Article>(json)
        .map(|a| a.attachments.into_iter().filter_map(|x| x.id).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: ModelKind, json: &str) -> Record {
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let id = value["id"].as_i64().unwrap();
        Record::from_json(kind, id, json).unwrap()
    }

    #[test]
    fn sequences_start_past_the_data_sets_ids_listed_articles_and_numbers() {
        let mut ids = RecordIds::default();
        ids.observe(&record(
            ModelKind::Ticket,
            r#"{"id":147471,"number":"34147471","article_ids":[464965]}"#,
        ));
        ids.observe(&record(ModelKind::User, r#"{"id":3}"#));
        assert_eq!(ids.next(Sequence::Ticket), 147_472);
        assert_eq!(ids.next(Sequence::Article), 464_966);
        assert_eq!(ids.next(Sequence::User), 4);
        assert_eq!(ids.next_counter(), 147_472);
        assert_eq!(ids.next(Sequence::Ticket), 147_473);
    }

    #[test]
    fn stored_values_and_attachments_move_the_sequences_on() {
        let mut ids = RecordIds::default();
        ids.observe(&record(
            ModelKind::TicketArticle,
            r#"{"id":9,"attachments":[{"id":40}]}"#,
        ));
        ids.observe_stored(&[500]);
        assert_eq!(ids.next(Sequence::Attachment), 41);
        assert_eq!(ids.next(Sequence::Ticket), 500);
        assert_eq!(ids.next(Sequence::Article), 10);
        let before = RecordIds::default();
        let mut writes = WriteSet::new();
        ids.write_changes(&before, &mut writes);
        assert!(!writes.is_empty());
    }
}
