//! The pure rules behind the link calls, each with Zammad's reason beside it and a unit test:
//! who may call, how a new row is checked, which rows a remove takes and which it answers.

use std::sync::Arc;

use crate::auth::Caller;
use crate::model::{LinkObjectId, LinkRow, LinkTypeId, Millis, ModelKind, ObjectRef};
use crate::records::{RecordStore, Stored};
use crate::refusal::Refusal;
use crate::release::{Duplicates, LinkRules, SelfLinks};

/// Whether `caller` may use the link endpoints at all: the user's document requires
/// `ticket.agent` or `admin`, in every Zammad version.
pub(super) fn may_use_links(caller: &Caller) -> bool {
    caller.is_ticket_agent() || caller.is_admin()
}

/// How the link policy finds one end of a link: by object name and id or ticket number
/// (`links_controller_policy.rb#object_policy`'s pattern match on `[name, id, number]`).
#[derive(Debug, Clone, Copy)]
pub(super) enum PolicyEnd<'a> {
    /// A ticket by id (`Ticket.find_by!(id:)`).
    TicketId(Option<i64>),
    /// A ticket by number (`Ticket.find_by!(number:)`), the source's lookup.
    TicketNumber(&'a str),
    /// A knowledge-base translation by id.
    Translation(Option<i64>),
    /// Any other object name, or none: the pattern match raises, with this message.
    Unsupported(&'a str),
}

impl<'a> PolicyEnd<'a> {
    /// The end named `object`, with its id or number as the request gave them; `shown` is
    /// the `[name, id, number]` array as Ruby inspects it, the message of a failed match.
    pub(super) fn of(
        object: Option<&str>,
        id: Option<i64>,
        number: Option<&'a str>,
        shown: &'a str,
    ) -> Self {
        match (object, number) {
            // `['Ticket', nil, number]`; without a number `['Ticket', nil, nil]` matches the
            // id pattern first, so a missing number is a missing id.
            (Some("Ticket"), Some(number)) => PolicyEnd::TicketNumber(number),
            (Some("Ticket"), None) => PolicyEnd::TicketId(id),
            (Some("KnowledgeBase::Answer::Translation"), _) => PolicyEnd::Translation(id),
            _ => PolicyEnd::Unsupported(shown),
        }
    }

    /// The ticket this end names, or why the policy stops here; `None` for a translation
    /// (the spec names no check on it beyond its existence, §1.6: the knowledge base's own
    /// policy is not modelled).
    fn find(self, records: &RecordStore) -> Result<Option<Arc<Stored>>, Refusal> {
        match self {
            PolicyEnd::TicketId(id) => id
                .and_then(|id| records.get(ModelKind::Ticket, id))
                .map(Some)
                .ok_or(Refusal::TicketIdNotFound(id)),
            PolicyEnd::TicketNumber(number) => records
                .ticket_by_number(number)
                .map(Some)
                .ok_or_else(|| Refusal::TicketNumberNotFound(Some(number.to_owned()))),
            PolicyEnd::Translation(id) => id
                .and_then(|id| records.get(ModelKind::KbAnswerTranslation, id))
                .map(|_| None)
                .ok_or(Refusal::TranslationNotFound(id)),
            PolicyEnd::Unsupported(shown) => Err(Refusal::UnsupportedObject {
                shown: shown.to_owned(),
            }),
        }
    }
}

/// The release's link policy for add (`target` must pass `update?`, then `source` `show?`)
/// or, with `source` `None`, for remove (`target` only): `Ok` when the call may go on.
/// Each end is looked up first, so a missing one is refused as not found before any denial
/// (`links_controller_policy.rb#add?` / `#remove?`, spec §1.6–1.7).
pub(super) fn authorize(
    rules: &LinkRules,
    caller: &Caller,
    records: &RecordStore,
    target: PolicyEnd<'_>,
    source: Option<PolicyEnd<'_>>,
) -> Result<(), Refusal> {
    let Some(policy) = &rules.policy else {
        // A line without a links policy: being logged in is enough.
        return Ok(());
    };
    if let Some(ticket) = target.find(records)? {
        if !(policy.may_update_target)(caller, records, &ticket) {
            return Err(Refusal::NotAuthorized);
        }
    }
    if let Some(source) = source {
        if let Some(ticket) = source.find(records)? {
            if !(policy.may_show_source)(caller, records, &ticket) {
                return Err(Refusal::NotAuthorized);
            }
        }
    }
    Ok(())
}

/// The release's check of the list's queried object, where it has one (`index?`, spec
/// §1.5, 7.3 line): a ticket must exist and pass the check, a knowledge-base translation
/// must exist and the caller read the knowledge base; anything else, and every lookup that
/// fails, is a denial — the policy rescues them, so that the answer does not tell which
/// tickets exist.
pub(super) fn authorize_list(
    rules: &LinkRules,
    caller: &Caller,
    records: &RecordStore,
    object: Option<&str>,
    value: Option<i64>,
) -> Result<(), Refusal> {
    let Some(check) = rules.policy.as_ref().and_then(|policy| policy.index) else {
        return Ok(());
    };
    let permitted = match object {
        Some("Ticket") => value
            .and_then(|id| records.get(ModelKind::Ticket, id))
            .is_some_and(|ticket| check(caller, records, &ticket)),
        // `KnowledgeBase::AnswerPolicy#show?`: the mock keeps no answer states, so an existing
        // translation is readable by a knowledge-base reader or editor.
        Some("KnowledgeBase::Answer::Translation") => {
            value.is_some_and(|id| records.get(ModelKind::KbAnswerTranslation, id).is_some())
                && (caller.has_permission("knowledge_base.reader")
                    || caller.has_permission("knowledge_base.editor"))
        }
        _ => false,
    };
    if permitted {
        Ok(())
    } else {
        Err(Refusal::NotAuthorized)
    }
}

/// A raw id column as the 16-bit ids of the name tables: anything else matches no row.
pub(super) fn raw_id(id: Option<i64>) -> Option<u16> {
    id.and_then(|id| u16::try_from(id).ok())
}

/// The columns of a row `Link.add` is about to insert, as far as the request gave them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkEnds {
    /// `link_type_id`.
    pub link_type: Option<LinkTypeId>,
    /// `link_object_source_id` and `link_object_source_value`.
    pub source: Option<ObjectRef>,
    /// `link_object_target_id`.
    pub target_object: Option<LinkObjectId>,
    /// `link_object_target_value`.
    pub target_value: Option<i64>,
}

