//! Zammad 6.5.x (spec §10.2), read from the complete application tree of the official image
//! `6.5.0-75` (`jason-lyb/zammad@a636ea2`): the links policy (target `update?`, source
//! `show?`, customer access counting; missing tickets not found, other objects unrescued),
//! `Validations::LinkUniquenessValidator` whose refusal the controller answers as the unsaved
//! row, the 2023+ assets walks (tickets pull in their organization and users, users their
//! organizations, organizations their members), `ActiveModel` booleans, and the `report`
//! permission's view of every ticket in the index.

use super::parts::{self, Out};
use super::{
    v5_0, AllPart, AssetRules, AuthRules, Booleans, ClosedTickets, Covers, DuplicateLinks,
    Duplicates, ExpandRules, Fixed, LinkPolicy, LinkRules, MergeAccess, MergeRules,
    PermissionDenied, Raised, Room, SearchAnswer, SearchRules, SelfLinks, TextMatch,
    TicketCallRules, TicketRules,
};
use crate::assets::CustomerView;
use crate::auth::Caller;
use crate::expand::{Association, NameSource};
use crate::model::ModelKind;
use crate::records::{Record, RecordStore};

pub(super) const ROOM: Room = Room {
    name: "6.5",
    // A choice: the spec knows no 6.5 patch level the mock should prefer.
    covers: &[Covers::all(6, 5, 0)],
    default_data: include_str!("../../data/default-6.5.json"),
    auth: AuthRules {
        // Doorkeeper's own text (`authenticates.rb`, `JL@a636ea2`).
        unknown_bearer: "The provided token is invalid.",
        // `application_controller_policy.rb:22-33` keeps the exception the permission check
        // raised: `User::Permissions` or `Token::Permissions`, by how the caller came.
        permission_denied: PermissionDenied {
            user: "User authorization failed.",
            token: "Token authorization failed.",
            by_method: true,
        },
    },
    links: LinkRules {
        policy: Some(POLICY),
        // `Link.add` ends in `Link.create` without a bang, and `links_controller.rb#add`
        // answers `if link` (`JL@a636ea2:app/controllers/links_controller.rb:47-48`).
        duplicates: Duplicates::AnsweredUnsaved,
        self_links: SelfLinks::Stored,
        // `links_controller.rb#add` after the policy; unreachable for tickets (spec §1.6 step 3).
        no_such_object: Fixed(Raised::Rendered, "The object could not be found."),
    },
    tickets: TicketRules {
        may_show: may_show_ticket,
        index_scope,
        // `Ticket::AssetsAll#response` (`JL@a636ea2:app/models/ticket/assets_all.rb`).
        all_parts: &[
            AllPart::TicketId,
            AllPart::ArticleIds,
            AllPart::Assets,
            AllPart::Links,
            AllPart::Tags,
            AllPart::Mentions,
            AllPart::TimeAccountings,
            AllPart::FormMeta,
        ],
        ..v5_0::ROOM.tickets
    },
    assets: AssetRules {
        walk,
        customer_view: &CUSTOMER_VIEW,
    },
    expand: ExpandRules {
        ticket: TICKET_ASSOCIATIONS,
        user: USER_ASSOCIATIONS,
    },
    // `has_response_extentions.rb` casts with `ActiveModel::Type::Boolean`.
    booleans: Booleans::ActiveModel,
    ticket_calls: TICKET_CALLS,
    search: SEARCH,
    ..v5_0::ROOM
};

