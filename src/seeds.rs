//! The names of the lookup tables a fresh Zammad seeds, for the association names of
//! `expand=true`: ticket states, priorities, article types and article senders. The tables
//! themselves are each release's ([`Seeds`], in `release`).
//!
//! States and priorities can be overridden id by id from a fixture's `Ticket::State` and
//! `Ticket::Priority` sections (records in `records`); article types and senders cannot, as
//! no Zammad lets an admin rename them. Rendering the names is left to `expand`.

use crate::model::ModelKind;
use crate::records::RecordStore;

/// The seeded lookup tables of a release (`db/seeds/ticket_*.rb`): id → name. The
/// release's room fills it; this module reads it.
#[derive(Debug)]
pub struct Seeds {
    /// `Ticket::State`.
    pub states: &'static [(i64, &'static str)],
    /// `Ticket::Priority`.
    pub priorities: &'static [(i64, &'static str)],
    /// `Ticket::Article::Type`.
    pub article_types: &'static [(i64, &'static str)],
    /// `Ticket::Article::Sender`.
    pub article_senders: &'static [(i64, &'static str)],
}

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
    /// The name of row `id`: the fixture's record when it has one, else the release's seed.
    pub fn name(self, records: &RecordStore, seeds: &Seeds, id: i64) -> Option<String> {
        let (kind, table) = match self {
            Lookup::State => (Some(ModelKind::TicketState), seeds.states),
            Lookup::Priority => (Some(ModelKind::TicketPriority), seeds.priorities),
            Lookup::ArticleType => (None, seeds.article_types),
            Lookup::ArticleSender => (None, seeds.article_senders),
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
    use crate::release::ZammadVersion;
    use serde_json::json;

    fn seeds() -> &'static Seeds {
        ZammadVersion::V5_0.room().seeds
    }

    #[test]
    fn seeded_names_answer_when_the_fixture_has_none() {
        let records = RecordStore::default();
        assert_eq!(
            Lookup::State.name(&records, seeds(), 2).as_deref(),
            Some("open")
        );
        assert_eq!(
            Lookup::State.name(&records, seeds(), 7).as_deref(),
            Some("pending close")
        );
        assert_eq!(
            Lookup::Priority.name(&records, seeds(), 2).as_deref(),
            Some("2 normal")
        );
        assert_eq!(
            Lookup::ArticleType.name(&records, seeds(), 5).as_deref(),
            Some("phone")
        );
        assert_eq!(
            Lookup::ArticleSender.name(&records, seeds(), 2).as_deref(),
            Some("Customer")
        );
        assert_eq!(Lookup::State.name(&records, seeds(), 99), None);
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
            Lookup::State.name(&records, seeds(), 2).as_deref(),
            Some("in progress")
        );
        assert_eq!(
            Lookup::State.name(&records, seeds(), 1).as_deref(),
            Some("new")
        );
    }
}