/// What the model's validators say of a new row, where the release has them
/// (`Validations::LinkUniquenessValidator`, then `LinkSelfReferenceValidator`), before any
/// INSERT and so before any id is drawn: they compare the columns as given, and a row whose
/// columns are missing reaches the database's NOT NULL check after them.
pub(super) fn validate(
    ends: LinkEnds,
    rules: &LinkRules,
    exists: impl FnOnce(LinkTypeId, ObjectRef, ObjectRef) -> bool,
) -> Result<(), Refusal> {
    if !matches!(rules.duplicates, Duplicates::UniqueIndex(_)) {
        if let (Some(link_type), Some(source), Some(target_object), Some(target_value)) = (
            ends.link_type,
            ends.source,
            ends.target_object,
            ends.target_value,
        ) {
            if exists(
                link_type,
                source,
                ObjectRef::new(target_object, target_value),
            ) {
                return Err(Refusal::LinkExists);
            }
        }
    }
    // Source object id = target object id and source value = target value; the same
    // numeric id under another object is allowed (`link_self_reference_validator.rb`).
    if let SelfLinks::Refused(_) = rules.self_links {
        let source = ends.source.map(|s| (s.object, s.value));
        if source.is_some() && source == ends.target_object.zip(ends.target_value) {
            return Err(Refusal::SelfLink);
        }
    }
    Ok(())
}

/// The row to insert with id `id` (drawn from the sequence), or why the database refuses
/// it: NOT NULL columns checked in table order as PostgreSQL reports them, then, where the
/// release has no validator for it, the unique index `links_uniq_total`
/// (`exists(type, source, target)`).
pub(super) fn insert(
    ends: LinkEnds,
    id: u64,
    now: Millis,
    rules: &LinkRules,
    exists: impl FnOnce(LinkTypeId, ObjectRef, ObjectRef) -> bool,
) -> Result<LinkRow, Refusal> {
    let link_type = ends
        .link_type
        .ok_or(Refusal::ColumnMissing("link_type_id"))?;
    let source = ends
        .source
        .ok_or(Refusal::ColumnMissing("link_object_source_id"))?;
    let target_object = ends
        .target_object
        .ok_or(Refusal::ColumnMissing("link_object_target_id"))?;
    let target_value = ends
        .target_value
        .ok_or(Refusal::ColumnMissing("link_object_target_value"))?;
    let target = ObjectRef::new(target_object, target_value);
    if matches!(rules.duplicates, Duplicates::UniqueIndex(_)) && exists(link_type, source, target) {
        return Err(Refusal::LinkExists);
    }
    Ok(LinkRow {
        id,
        link_type,
        source,
        target,
        created_at: now,
        updated_at: now,
    })
}

