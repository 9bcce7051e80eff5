//! Zammad 6.5 (spec column V65; V6x where V65 is not named): the links policy (target
//! `update?`, source `show?`, missing tickets not found, other objects unrescued), the 2023 wording of a
//! duplicate, tickets that pull their group and organization into `assets`, users that pull
//! in no creators. Everything else as 5.0.

use super::parts::{self, Out};
use super::{
    v5_0, AssetRules, AuthRules, ClosedTickets, DuplicateLinks, Fixed, LinkPolicy, LinkRules,
    Raised, Room, RowChecks, SelfLinks, TicketCallRules, TicketRules,
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
    ticket_calls: TICKET_CALLS,
    ..v5_0::ROOM
};

/// The ticket calls of Zammad 6.5 (spec column V65): a create is one transaction, an
/// article is optional but its body must not be blank, duplicate links on create are
/// dropped by the validator, the 2023+ texts, core-workflow refusals masked.
pub(super) const TICKET_CALLS: TicketCallRules = TicketCallRules {
    // `Controllers::ApplicationControllerPolicy` (`user_authorization_failed`).
    permission_missing: ["User authorization failed.", "Token authorization failed."],
    // `TicketPolicy#ensure_group?`.
    group_missing: Fixed(
        Raised::Unprocessable,
        "The required value 'group_id' is missing.",
    ),
    owner_access: false,
    customer_dropped_on_create: &[
        "owner",
        "owner_id",
        "customer",
        "customer_id",
        "preferences",
    ],
    // `tickets_controller.rb#create`: "Prevent direct access to checklist via API".
    ignored: &["checklist", "checklist_id"],
    keeps_given_organization: true,
    article_required: false,
    article_body_missing: "Need at least an 'article body' field.",
    blank_body_refused: true,
    create_is_atomic: true,
    create_duplicate_links: DuplicateLinks::Skipped,
    // 6.5.0–6.5.3 link whatever the caller names; 6.5.4 fixed CVE-2026-34722.
    create_links_authorized_from: Some((6, 5, 4)),
    link_type_structure: "Invalid link structure (Object → LinkType)",
    already_exists: "This object already exists.",
    // PostgreSQL ≥ 13's wording, caught by the same pattern (`handles_errors.rb`).
    required_column_suffix: "\" of relation \"tickets' required!",
    core_workflow_masked: true,
    closed_tickets: ClosedTickets::FollowUpPolicy,
    article_columns: &[
        "id",
        "ticket_id",
        "type_id",
        "sender_id",
        "detected_language",
        "from",
        "to",
        "cc",
        "subject",
        "reply_to",
        "message_id",
        "message_id_md5",
        "in_reply_to",
        "content_type",
        "body",
        "internal",
        "preferences",
        "updated_by_id",
        "created_by_id",
        "origin_by_id",
        "created_at",
        "updated_at",
    ],
    article_time_unit: true,
    ticket_keys: TICKET_KEYS,
    user_keys: USER_KEYS,
    ..v5_0::TICKET_CALLS
};

/// The columns of 6.5's `tickets` table (`last_close_at`, `checklist_id`), then its `*_ids`.
pub(super) const TICKET_KEYS: &[&str] = &[
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
];

/// The attributes of a 6.5 user in assets (no karma; `accounts` only when not empty).
pub(super) const USER_KEYS: &[&str] = &[
    "id",
    "organization_id",
    "login",
    "firstname",
    "lastname",
    "email",
    "image",
    "image_source",
    "web",
    "phone",
    "fax",
    "mobile",
    "department",
    "street",
    "zip",
    "city",
    "country",
    "address",
    "vip",
    "verified",
    "active",
    "note",
    "last_login",
    "source",
    "login_failed",
    "out_of_office",
    "out_of_office_start_at",
    "out_of_office_end_at",
    "out_of_office_replacement_id",
    "preferences",
    "updated_by_id",
    "created_by_id",
    "created_at",
    "updated_at",
    "role_ids",
    "two_factor_preference_ids",
    "organization_ids",
    "authorization_ids",
    "overview_sorting_ids",
    "group_ids",
];

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
