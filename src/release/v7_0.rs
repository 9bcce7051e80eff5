//! Zammad 7.0.1 (spec column V701): the links policy of 6.5, but duplicates and self links
//! refused by the model's validators (before an id is drawn, rendered by the controller),
//! tickets that pull in no group, users that pull in their organizations only, organizations
//! only their members. Everything else as 6.5.

use super::parts::{self, Out};
use super::{v5_0, v6_5, AssetRules, Fixed, LinkRules, Raised, Room, RowChecks, SelfLinks};
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
    ..v6_5::ROOM
};

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
