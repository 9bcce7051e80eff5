//! The Zammad release the mock answers as. Everything that differs between Zammad versions
//! lives in one [`Profile`] value: the refusals of the link calls (status, text and body
//! shape), the validations, the authorization checks, the assets walk and the default data
//! set. The rest of the code asks the profile and never branches on a version, so another
//! Zammad release is another value of this type.
//!
//! Only Zammad 5.0 (the version of the user's example) is modelled so far.

use crate::auth::Caller;
use crate::model::ModelKind;
use crate::records::{Record, RecordStore};

/// How a refusal's body is shaped (`application_controller/handles_errors.rb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyShape {
    /// `{"error": t, "error_human": t}`: the error went through `humanize_error`.
    Humanized,
    /// `{"error": t}`: the controller rendered it itself.
    ErrorOnly,
}

/// One refusal as a Zammad version answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// The error text.
    pub text: &'static str,
    /// The body's shape.
    pub shape: BodyShape,
    /// Whether the action rendered it after running to the end, so that the answer carries
    /// the action's success headers (no caching, CORS).
    pub from_action: bool,
}

/// What a version does with an add whose source and target are the same object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfLinks {
    /// Stored like any other link (Zammad 5.0 and 6.x).
    Allowed,
}

/// Which records a record pulls into `assets`: one version's walk. An enum rather than a
/// function pointer, so that the walk inlines into the assets builder's loop (a pointer
/// call per record showed in instruction counts of the seed's GET).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relations {
    /// Zammad 5.0's `assets` methods.
    Zammad50,
}

impl Relations {
    /// The records `record` pulls in, in the version's order, appended to `out`.
    #[inline]
    pub fn of(self, record: &Record, out: &mut Vec<(ModelKind, i64)>) {
        match self {
            Relations::Zammad50 => relations_5_0(record, out),
        }
    }
}

/// Everything version-specific, as one value.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// The version's number as the command line names it (`5.0`).
    pub name: &'static str,
    /// The default data set in that version's shapes.
    pub default_data: &'static str,
    /// add: the source (or its object) was not found.
    pub no_such_object: Refusal,
    /// add: the same link (type, source, target) exists.
    pub already_exists: Refusal,
    /// add: whether a self link is stored.
    pub self_links: SelfLinks,
    /// The assets walk.
    pub relations: Relations,
    /// `TicketPolicy#show?`: whether a caller may see a ticket (filters the links list).
    pub may_show_ticket: fn(&Caller, &RecordStore, &Record) -> bool,
}

/// Zammad 5.0 (`LinksController` and `Link` as of 5.0, the user's example).
pub const ZAMMAD_5_0: Profile = Profile {
    name: "5.0",
    default_data: crate::fixtures::DEFAULT_DATA,
    // `links_controller.rb#add` renders this itself.
    no_such_object: Refusal {
        status: 422,
        text: "No such object!",
        shape: BodyShape::ErrorOnly,
        from_action: true,
    },
    // The unique index `links_uniq_total`, humanised by `handles_errors.rb`.
    already_exists: Refusal {
        status: 422,
        text: "Object already exists!",
        shape: BodyShape::Humanized,
        from_action: false,
    },
    self_links: SelfLinks::Allowed,
    relations: Relations::Zammad50,
    may_show_ticket: Caller::may_show_ticket,
};

impl Default for Profile {
    fn default() -> Self {
        ZAMMAD_5_0
    }
}

/// Zammad 5.0's assets walk (`app/models/*/assets.rb`, `ApplicationModel::CanAssets`):
/// - a ticket: its `created_by_id`, `updated_by_id`, `owner_id`, `customer_id` users;
/// - a user: its roles, its groups (keys of `group_ids`), the first 3 `organization_ids`,
///   its organization, its `created_by_id` and `updated_by_id` users;
/// - a role: the groups of its `group_ids`, then its `created_by_id` / `updated_by_id` users;
/// - an organization: its first 10 members by id, then its creator and updater;
/// - anything else: its `created_by_id` / `updated_by_id` users.
#[inline]
fn relations_5_0(record: &Record, out: &mut Vec<(ModelKind, i64)>) {
    let f = &record.fields;
    let users = |out: &mut Vec<(ModelKind, i64)>, ids: &[Option<i64>]| {
        out.extend(ids.iter().flatten().map(|id| (ModelKind::User, *id)));
    };
    match record.kind {
        ModelKind::Ticket => users(
            out,
            &[f.created_by_id, f.updated_by_id, f.owner_id, f.customer_id],
        ),
        ModelKind::User => {
            out.extend(f.role_ids.iter().map(|id| (ModelKind::Role, *id)));
            out.extend(f.group_ids.iter().map(|(id, _)| (ModelKind::Group, *id)));
            out.extend(
                f.organization_ids
                    .iter()
                    .take(3)
                    .map(|id| (ModelKind::Organization, *id)),
            );
            out.extend(f.organization_id.map(|id| (ModelKind::Organization, id)));
            users(out, &[f.created_by_id, f.updated_by_id]);
        }
        ModelKind::Role => {
            out.extend(f.group_ids.iter().map(|(id, _)| (ModelKind::Group, *id)));
            users(out, &[f.created_by_id, f.updated_by_id]);
        }
        ModelKind::Organization => {
            let mut members = f.member_ids.clone();
            members.sort_unstable();
            members.truncate(10);
            out.extend(members.into_iter().map(|id| (ModelKind::User, id)));
            users(out, &[f.created_by_id, f.updated_by_id]);
        }
        ModelKind::Group
        | ModelKind::Permission
        | ModelKind::KbAnswerTranslation
        | ModelKind::TicketState
        | ModelKind::TicketPriority => {
            users(out, &[f.created_by_id, f.updated_by_id]);
        }
    }
}
