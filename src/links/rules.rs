//! The pure rules behind the link calls, each with Zammad's reason beside it and a unit test:
//! who may call, how a new row is checked, which rows a remove takes and which it answers.

use std::sync::Arc;

use crate::auth::Caller;
use crate::model::{LinkObjectId, LinkRow, LinkTypeId, Millis, ModelKind, ObjectRef};
use crate::profile::{LinkPolicy, Profile, SelfLinks};
use crate::records::{Record, RecordStore};

use super::LinkError;

/// Whether `caller` may use the link endpoints at all: the user's document requires
/// `ticket.agent` or `admin`, in every Zammad version.
pub(super) fn may_use_links(caller: &Caller) -> bool {
    caller.is_ticket_agent() || caller.is_admin()
}

/// How the link policy finds one end of a link: by object name and id or ticket number.
#[derive(Debug, Clone, Copy)]
pub(super) enum PolicyEnd<'a> {
    /// A ticket by id (`Ticket.find_by!(id:)`), the target's lookup.
    TicketId(Option<i64>),
    /// A ticket by number (`Ticket.find_by!(number:)`), the source's lookup.
    TicketNumber(Option<&'a str>),
    /// A knowledge-base translation by id.
    Translation(Option<i64>),
    /// Any other object name, or none.
    Unsupported,
}

impl<'a> PolicyEnd<'a> {
    /// The end named `object`, with its id and number as the request gave them.
    pub(super) fn of(
        object: Option<&str>,
        id: Option<i64>,
        number: Option<&'a str>,
        by_number: bool,
    ) -> Self {
        match object {
            Some("Ticket") if by_number => PolicyEnd::TicketNumber(number),
            Some("Ticket") => PolicyEnd::TicketId(id),
            Some("KnowledgeBase::Answer::Translation") => PolicyEnd::Translation(id),
            _ => PolicyEnd::Unsupported,
        }
    }
}

/// The profile's link policy for add (`target` must pass `update?`, then `source` `show?`)
/// or, with `source` `None`, for remove (`target` only): `Ok` when the call may go on.
/// Each end is looked up first, so a missing one is a 404 before any 403
/// (`links_controller_policy.rb#add?` / `#remove?`, spec §1.6–1.7).
pub(super) fn authorize(
    profile: &Profile,
    caller: &Caller,
    records: &RecordStore,
    target: PolicyEnd<'_>,
    source: Option<PolicyEnd<'_>>,
) -> Result<(), LinkError> {
    let LinkPolicy::TicketPolicy {
        target_missing,
        source_missing,
        translation_missing,
        unsupported,
    } = profile.policy
    else {
        // Zammad 5.0: `LinksController` has no policy beyond being logged in.
        return Ok(());
    };
    let find = |end: PolicyEnd<'_>| -> Result<Option<Arc<Record>>, LinkError> {
        let refused = |r| Err(LinkError::Refused(r));
        match end {
            PolicyEnd::TicketId(id) => id
                .and_then(|id| records.get(ModelKind::Ticket, id))
                .map_or_else(|| refused(target_missing), |t| Ok(Some(t))),
            PolicyEnd::TicketNumber(number) => number
                .and_then(|n| records.ticket_by_number(n))
                .map_or_else(|| refused(source_missing), |t| Ok(Some(t))),
            // The spec names no check on a translation beyond its existence (§1.6); the
            // knowledge base's own policy is not modelled.
            PolicyEnd::Translation(id) => id
                .and_then(|id| records.get(ModelKind::KbAnswerTranslation, id))
                .map_or_else(|| refused(translation_missing), |_| Ok(None)),
            PolicyEnd::Unsupported => refused(unsupported),
        }
    };
    if let Some(ticket) = find(target)? {
        if !(profile.may_update_ticket)(caller, records, &ticket) {
            return Err(LinkError::NotAuthorized);
        }
    }
    if let Some(source) = source {
        if let Some(ticket) = find(source)? {
            if !(profile.may_show_ticket)(caller, records, &ticket) {
                return Err(LinkError::NotAuthorized);
            }
        }
    }
    Ok(())
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

