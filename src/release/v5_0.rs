//! Zammad 5.0, the seed's line (spec §10.1): `LinksController` and `Link` as of 5.0, which
//! check nothing beyond the login and let the unique index refuse duplicates; the 5.0
//! `assets` walks, in which users pull in their roles, groups and creators (which is why the
//! seed's answer has `Role` and `Group`); the 5.0 ticket controller's shapes.

use super::parts::{self, Out};
use super::ticket_calls::ARTICLE_ASSOCIATIONS;
use super::{
    AllPart, AssetRules, AuthRules, Booleans, ClosedTickets, Covers, DuplicateLinks, Duplicates,
    ExpandRules, Fixed, LinkRules, MergeAccess, MergeRules, Paging, PermissionDenied, Raised, Room,
    SearchAnswer, SearchRules, SelfLinks, Shape, TextMatch, TicketCallRules, TicketRules,
};
use crate::assets::CustomerView;
use crate::auth::Caller;
use crate::expand::{Association, NameSource};
use crate::model::ModelKind;
use crate::records::{Record, RecordStore};
use crate::seeds::{Lookup, Seeds};

pub(super) const ROOM: Room = Room {
    name: "5.0",
    // The patch level of the 5.0 line the seed came from is unknown; 5.0.3 was the last
    // 5.0 release (a choice, spec §10.1).
    covers: &[Covers::all(5, 0, 3)],
    default_data: include_str!("../../data/default.json"),
    auth: AuthRules {
        // Doorkeeper's text in 5.0 (`authenticates.rb#authenticate_with_oauth2`, spec §3.1).
        unknown_bearer: "Invalid token!",
        // `lib/user_context.rb` raises from the policy, naming the check that failed.
        permission_denied: PermissionDenied {
            user: "Not authorized (user)!",
            token: "Not authorized (token)!",
            by_method: false,
        },
    },
    links: LinkRules {
        // `LinksController` has no policy beyond being logged in.
        policy: None,
        // The unique index `links_uniq_total`, humanised by `handles_errors.rb`.
        duplicates: Duplicates::UniqueIndex(Fixed(Raised::Unprocessable, "Object already exists!")),
        self_links: SelfLinks::Stored,
        // `links_controller.rb#add` renders this itself.
        no_such_object: Fixed(Raised::Rendered, "No such object!"),
    },
    tickets: TicketRules {
        may_show: may_show_ticket,
        index_scope,
        // `tickets_controller.rb#show` checks expand, then full, then all.
        show_order: [Shape::Expand, Shape::Full, Shape::All],
        // `tickets_controller.rb#ticket_all`.
        all_parts: &[
            AllPart::TicketId,
            AllPart::ArticleIds,
            AllPart::Assets,
            AllPart::Links,
            AllPart::Tags,
            AllPart::Mentions,
            AllPart::FormMeta,
        ],
        // `TicketsController#index`: `paginate_with(max: 100)`, default 100.
        index_paging: Paging {
            default_per_page: 100,
            max_per_page: 100,
        },
    },
    assets: AssetRules {
        walk,
        customer_view: &CUSTOMER_VIEW,
    },
    expand: ExpandRules {
        ticket: TICKET_ASSOCIATIONS,
        user: USER_ASSOCIATIONS,
    },
    seeds: &SEEDS,
    booleans: Booleans::TrueOrOne,
    ticket_calls: TICKET_CALLS,
    search: SEARCH,
};

/// The ticket search of Zammad 5.0 without Elasticsearch (spec column V50): the SQL
/// fallback of `app/models/ticket/search.rb` (`zammad/zammad@5df98684`): `LIKE` with the
/// query put into the pattern as it is, joined to the articles, and
/// `TicketsController#search`'s `{tickets, tickets_count, assets}`.
pub(super) const SEARCH: SearchRules = SearchRules {
    // The ticket index's scope: `read` groups, own tickets, a shared organization's.
    scope: index_scope,
    // `Ticket.search_preferences` (5.0) answers for every caller.
    needs_ticket_permission: false,
    text: TextMatch {
        case_sensitive: true,
        wildcards: true,
    },
    per_article_row: true,
    blank_query_joins_articles: true,
    query_drops_condition: true,
    term: false,
    answer: SearchAnswer::Tickets,
    // `tickets_controller.rb#search`: `paginate_with(max: 200, default: 50)`.
    paging: Paging {
        default_per_page: 50,
        max_per_page: 200,
    },
};

