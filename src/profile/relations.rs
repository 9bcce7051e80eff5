//! The assets walks of the profiles: which records a record pulls into `assets`, in the
//! version's order (`app/models/*/assets.rb`, spec §2.2). One function per Zammad version,
//! chosen by [`Relations`](super::Relations).

use crate::model::ModelKind;
use crate::records::Record;

type Out = Vec<(ModelKind, i64)>;

fn users(out: &mut Out, ids: &[Option<i64>]) {
    out.extend(ids.iter().flatten().map(|id| (ModelKind::User, *id)));
}

/// The first 3 `organization_ids`, then the primary organization (`User#assets`).
fn user_organizations(record: &Record, out: &mut Out) {
    let f = &record.fields;
    out.extend(
        f.organization_ids
            .iter()
            .take(3)
            .map(|id| (ModelKind::Organization, *id)),
    );
    out.extend(f.organization_id.map(|id| (ModelKind::Organization, id)));
}

/// An organization's first 10 members by id (`Organization#assets`).
fn members(record: &Record, out: &mut Out) {
    let mut members = record.fields.member_ids.clone();
    members.sort_unstable();
    members.truncate(10);
    out.extend(members.into_iter().map(|id| (ModelKind::User, id)));
}

/// Zammad 5.0's assets walk (`app/models/*/assets.rb`, `ApplicationModel::CanAssets`):
/// - a ticket: its `created_by_id`, `updated_by_id`, `owner_id`, `customer_id` users;
/// - a user: its roles, its groups (keys of `group_ids`), the first 3 `organization_ids`,
///   its organization, its `created_by_id` and `updated_by_id` users;
/// - a role: the groups of its `group_ids`, then its `created_by_id` / `updated_by_id` users;
/// - an organization: its first 10 members by id, then its creator and updater;
/// - anything else: its `created_by_id` / `updated_by_id` users.
#[inline]
pub(super) fn relations_5_0(record: &Record, out: &mut Out) {
    let f = &record.fields;
    match record.kind {
        ModelKind::Ticket => users(
            out,
            &[f.created_by_id, f.updated_by_id, f.owner_id, f.customer_id],
        ),
        ModelKind::User => {
            out.extend(f.role_ids.iter().map(|id| (ModelKind::Role, *id)));
            out.extend(f.group_ids.iter().map(|(id, _)| (ModelKind::Group, *id)));
            user_organizations(record, out);
            users(out, &[f.created_by_id, f.updated_by_id]);
        }
        ModelKind::Role => role(record, out),
        ModelKind::Organization => {
            members(record, out);
            users(out, &[f.created_by_id, f.updated_by_id]);
        }
        ModelKind::Group
        | ModelKind::Permission
        | ModelKind::KbAnswerTranslation
        | ModelKind::TicketState
        | ModelKind::TicketPriority => users(out, &[f.created_by_id, f.updated_by_id]),
    }
}

/// A role: the groups of its `group_ids`, then its `created_by_id` / `updated_by_id` users.
/// The same in every profile: the spec knows only the 5.x `role/assets.rb` (§2.2), so the
/// later profiles take the nearest known version's walk.
fn role(record: &Record, out: &mut Out) {
    let f = &record.fields;
    out.extend(f.group_ids.iter().map(|(id, _)| (ModelKind::Group, *id)));
    users(out, &[f.created_by_id, f.updated_by_id]);
}

/// Zammad 6.5's walk (spec §2.2, V65 column):
/// - a ticket: its group first, then its organization, then the 4 users as in 5.0;
/// - a user: its roles, groups and organizations, but no `created_by` / `updated_by`;
/// - an organization: its first 10 members, then its creator and updater (V52's code, the
///   nearest known version: §2.2 names no V65 organization walk);
/// - a role, a group and anything else as in 5.0.
#[inline]
pub(super) fn relations_6_5(record: &Record, out: &mut Out) {
    let f = &record.fields;
    match record.kind {
        ModelKind::Ticket => {
            out.extend(f.group_id.map(|id| (ModelKind::Group, id)));
            out.extend(f.organization_id.map(|id| (ModelKind::Organization, id)));
            users(
                out,
                &[f.created_by_id, f.updated_by_id, f.owner_id, f.customer_id],
            );
        }
        ModelKind::User => {
            out.extend(f.role_ids.iter().map(|id| (ModelKind::Role, *id)));
            out.extend(f.group_ids.iter().map(|(id, _)| (ModelKind::Group, *id)));
            user_organizations(record, out);
        }
        _ => relations_5_0(record, out),
    }
}

/// Zammad 7.0's walk (spec §2.2, V70d / DEV26 column, the nearest known to 7.0.1):
/// - a ticket: its organization, then the 4 users (no group);
/// - a user: its organizations only (no roles, no groups, no creator);
/// - an organization: its first 10 members only (DEV26: no creator or updater);
/// - a role, a group and anything else as in 5.0.
#[inline]
pub(super) fn relations_7_0(record: &Record, out: &mut Out) {
    let f = &record.fields;
    match record.kind {
        ModelKind::Ticket => {
            out.extend(f.organization_id.map(|id| (ModelKind::Organization, id)));
            users(
                out,
                &[f.created_by_id, f.updated_by_id, f.owner_id, f.customer_id],
            );
        }
        ModelKind::User => user_organizations(record, out),
        ModelKind::Organization => members(record, out),
        _ => relations_5_0(record, out),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::Relations;
    use crate::model::ModelKind;
    use crate::records::Record;

    #[test]
    fn every_walk_pulls_in_only_the_kinds_may_pull_in_names() {
        // Kept closures rely on it: a record of any other kind is never inside a closure.
        let everything = json!({
            "id": 7, "name": "x", "created_by_id": 1, "updated_by_id": 2, "owner_id": 3,
            "customer_id": 4, "group_id": 5, "organization_id": 6, "role_ids": [8],
            "group_ids": {"9": ["full"]}, "organization_ids": [10], "member_ids": [11],
            "permission_ids": [12]
        });
        for relations in [
            Relations::Zammad50,
            Relations::Zammad65,
            Relations::Zammad70,
        ] {
            for kind in ModelKind::ALL {
                let serde_json::Value::Object(attrs) = everything.clone() else {
                    unreachable!()
                };
                let (record, _) = Record::from_attributes(kind, 7, attrs).unwrap();
                let mut out = Vec::new();
                relations.of(&record, &mut out);
                assert!(!out.is_empty(), "{kind:?} pulls in its creator at least");
                for (pulled, _) in out {
                    assert!(
                        relations.may_pull_in(pulled),
                        "{relations:?}: {kind:?} pulls in {pulled:?}"
                    );
                }
            }
        }
    }
}
