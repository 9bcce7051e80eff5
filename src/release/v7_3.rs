//! Zammad 7.2.1, 7.2.2 and 7.3.x, the newest (spec §10.5): as 7.2.0, with the 2026 links
//! policy (`zammad/zammad@465b2a8f`, controller `@22a011c9`): the list needs agent read
//! access to the queried ticket, add needs agent update access to the target and agent read
//! access to the source, remove agent update access to the target; customer access no
//! longer counts.

use super::{v6_5, v7_2, Covers, LinkPolicy, LinkRules, Room};

pub(super) const ROOM: Room = Room {
    name: "7.3",
    covers: &[
        Covers {
            release: (7, 2),
            patches: (1, u16::MAX),
            default_patch: None,
        },
        Covers::all(7, 3, 0),
    ],
    links: LinkRules {
        policy: Some(LinkPolicy {
            may_update_target: v6_5::agent_update_access,
            may_show_source: v6_5::agent_read_access,
            index: Some(v6_5::agent_read_access),
        }),
        ..v7_2::ROOM.links
    },
    ..v7_2::ROOM
};