/// The ticket calls of Zammad 5.0 (spec column V50): no transaction around a create, an
/// article required, duplicates refused by the unique index, the 5.0 texts.
pub(super) const TICKET_CALLS: TicketCallRules = TicketCallRules {
    // `Exceptions::NotAuthorized` of 5.0's `authorize!` (`application_controller/authorizes.rb`).
    permission_missing: ["Not authorized (user)!", "Not authorized (token)!"],
    // `validates :group_id, presence: true`, humanised.
    group_missing: Fixed(Raised::Unprocessable, "Group can't be blank"),
    owner_access: true,
    // `tickets_controller.rb#create` (5.0): organization too.
    customer_dropped_on_create: &[
        "owner",
        "owner_id",
        "customer",
        "customer_id",
        "preferences",
        "organization",
        "organization_id",
    ],
    customer_dropped_on_update: &[
        "owner",
        "owner_id",
        "customer",
        "customer_id",
        "organization",
        "organization_id",
        "preferences",
    ],
    ignored: &[],
    keeps_given_organization: false,
    article_required: true,
    // `creates_ticket_articles.rb#article_create` (5.0).
    article_body_missing: r#"Need at least article: { body: "some text" }"#,
    blank_body_refused: false,
    create_is_atomic: false,
    create_duplicate_links: DuplicateLinks::Refused,
    create_links_authorized_from: None,
    link_type_structure: "Invalid link structure (Object->LinkType)",
    already_exists: "Object already exists!",
    required_column_suffix: "' required!",
    core_workflow_masked: false,
    closed_tickets: ClosedTickets::CustomersRefusedWhenNewTicket,
    article_columns: &[
        "id",
        "ticket_id",
        "type_id",
        "sender_id",
        "from",
        "to",
        "cc",
        "subject",
        "reply_to",
        "message_id",
        "message_id_md5",
        "in_reply_to",
        "content_type",
        "references",
        "body",
        "internal",
        "preferences",
        "updated_by_id",
        "created_by_id",
        "origin_by_id",
        "created_at",
        "updated_at",
    ],
    article_associations: ARTICLE_ASSOCIATIONS,
    article_time_unit: false,
    ticket_keys: TICKET_KEYS,
    user_keys: USER_KEYS,
    // `tickets_controller.rb#ticket_merge` and `app/models/ticket.rb#merge_to` (5.0).
    merge: MergeRules {
        access: MergeAccess::UpdatePolicy,
        target_not_found: "No such target ticket number!",
        source_not_found: "No such source ticket!",
        into_merged: "ticket already merged, no merge into merged ticket possible",
        into_itself: "Can't merge ticket with it self!",
        recounts_target: false,
    },
};

/// The columns of 5.0's `tickets` table, then the `*_ids` its assets add.
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
    "article_ids",
    "ticket_time_accounting_ids",
];

/// The attributes of a 5.0 user in assets (no password).
const USER_KEYS: &[&str] = &[
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
    "organization_ids",
    "authorization_ids",
    "karma_user_ids",
    "group_ids",
    "accounts",
];

/// `TicketPolicy#show?` of Zammad 5.0: an agent who owns the ticket or has `read` on its
/// group, or a customer who is its customer or shares its organization.
pub(super) fn may_show_ticket(caller: &Caller, records: &RecordStore, ticket: &Record) -> bool {
    let fields = &ticket.fields;
    let as_agent = caller.is_ticket_agent()
        && (fields.owner_id == Some(caller.user_id())
            || fields
                .group_id
                .is_some_and(|group| caller.may_read_group(group)));
    as_agent || (caller.is_ticket_customer() && caller.is_customer_of(records, ticket))
}

/// `TicketPolicy::BaseScope` of 5.0 (`zammad/zammad@de30a5c1`): the agent's groups with
/// `read`, OR the caller's own customer tickets (whatever its permissions), OR, when the
/// caller's organization is shared, that organization's tickets.
pub(super) fn index_scope(caller: &Caller, records: &RecordStore, ticket: &Record) -> bool {
    let fields = &ticket.fields;
    let as_agent = caller.is_ticket_agent()
        && fields
            .group_id
            .is_some_and(|group| caller.may_read_group(group));
    as_agent || caller.is_customer_of(records, ticket)
}

/// Zammad 5.0's assets walk (`app/models/*/assets.rb`, `ApplicationModel::CanAssets`):
/// - a ticket: its `created_by_id`, `updated_by_id`, `owner_id`, `customer_id` users;
/// - a user: its roles, its groups (keys of `group_ids`), the first 3 `organization_ids`,
///   its organization, its `created_by_id` and `updated_by_id` users;
/// - a role: the groups of its `group_ids`, then its `created_by_id` / `updated_by_id` users;
/// - an organization: its first 10 members by id, then its creator and updater;
/// - an article: its ticket (walked as a ticket), then its creator, updater and `origin_by`;
/// - anything else: its `created_by_id` / `updated_by_id` users.
pub(super) fn walk(record: &Record, out: &mut Out) {
    match record.kind {
        ModelKind::Ticket => parts::ticket_users(record, out),
        ModelKind::User => {
            parts::user_roles_and_groups(record, out);
            parts::user_organizations(record, out);
            parts::creators(record, out);
        }
        ModelKind::Role => parts::role(record, out),
        ModelKind::Organization => {
            parts::members(record, out);
            parts::creators(record, out);
        }
        ModelKind::Group
        | ModelKind::Permission
        | ModelKind::KbAnswerTranslation
        | ModelKind::TicketState
        | ModelKind::TicketPriority => parts::creators(record, out),
        ModelKind::TicketArticle => parts::article(record, out),
    }
}

