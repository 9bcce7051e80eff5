//! Zammad 7.0.x and 7.1.x (spec §10.3): the 6.5 line's links controller, model, validator,
//! policy and assets walks (so a duplicate add answers the unsaved row and a self link is
//! stored, as a real 7.1.3 shows, `zammad/zammad#6319`); tickets carry `ai_stored_result_ids`
//! (AI models arrive with 7.0); the 79-permission table of the 7.0 development line; no
//! `report` exception in the ticket index.

use super::{v5_0, v6_5, Covers, ExpandRules, Room, TicketRules};
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
    ..v6_5::ROOM
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
