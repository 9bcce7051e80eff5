//! Zammad 7.0.x and 7.1.x (spec §10.3): the 6.5 line's links controller, model, validator,
//! policy and assets walks (so a duplicate add answers the unsaved row and a self link is
//! stored, as a real 7.1.3 shows, `zammad/zammad#6319`); tickets carry `ai_stored_result_ids`
//! (AI models arrive with 7.0); the 79-permission table of the 7.0 development line; no
//! `report` exception in the ticket index.

use super::{
    v5_0, v6_5, Covers, ExpandRules, MergeRules, Room, SearchAnswer, SearchRules, TicketCallRules,
    TicketRules,
};
use crate::expand::Association;

pub(super) const ROOM: Room = Room {
    name: "7.0",
    // 7.0 stands for 7.0.1, the release that fixed CVE-2026-34722 (a choice, spec §10.6).
    covers: &[Covers::all(7, 0, 1), Covers::all(7, 1, 0)],
    default_data: include_str!("../../data/default-7.0.json"),
    tickets: TicketRules {
        index_scope: v6_5::scope_without_report,
        ..v6_5::ROOM.tickets
    },
    expand: ExpandRules {
        ticket: TICKET_ASSOCIATIONS,
        ..v6_5::ROOM.expand
    },
    ticket_calls: TICKET_CALLS,
    search: SEARCH,
    ..v6_5::ROOM
};

/// The ticket search of 7.0.1+ (spec column V701): as 6.5, and `with_total_count` wraps
/// the records, the expanded records and the labels in `{records, total_count}`
/// (`application_controller/renders_models.rb#model_search_render`, Zammad issue #5687).
pub(super) const SEARCH: SearchRules = SearchRules {
    answer: SearchAnswer::Models {
        with_total_count: true,
    },
    ..v6_5::SEARCH
};

/// 6.5's ticket associations with the AI results (`has_many :ai_stored_results`) after the
/// time accountings, where `ai_stored_result_ids` follows them.
const TICKET_ASSOCIATIONS: &[&[Association]] = &[
    v6_5::CHECKLISTS,
    v5_0::TICKET_OWN,
    &[Association::Unnamed {
        key: "ai_stored_results",
        ids_key: "ai_stored_result_ids",
    }],
    v5_0::TICKET_REFERENCES,
];

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
    // 7.0's merge recounts the target's articles once they moved (spec §6.2).
    merge: MergeRules {
        recounts_target: true,
        ..v6_5::TICKET_CALLS.merge
    },
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