/// The ticket search of Zammad 6.5 without Elasticsearch (spec column V65):
/// `CanSearch.search_sql` (`app/models/concerns/can_search.rb`) with
/// `Ticket::Search.search_sql_query_extension`: `ILIKE` over the quoted query
/// (`where_or_cis`, `SqlHelper.quote_like`), grouped by ticket, the read scope without the
/// `report` exception (`search_preferences` stops callers without `ticket.agent` and
/// `ticket.customer` first), and `model_search_render`'s shapes without `with_total_count`.
pub(super) const SEARCH: SearchRules = SearchRules {
    scope: scope_without_report,
    needs_ticket_permission: true,
    text: TextMatch {
        case_sensitive: false,
        wildcards: false,
    },
    per_article_row: false,
    blank_query_joins_articles: false,
    query_drops_condition: false,
    term: true,
    answer: SearchAnswer::Models {
        with_total_count: false,
    },
    ..v5_0::SEARCH
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
    // `app/services/service/ticket/merge.rb` and `app/models/ticket.rb#merge_to` (6.5).
    merge: MergeRules {
        access: MergeAccess::AgentUpdateAccess,
        target_not_found: "The target ticket number could not be found.",
        source_not_found: "The source ticket could not be found.",
        into_merged: "It is not possible to merge into an already merged ticket.",
        into_itself: "A ticket cannot be merged into itself.",
        recounts_target: false,
    },
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

/// `Controllers::LinksControllerPolicy` (`JL@a636ea2:app/policies/controllers/links_controller_policy.rb`):
/// `TicketPolicy#update?` on the target, `#show?` on the source, no check of the list.
pub(super) const POLICY: LinkPolicy = LinkPolicy {
    may_update_target: may_update_ticket,
    may_show_source: may_show_ticket,
    index: None,
};

/// `TicketPolicy#show?` (`access?('read')`): an agent with `read` on the ticket's group (the
/// owner shortcut of 5.x is gone, spec §3.2), or customer access.
pub(super) fn may_show_ticket(caller: &Caller, records: &RecordStore, ticket: &Record) -> bool {
    agent_read_access(caller, records, ticket)
        || (caller.is_ticket_customer() && caller.is_customer_of(records, ticket))
}

/// `TicketPolicy#update?` (`access?('change')`): an agent with `change` on the ticket's
/// group, or customer access (a customer may change their own tickets).
pub(super) fn may_update_ticket(caller: &Caller, records: &RecordStore, ticket: &Record) -> bool {
    agent_update_access(caller, records, ticket)
        || (caller.is_ticket_customer() && caller.is_customer_of(records, ticket))
}

/// `TicketPolicy#agent_read_access?`: `ticket.agent` and `read` on the ticket's group.
pub(super) fn agent_read_access(caller: &Caller, _: &RecordStore, ticket: &Record) -> bool {
    caller.is_ticket_agent()
        && ticket
            .fields
            .group_id
            .is_some_and(|group| caller.may_read_group(group))
}

/// `TicketPolicy#agent_update_access?`: `ticket.agent` and `change` on the ticket's group.
pub(super) fn agent_update_access(caller: &Caller, _: &RecordStore, ticket: &Record) -> bool {
    caller.is_ticket_agent()
        && ticket
            .fields
            .group_id
            .is_some_and(|group| caller.has_group_access(group, "change"))
}

/// `TicketPolicy::BaseScope` of 6.5 (`JL@a636ea2:app/policies/ticket_policy/base_scope.rb`):
/// the agent's groups with `read`, OR (with `ticket.customer`) own tickets and tickets of a
/// shared organization; a caller with neither permission but `report` sees every ticket.
pub(super) fn index_scope(caller: &Caller, records: &RecordStore, ticket: &Record) -> bool {
    if !caller.is_ticket_agent() && !caller.is_ticket_customer() {
        return caller.has_permission("report");
    }
    scope_without_report(caller, records, ticket)
}

/// The same scope without the `report` exception (2026 code, `zammad/zammad@060ea46b`).
pub(super) fn scope_without_report(
    caller: &Caller,
    records: &RecordStore,
    ticket: &Record,
) -> bool {
    agent_read_access(caller, records, ticket)
        || (caller.is_ticket_customer() && caller.is_customer_of(records, ticket))
}

/// The walk from 6.5 on (spec §2.2; `JL@a636ea2:app/models/{ticket,user,organization}/assets.rb`):
/// - a ticket: its organization, then the 4 users (no group);
/// - a user: the first 3 `organization_ids` and its organization (no roles, no groups, no
///   creators);
/// - an organization: its first 10 members (no creators);
/// - a role: nothing; anything else: its creator and updater, as before.
pub(super) fn walk(record: &Record, out: &mut Out) {
    let f = &record.fields;
    match record.kind {
        ModelKind::Ticket => {
            out.extend(f.organization_id.map(|id| (ModelKind::Organization, id)));
            parts::ticket_users(record, out);
        }
        ModelKind::User => parts::user_organizations(record, out),
        ModelKind::Organization => parts::members(record, out),
        // `JL@a636ea2:app/models/role/assets.rb:25-41`: the role itself.
        ModelKind::Role => {}
        _ => v5_0::walk(record, out),
    }
}

/// A customer's view from 2023 on: other users lose `accounts` too (not kept anyway), and a
/// group keeps its follow-up settings and place in the tree (`lib/user_info/assets.rb`).
pub(super) const CUSTOMER_VIEW: CustomerView = CustomerView {
    group: &[
        "id",
        "name",
        "active",
        "follow_up_possible",
        "reopen_time_in_days",
        "name_last",
        "parent_id",
    ],
    ..v5_0::CUSTOMER_VIEW
};

/// The associations of `app/models/ticket.rb` (6.5), concerns first: `Ticket::Checklists`,
/// then the model's own, as in 5.0.
const TICKET_ASSOCIATIONS: &[&[Association]] =
    &[CHECKLISTS, v5_0::TICKET_OWN, v5_0::TICKET_REFERENCES];

/// `Ticket::Checklists`: `referencing_checklists` (`referencing_checklist_items` is
/// ignored), then `belongs_to :checklist`, which the mock keeps no records of.
pub(super) const CHECKLISTS: &[Association] = &[
    Association::Unnamed {
        key: "referencing_checklists",
        ids_key: "referencing_checklist_ids",
    },
    Association::BelongsTo {
        key: "checklist",
        id_key: "checklist_id",
        names: NameSource::Missing,
    },
];

/// `roles` (`HasRoles`), then `app/models/user.rb` (6.5) in declaration order, concerns
/// first: two-factor preferences, organizations, authorizations, overview sortings (karma
/// was dropped in 2022, `db/migrate/20221006075341_drop_karma.rb`).
const USER_ASSOCIATIONS: &[&[Association]] = &[&[
    Association::Named {
        key: "roles",
        ids_key: "role_ids",
        kind: ModelKind::Role,
    },
    Association::Unnamed {
        key: "two_factor_preferences",
        ids_key: "two_factor_preference_ids",
    },
    Association::Named {
        key: "organizations",
        ids_key: "organization_ids",
        kind: ModelKind::Organization,
    },
    Association::Unnamed {
        key: "authorizations",
        ids_key: "authorization_ids",
    },
    Association::Unnamed {
        key: "overview_sortings",
        ids_key: "overview_sorting_ids",
    },
    Association::BelongsTo {
        key: "organization",
        id_key: "organization_id",
        names: NameSource::Record(ModelKind::Organization),
    },
    Association::GroupNames { key: "groups" },
]];