/// The rows `Link.remove` deletes, as `(first, second)`: `first` the rows stored exactly as
/// passed (`forward`), `second` those stored the other way round with the inverse type
/// (`reverse`) that the first `destroy_all` had not already taken (it ran before the
/// second query). The call answers `second` only.
pub(super) fn remove_matches(
    forward: Option<Vec<u64>>,
    reverse: Option<Vec<u64>>,
) -> (Vec<u64>, Vec<u64>) {
    let first = forward.unwrap_or_default();
    let mut second = reverse.unwrap_or_default();
    second.retain(|id| !first.contains(id));
    (first, second)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::ZammadVersion;

    fn ends() -> LinkEnds {
        LinkEnds {
            link_type: Some(LinkTypeId(1)),
            source: Some(ObjectRef::ticket(10)),
            target_object: Some(LinkObjectId(1)),
            target_value: Some(20),
        }
    }

    fn rules(version: ZammadVersion) -> &'static LinkRules {
        &version.room().links
    }

    fn same() -> LinkEnds {
        LinkEnds {
            target_value: Some(10),
            ..ends()
        }
    }

    #[test]
    fn missing_columns_are_reported_in_table_order() {
        let required = |ends: LinkEnds| match insert(
            ends,
            1,
            Millis(0),
            rules(ZammadVersion::V5_0),
            |_, _, _| false,
        ) {
            Err(Refusal::ColumnMissing(column)) => column,
            other => panic!("{other:?}"),
        };
        let nothing = LinkEnds {
            link_type: None,
            source: None,
            target_object: None,
            target_value: None,
        };
        assert_eq!(required(nothing), "link_type_id");
        assert_eq!(
            required(LinkEnds {
                source: None,
                ..ends()
            }),
            "link_object_source_id"
        );
        assert_eq!(
            required(LinkEnds {
                target_object: None,
                target_value: None,
                ..ends()
            }),
            "link_object_target_id"
        );
        assert_eq!(
            required(LinkEnds {
                target_value: None,
                ..ends()
            }),
            "link_object_target_value"
        );
    }

    #[test]
    fn the_unique_index_refuses_a_duplicate_at_the_insert_where_no_validator_does() {
        let exists = |t, s, o| {
            t == LinkTypeId(1) && s == ObjectRef::ticket(10) && o == ObjectRef::ticket(20)
        };
        let v50 = rules(ZammadVersion::V5_0);
        assert_eq!(validate(ends(), v50, exists), Ok(()));
        assert_eq!(
            insert(ends(), 7, Millis(0), v50, exists),
            Err(Refusal::LinkExists)
        );
        for version in [
            ZammadVersion::V6_5,
            ZammadVersion::V7_0,
            ZammadVersion::V7_3,
        ] {
            assert_eq!(
                validate(ends(), rules(version), exists),
                Err(Refusal::LinkExists),
                "{version:?}"
            );
        }
    }

    #[test]
    fn a_self_link_is_stored_up_to_the_7_0_line() {
        for version in [
            ZammadVersion::V5_0,
            ZammadVersion::V6_5,
            ZammadVersion::V7_0,
        ] {
            assert_eq!(validate(same(), rules(version), |_, _, _| false), Ok(()));
            let row = insert(same(), 3, Millis(5), rules(version), |_, _, _| false).unwrap();
            assert_eq!(row.source, row.target);
            assert_eq!(
                (row.id, row.created_at, row.updated_at),
                (3, Millis(5), Millis(5))
            );
        }
    }

    #[test]
    fn from_7_2_a_self_link_is_refused_and_a_duplicate_first() {
        for version in [ZammadVersion::V7_2, ZammadVersion::V7_3] {
            let check = |ends, exists: bool| validate(ends, rules(version), |_, _, _| exists);
            assert_eq!(check(same(), false), Err(Refusal::SelfLink));
            assert_eq!(check(same(), true), Err(Refusal::LinkExists));
            assert_eq!(check(ends(), true), Err(Refusal::LinkExists));
            assert_eq!(check(ends(), false), Ok(()));
            // The validators come before the database: a self link without a type is refused
            // as a self link, not as a missing column.
            let untyped = LinkEnds {
                link_type: None,
                ..same()
            };
            assert_eq!(check(untyped, false), Err(Refusal::SelfLink));
        }
    }

    #[test]
    fn remove_answers_only_the_reverse_rows_the_first_delete_did_not_take() {
        assert_eq!(
            remove_matches(Some(vec![3]), Some(vec![3, 5])),
            (vec![3], vec![5])
        );
        assert_eq!(remove_matches(None, Some(vec![4])), (vec![], vec![4]));
        assert_eq!(remove_matches(Some(vec![4]), None), (vec![4], vec![]));
    }

    #[test]
    fn raw_ids_outside_the_name_tables_match_nothing() {
        assert_eq!(raw_id(Some(1)), Some(1));
        assert_eq!(raw_id(Some(-1)), None);
        assert_eq!(raw_id(Some(70_000)), None);
        assert_eq!(raw_id(None), None);
    }

    #[test]
    fn a_missing_source_number_is_looked_up_as_a_missing_id() {
        assert!(matches!(
            PolicyEnd::of(Some("Ticket"), None, None, "x"),
            PolicyEnd::TicketId(None)
        ));
        assert!(matches!(
            PolicyEnd::of(Some("Foo"), None, Some("1"), "[\"Foo\", nil, \"1\"]"),
            PolicyEnd::Unsupported("[\"Foo\", nil, \"1\"]")
        ));
    }
}