/// What a customer sees of the records in `assets` (`User#filter_attributes` and friends).
pub(super) const CUSTOMER_VIEW: CustomerView = CustomerView {
    other_user: &[
        "id",
        "firstname",
        "lastname",
        "image",
        "image_source",
        "active",
    ],
    own_user_hidden: &[
        "web",
        "phone",
        "mobile",
        "fax",
        "department",
        "street",
        "zip",
        "city",
        "country",
        "address",
        "note",
    ],
    organization: &["id", "name", "active"],
    group: &["id", "name", "active"],
    role: &["id", "name", "group_ids", "permission_ids", "active"],
};

/// The associations of `app/models/ticket.rb` (5.0) in declaration order; `flags` and
/// `mentions` are `association_attributes_ignored`.
const TICKET_ASSOCIATIONS: &[&[Association]] = &[TICKET_OWN, TICKET_REFERENCES];

/// A ticket's group, organization, articles and time accountings.
pub(super) const TICKET_OWN: &[Association] = &[
    Association::BelongsTo {
        key: "group",
        id_key: "group_id",
        names: NameSource::Record(ModelKind::Group),
    },
    Association::BelongsTo {
        key: "organization",
        id_key: "organization_id",
        names: NameSource::Record(ModelKind::Organization),
    },
    Association::Unnamed {
        key: "articles",
        ids_key: "article_ids",
    },
    Association::Unnamed {
        key: "ticket_time_accounting",
        ids_key: "ticket_time_accounting_ids",
    },
];

/// A ticket's state, priority, users and its first article's type and sender.
pub(super) const TICKET_REFERENCES: &[Association] = &[
    Association::BelongsTo {
        key: "state",
        id_key: "state_id",
        names: NameSource::Seeded(Lookup::State),
    },
    Association::BelongsTo {
        key: "priority",
        id_key: "priority_id",
        names: NameSource::Seeded(Lookup::Priority),
    },
    Association::BelongsTo {
        key: "owner",
        id_key: "owner_id",
        names: NameSource::User,
    },
    Association::BelongsTo {
        key: "customer",
        id_key: "customer_id",
        names: NameSource::User,
    },
    Association::BelongsTo {
        key: "created_by",
        id_key: "created_by_id",
        names: NameSource::User,
    },
    Association::BelongsTo {
        key: "updated_by",
        id_key: "updated_by_id",
        names: NameSource::User,
    },
    Association::BelongsTo {
        key: "create_article_type",
        id_key: "create_article_type_id",
        names: NameSource::Seeded(Lookup::ArticleType),
    },
    Association::BelongsTo {
        key: "create_article_sender",
        id_key: "create_article_sender_id",
        names: NameSource::Seeded(Lookup::ArticleSender),
    },
];

/// `roles` (concern `HasRoles`) first, then the associations of `app/models/user.rb` (5.0)
/// in declaration order; the ignored ones and those without rows (`has_one` chat agents)
/// leave no key.
const USER_ASSOCIATIONS: &[&[Association]] = &[&[
    Association::Named {
        key: "roles",
        ids_key: "role_ids",
        kind: ModelKind::Role,
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
        key: "karma_user",
        ids_key: "karma_user_ids",
    },
    Association::BelongsTo {
        key: "organization",
        id_key: "organization_id",
        names: NameSource::Record(ModelKind::Organization),
    },
    Association::GroupNames { key: "groups" },
]];

/// The lookup tables a fresh Zammad 5.0 seeds (`db/seeds/ticket_*.rb`): id → name.
pub(super) const SEEDS: Seeds = Seeds {
    states: &[
        (1, "new"),
        (2, "open"),
        (3, "pending reminder"),
        (4, "closed"),
        (5, "merged"),
        (6, "removed"),
        (7, "pending close"),
    ],
    priorities: &[(1, "1 low"), (2, "2 normal"), (3, "3 high")],
    article_types: &[
        (1, "email"),
        (2, "sms"),
        (3, "chat"),
        (4, "fax"),
        (5, "phone"),
        (6, "twitter status"),
        (7, "twitter direct-message"),
        (8, "facebook feed post"),
        (9, "facebook feed comment"),
        (10, "note"),
        (11, "web"),
        (12, "telegram personal-message"),
    ],
    article_senders: &[(1, "Agent"), (2, "Customer"), (3, "System")],
};