/// The row to insert with id `id`, or why the database refuses it: NOT NULL columns checked
/// in table order as PostgreSQL reports them, then the unique index `links_uniq_total`
/// (`exists(type, source, target)`), then the profile's self-link rule.
pub(super) fn new_row(
    ends: LinkEnds,
    id: u64,
    now: Millis,
    profile: &Profile,
    exists: impl FnOnce(LinkTypeId, ObjectRef, ObjectRef) -> bool,
) -> Result<LinkRow, LinkError> {
    let link_type = ends
        .link_type
        .ok_or(LinkError::AttributeRequired("link_type_id"))?;
    let source = ends
        .source
        .ok_or(LinkError::AttributeRequired("link_object_source_id"))?;
    let target_object = ends
        .target_object
        .ok_or(LinkError::AttributeRequired("link_object_target_id"))?;
    let target_value = ends
        .target_value
        .ok_or(LinkError::AttributeRequired("link_object_target_value"))?;
    let target = ObjectRef::new(target_object, target_value);
    if exists(link_type, source, target) {
        return Err(LinkError::Refused(profile.already_exists));
    }
    // 7.0.1: `LinkUniquenessValidator` is asked before `LinkSelfReferenceValidator` (their
    // order is not known; a self link can only be a duplicate in a fixture document).
    match profile.self_links {
        SelfLinks::Allowed => {}
        SelfLinks::Refused(refusal) => {
            if source == target {
                return Err(LinkError::Refused(refusal));
            }
        }
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
    use crate::profile::{ZAMMAD_5_0, ZAMMAD_7_0};

    fn ends() -> LinkEnds {
        LinkEnds {
            link_type: Some(LinkTypeId(1)),
            source: Some(ObjectRef::ticket(10)),
            target_object: Some(LinkObjectId(1)),
            target_value: Some(20),
        }
    }

    #[test]
    fn missing_columns_are_reported_in_table_order() {
        let required =
            |ends: LinkEnds| match new_row(ends, 1, Millis(0), &ZAMMAD_5_0, |_, _, _| false) {
                Err(LinkError::AttributeRequired(column)) => column,
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
    fn a_duplicate_is_refused_with_the_profiles_text() {
        let refused = new_row(ends(), 7, Millis(0), &ZAMMAD_5_0, |t, s, o| {
            t == LinkTypeId(1) && s == ObjectRef::ticket(10) && o == ObjectRef::ticket(20)
        });
        match refused {
            Err(LinkError::Refused(refusal)) => {
                assert_eq!(refusal.status, 422);
                assert_eq!(refusal.text, "Object already exists!");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_self_link_is_stored_in_zammad_5_0() {
        let same = LinkEnds {
            target_value: Some(10),
            ..ends()
        };
        let row = new_row(same, 3, Millis(5), &ZAMMAD_5_0, |_, _, _| false).unwrap();
        assert_eq!(row.source, row.target);
        assert_eq!(
            (row.id, row.created_at, row.updated_at),
            (3, Millis(5), Millis(5))
        );
    }

    #[test]
    fn a_self_link_is_refused_in_zammad_7_0_and_a_duplicate_has_its_text() {
        let same = LinkEnds {
            target_value: Some(10),
            ..ends()
        };
        let text =
            |ends, exists: bool| match new_row(ends, 1, Millis(0), &ZAMMAD_7_0, |_, _, _| exists) {
                Err(LinkError::Refused(refusal)) => (refusal.status, refusal.text),
                other => panic!("{other:?}"),
            };
        assert_eq!(
            text(same, false),
            (422, "An object cannot be linked to itself.")
        );
        assert_eq!(text(ends(), true), (422, "Link already exists"));
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
}
