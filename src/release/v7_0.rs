//! Zammad 7.0.1 (spec column V701): the links policy of 6.5, but duplicates and self links
//! refused by the model's validators (before an id is drawn, rendered by the controller),
//! tickets that pull in no group, users that pull in their organizations only, organizations
//! only their members. Everything else as 6.5.

use super::parts::{self, Out};
use super::{
    v5_0, v6_5, AssetRules, Fixed, LinkRules, Raised, Room, RowChecks, SelfLinks, TicketCallRules,
};
use crate::model::ModelKind;
use crate::records::Record;

pub(super) const ROOM: Room = Room {
    name: "7.0",
    version: "7.0.1",
    default_data: include_str!("../../data/default-7.0.json"),
    links: LinkRules {
        // V701's policy is inferred from its neighbours: `update?` / `show?` (spec §3.2).
        policy: Some(v6_5::POLICY),
        // `Validations::LinkSelfReferenceValidator`; the controller renders its message.
        self_links: SelfLinks::Refused(Fixed(
            Raised::Rendered,
            "An object cannot be linked to itself.",
        )),
        row_checks: RowChecks::Validators,
        no_such_object: Fixed(Raised::Rendered, "The object could not be found."),
        // `Validations::LinkUniquenessValidator`; the controller renders the first message.
        link_exists: Fixed(Raised::Rendered, "Link already exists"),
    },
    assets: AssetRules {
        walk,
        customer_view: &v5_0::CUSTOMER_VIEW,
    },
    ticket_calls: TICKET_CALLS,
    ..v6_5::ROOM
};

/// The ticket calls of Zammad 7.0.1 (spec column V701): as 6.5, but the links of a create are
/// authorized from 7.0.1 on, customers cannot move a ticket to another group, and tickets
/// list their AI results.
pub(super) const TICKET_CALLS: TicketCallRules = TicketCallRules {
    customer_dropped_on_update: &[
        "owner",
        "owner_id",
        "customer",
        "customer_id",
        "organization",
        "organization_id",
        "preferences",
        "group",
        "group_id",
    ],
    // 7.0.0 links whatever the caller names; 7.0.1 fixed CVE-2026-34722.
    create_links_authorized_from: Some((7, 0, 1)),
    ticket_keys: TICKET_KEYS,
    ..v6_5::TICKET_CALLS
};

/// 6.5's ticket keys, then `ai_stored_result_ids`.
const TICKET_KEYS: &[&str] = &[
    "id",
    "group_id",
    "priority_id",
    "state_id",
    "organization_id",
    "number",
    "title",
    "owner_id",
    "customer_id",
    "note",
    "first_response_at",
    "first_response_escalation_at",
    "first_response_in_min",
    "first_response_diff_in_min",
    "close_at",
    "close_escalation_at",
    "close_in_min",
    "close_diff_in_min",
    "update_escalation_at",
    "update_in_min",
    "update_diff_in_min",
    "last_close_at",
    "last_contact_at",
    "last_contact_agent_at",
    "last_contact_customer_at",
    "last_owner_update_at",
    "create_article_type_id",
    "create_article_sender_id",
    "article_count",
    "escalation_at",
    "pending_time",
    "type",
    "time_unit",
    "preferences",
    "updated_by_id",
    "created_by_id",
    "created_at",
    "updated_at",
    "checklist_id",
    "referencing_checklist_ids",
    "article_ids",
    "ticket_time_accounting_ids",
    "ai_stored_result_ids",
];

/// Zammad 7.0's walk (spec §2.2, V70d / DEV26 column, the nearest known to 7.0.1):
/// - a ticket: its organization, then the 4 users (no group);
/// - a user: its organizations only (no roles, no groups, no creator);
/// - an organization: its first 10 members only (DEV26: no creator or updater);
/// - a role, a group and anything else as in 5.0.
pub(super) fn walk(record: &Record, out: &mut Out) {
    let f = &record.fields;
    match record.kind {
        ModelKind::Ticket => {
            out.extend(f.organization_id.map(|id| (ModelKind::Organization, id)));
            parts::ticket_users(record, out);
        }
        ModelKind::User => parts::user_organizations(record, out),
        ModelKind::Organization => parts::members(record, out),
        _ => v5_0::walk(record, out),
    }
}
