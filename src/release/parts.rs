//! Pieces of the assets walks that several lines share (`app/models/*/assets.rb`, spec §2.2):
//! a line's own walk in its file is written from these, so that where two lines agree they
//! share the code, and where they differ the difference is in the line's file.

use crate::model::ModelKind;
use crate::records::Record;

/// What a walk appends to: the records pulled in, as (kind, id), in order.
pub(super) type Out = Vec<(ModelKind, i64)>;

/// The users with these ids, in this order, skipping absent ones.
pub(super) fn users(out: &mut Out, ids: &[Option<i64>]) {
    out.extend(ids.iter().flatten().map(|id| (ModelKind::User, *id)));
}

/// A record's `created_by_id` and `updated_by_id` users.
pub(super) fn creators(record: &Record, out: &mut Out) {
    let f = &record.fields;
    users(out, &[f.created_by_id, f.updated_by_id]);
}

/// A ticket's four users: `created_by_id`, `updated_by_id`, `owner_id`, `customer_id`.
pub(super) fn ticket_users(record: &Record, out: &mut Out) {
    let f = &record.fields;
    users(
        out,
        &[f.created_by_id, f.updated_by_id, f.owner_id, f.customer_id],
    );
}

/// A user's roles (`role_ids`), then its groups (the keys of `group_ids`).
pub(super) fn user_roles_and_groups(record: &Record, out: &mut Out) {
    let f = &record.fields;
    out.extend(f.role_ids.iter().map(|id| (ModelKind::Role, *id)));
    out.extend(f.group_ids.iter().map(|(id, _)| (ModelKind::Group, *id)));
}

/// The first 3 `organization_ids`, then the primary organization (`User#assets`).
pub(super) fn user_organizations(record: &Record, out: &mut Out) {
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
pub(super) fn members(record: &Record, out: &mut Out) {
    let mut members = record.fields.member_ids.clone();
    members.sort_unstable();
    members.truncate(10);
    out.extend(members.into_iter().map(|id| (ModelKind::User, id)));
}

/// A role's groups (its `group_ids`), then its creator and updater.
pub(super) fn role(record: &Record, out: &mut Out) {
    let f = &record.fields;
    out.extend(f.group_ids.iter().map(|(id, _)| (ModelKind::Group, *id)));
    creators(record, out);
}

/// An article's ticket, then its `created_by_id`, `updated_by_id` and `origin_by_id` users
/// (`Ticket::Article::Assets#assets`). Articles are rare roots, so their two ids are read
/// from the record's text here rather than kept in every record's parsed fields.
pub(super) fn article(record: &Record, out: &mut Out) {
    #[derive(serde::Deserialize)]
    struct Ends {
        ticket_id: Option<i64>,
        origin_by_id: Option<i64>,
    }
    let ends: Option<Ends> = serde_json::from_str(record.json()).ok();
    let (ticket, origin_by) = ends.map_or((None, None), |e| (e.ticket_id, e.origin_by_id));
    out.extend(ticket.map(|id| (ModelKind::Ticket, id)));
    let f = &record.fields;
    users(out, &[f.created_by_id, f.updated_by_id, origin_by]);
}
