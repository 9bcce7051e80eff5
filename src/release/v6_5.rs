//! Zammad 6.5 (spec column V65; V6x where V65 is not named): the links policy (target
//! `update?`, source `show?`, missing tickets not found, other objects unrescued), the 2023 wording of a
//! duplicate, tickets that pull their group and organization into `assets`, users that pull
//! in no creators. Everything else as 5.0.

use super::parts::{self, Out};
use super::{
    v5_0, AssetRules, AuthRules, Fixed, LinkPolicy, LinkRules, Raised, Room, RowChecks, SelfLinks,
    TicketRules,
};
use crate::auth::Caller;
use crate::model::ModelKind;
use crate::records::{Record, RecordStore};

pub(super) const ROOM: Room = Room {
    name: "6.5",
    // A choice: the spec knows no 6.5 patch level.
    version: "6.5.0",
    default_data: include_str!("../../data/default-6.5.json"),
    auth: AuthRules {
        unknown_bearer: "The provided token is invalid.",
    },
    links: LinkRules {
        policy: Some(POLICY),
        self_links: SelfLinks::Stored,
        row_checks: RowChecks::UniqueIndex,
        // `links_controller.rb#add` after the policy; unreachable for tickets (spec §1.6 step 3).
        no_such_object: Fixed(Raised::Rendered, "The object could not be found."),
        // The unique index, with the 2023 `handles_errors.rb` wording.
        link_exists: Fixed(Raised::Unprocessable, "This object already exists."),
    },
    tickets: TicketRules {
        may_show: may_show_ticket,
        ..v5_0::ROOM.tickets
    },
    assets: AssetRules {
        walk,
        customer_view: &v5_0::CUSTOMER_VIEW,
    },
    ..v5_0::ROOM
};

/// `Controllers::LinksControllerPolicy` with the `RecordNotFound`s of `find_by!` and the unrescued error of its
/// pattern match (V6x … V701, spec §1.6).
pub(super) const POLICY: LinkPolicy = LinkPolicy {
    may_update_target: may_update_ticket,
    may_show_source: may_show_ticket,
    ticket_id_not_found: Fixed(
        Raised::RecordNotFound,
        r#"Couldn't find Ticket with [WHERE "tickets"."id" = $1]"#,
    ),
    ticket_number_not_found: Fixed(
        Raised::RecordNotFound,
        r#"Couldn't find Ticket with [WHERE "tickets"."number" = $1]"#,
    ),
    translation_not_found: Fixed(
        Raised::RecordNotFound,
        r#"Couldn't find KnowledgeBase::Answer::Translation with [WHERE "knowledge_base_answer_translations"."id" = $1]"#,
    ),
    unsupported: Fixed(Raised::Unrescued, "NoMatchingPatternError"),
};

/// `TicketPolicy#show?` of Zammad 6.x and 7.0: an agent with `read` on the ticket's group
/// (the owner shortcut of 5.x is gone, spec §3.2), or customer access.
pub(super) fn may_show_ticket(caller: &Caller, records: &RecordStore, ticket: &Record) -> bool {
    let as_agent = caller.is_ticket_agent()
        && ticket
            .fields
            .group_id
            .is_some_and(|group| caller.may_read_group(group));
    as_agent || (caller.is_ticket_customer() && caller.is_customer_of(records, ticket))
}

/// `TicketPolicy#update?` of Zammad 6.x and 7.0: an agent with `change` on the ticket's
/// group, or customer access (a customer may change their own tickets).
pub(super) fn may_update_ticket(caller: &Caller, records: &RecordStore, ticket: &Record) -> bool {
    let as_agent = caller.is_ticket_agent()
        && ticket
            .fields
            .group_id
            .is_some_and(|group| caller.has_group_access(group, "change"));
    as_agent || (caller.is_ticket_customer() && caller.is_customer_of(records, ticket))
}

/// Zammad 6.5's walk (spec §2.2, V65 column):
/// - a ticket: its group first, then its organization, then the 4 users as in 5.0;
/// - a user: its roles, groups and organizations, but no `created_by` / `updated_by`;
/// - an organization: its first 10 members, then its creator and updater (V52's code, the
///   nearest known version: §2.2 names no V65 organization walk);
/// - a role, a group and anything else as in 5.0.
pub(super) fn walk(record: &Record, out: &mut Out) {
    let f = &record.fields;
    match record.kind {
        ModelKind::Ticket => {
            out.extend(f.group_id.map(|id| (ModelKind::Group, id)));
            out.extend(f.organization_id.map(|id| (ModelKind::Organization, id)));
            parts::ticket_users(record, out);
        }
        ModelKind::User => {
            parts::user_roles_and_groups(record, out);
            parts::user_organizations(record, out);
        }
        _ => v5_0::walk(record, out),
    }
}
