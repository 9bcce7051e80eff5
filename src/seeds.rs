//! The names of the lookup tables a fresh Zammad 5.0 seeds, for the association names of
//! `expand=true`: ticket states, priorities, article types and article senders.
//!
//! States and priorities can be overridden id by id from a fixture's `Ticket::State` and
//! `Ticket::Priority` sections (records in `records`); article types and senders cannot, as
//! no Zammad lets an admin rename them. Rendering the names is left to `expand`.

use crate::model::ModelKind;
use crate::records::RecordStore;

/// `db/seeds/ticket_states.rb` (Zammad 5.0): id → name.
const STATES: [(i64, &str); 7] = [
    (1, "new"),
    (2, "open"),
    (3, "pending reminder"),
    (4, "closed"),
    (5, "merged"),
    (6, "removed"),
    (7, "pending close"),
];

/// `db/seeds/ticket_priorities.rb` (Zammad 5.0): id → name.
const PRIORITIES: [(i64, &str); 3] = [(1, "1 low"), (2, "2 normal"), (3, "3 high")];

/// `db/seeds/ticket_article_types.rb` (Zammad 5.0): id → name.
const ARTICLE_TYPES: [(i64, &str); 12] = [
    (1, "email"),
    (2, "sms"),
    (3, "chat"),
    (4, "fax"),
    (5, "phone"),
    (6, "twitter status"),
    (7, "twitter direct-message"),
    (8, "facebook feed post"),
    (9, "facebook feed comment"),
    (10, "note"),
    (11, "web"),
    (12, "telegram personal-message"),
];

/// `db/seeds/ticket_article_senders.rb` (Zammad 5.0): id → name.
const ARTICLE_SENDERS: [(i64, &str); 3] = [(1, "Agent"), (2, "Customer"), (3, "System")];

fn seeded(table: &[(i64, &'static str)], id: i64) -> Option<&'static str> {
    table
        .iter()
        .find(|(seed, _)| *seed == id)
        .map(|(_, name)| *name)
}

/// The lookup tables whose names `expand=true` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// `Ticket::State`, overridable by the fixture's section of that name.
    State,
    /// `Ticket::Priority`, overridable likewise.
    Priority,
    /// `Ticket::Article::Type`, seeded names only.
    ArticleType,
    /// `Ticket::Article::Sender`, seeded names only.
    ArticleSender,
}

impl Lookup {
    /// The name of row `id`: the fixture's record when it has one, else Zammad's seed.
    pub fn name(self, records: &RecordStore, id: i64) -> Option<String> {
        let (kind, table): (Option<ModelKind>, &[(i64, &'static str)]) = match self {
            Lookup::State => (Some(ModelKind::TicketState), &STATES),
            Lookup::Priority => (Some(ModelKind::TicketPriority), &PRIORITIES),
            Lookup::ArticleType => (None, &ARTICLE_TYPES),
            Lookup::ArticleSender => (None, &ARTICLE_SENDERS),
        };
        kind.and_then(|kind| records.get(kind, id))
            .and_then(|record| record.fields.name.clone())
            .or_else(|| seeded(table, id).map(str::to_owned))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Record;
    use serde_json::json;

    #[test]
    fn seeded_names_answer_when_the_fixture_has_none() {
        let records = RecordStore::default();
        assert_eq!(Lookup::State.name(&records, 2).as_deref(), Some("open"));
        assert_eq!(
            Lookup::State.name(&records, 7).as_deref(),
            Some("pending close")
        );
        assert_eq!(
            Lookup::Priority.name(&records, 2).as_deref(),
            Some("2 normal")
        );
        assert_eq!(
            Lookup::ArticleType.name(&records, 5).as_deref(),
            Some("phone")
        );
        assert_eq!(
            Lookup::ArticleSender.name(&records, 2).as_deref(),
            Some("Customer")
        );
        assert_eq!(Lookup::State.name(&records, 99), None);
    }

    #[test]
    fn a_fixture_record_overrides_its_id_only() {
        let records = RecordStore::default();
        let attrs = json!({"id": 2, "name": "in progress"});
        let serde_json::Value::Object(attrs) = attrs else {
            unreachable!()
        };
        let (record, _) = Record::from_attributes(ModelKind::TicketState, 2, attrs).unwrap();
        records.upsert(record);
        assert_eq!(
            Lookup::State.name(&records, 2).as_deref(),
            Some("in progress")
        );
        assert_eq!(Lookup::State.name(&records, 1).as_deref(), Some("new"));
    }
}
