//! Zammad 7.2.0 (spec §10.4): as the 7.0 line, but `Link` validates with both validators
//! and the controller answers a refused row with 422 (`link.persisted?`,
//! `zammad/zammad@f6a0330f`): a duplicate is "Link already exists", a self link "An object
//! cannot be linked to itself.", neither uses a link id; the 2026 permission table.

use super::{v7_0, Covers, Duplicates, Fixed, LinkRules, Raised, Room, SelfLinks};

pub(super) const ROOM: Room = Room {
    name: "7.2",
    covers: &[Covers {
        release: (7, 2),
        patches: (0, 0),
        default_patch: Some(0),
    }],
    default_data: include_str!("../../data/default-7.2.json"),
    links: LinkRules {
        // `links_controller.rb#add` renders the first validation message (no `error_human`).
        duplicates: Duplicates::Refused(Fixed(Raised::Rendered, "Link already exists")),
        // `lib/validations/link_self_reference_validator.rb`.
        self_links: SelfLinks::Refused(Fixed(
            Raised::Rendered,
            "An object cannot be linked to itself.",
        )),
        ..v7_0::ROOM.links
    },
    ..v7_0::ROOM
};
