//! What a [`Room`] holds: the shape of one behaviour line's rules, as plain data and small
//! policy functions. Each line's file (`v5_0.rs` …) fills one; the domain reads them
//! through the running `ZammadVersion`.

use std::borrow::Cow;

use crate::assets::CustomerView;
use crate::auth::Caller;
use crate::expand::Association;
use crate::model::ModelKind;
use crate::records::{Record, RecordStore};
use crate::seeds::Seeds;

use super::{SearchRules, TicketCallRules};

/// Everything one behaviour line does its own way. Each line's file has one, as `ROOM`.
#[derive(Debug)]
pub(crate) struct Room {
    /// The line's name (`5.0`).
    pub name: &'static str,
    /// The releases the line answers for, as `--zammad-version` names them.
    pub covers: &'static [Covers],
    /// The default data set in the line's shapes.
    pub default_data: &'static str,
    /// How authentication and whole-controller permissions refuse, where lines differ.
    pub auth: AuthRules,
    /// The link calls' rules.
    pub links: LinkRules,
    /// The ticket calls' rules.
    pub tickets: TicketRules,
    /// Which records a record pulls into `assets`, and what a customer sees of them.
    pub assets: AssetRules,
    /// How `expand=true` names a record's associations.
    pub expand: ExpandRules,
    /// The names of the seeded lookup tables (states, priorities, article types, senders).
    pub seeds: &'static Seeds,
    /// How a boolean parameter (`expand`, `full`, `all`) is read.
    pub booleans: Booleans,
    /// The rules of create, update, delete and articles.
    pub ticket_calls: TicketCallRules,
    /// The rules of the ticket search.
    pub search: SearchRules,
}

/// Releases `major.minor.patch` a line answers for: `minor` with a patch level in `patches`,
/// or, given as `major.minor` alone, as `default_patch` (when the line has one for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Covers {
    /// `major.minor`.
    pub release: (u16, u16),
    /// The patch levels, inclusive.
    pub patches: (u16, u16),
    /// The patch level `major.minor` alone stands for, if this line answers for it.
    pub default_patch: Option<u16>,
}

impl Covers {
    /// Every patch level of `major.minor`, `default_patch` for `major.minor` alone.
    pub(crate) const fn all(major: u16, minor: u16, default_patch: u16) -> Self {
        Self {
            release: (major, minor),
            patches: (0, u16::MAX),
            default_patch: Some(default_patch),
        }
    }
}

/// How Zammad raises a refusal, and with which text (`application_controller/handles_errors.rb`
/// rescues each exception class into one status and body shape; `api::error` holds that
/// mapping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// Which exception, or the controller's own rendering.
    pub raised: Raised,
    /// The text.
    pub text: Cow<'static, str>,
}

impl Failure {
    pub(super) fn new(raised: Raised, text: impl Into<Cow<'static, str>>) -> Self {
        Self {
            raised,
            text: text.into(),
        }
    }
}

/// What Zammad raises (or renders) for a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Raised {
    /// `ActiveRecord::RecordNotFound` (or the catch-all route): humanised.
    RecordNotFound,
    /// A database constraint, a validation or an `Exceptions::UnprocessableEntity` that
    /// `handles_errors.rb` rescues: humanised.
    Unprocessable,
    /// The controller's own `render json: {error: …}, status: :unprocessable_entity`, after
    /// the action ran to its end (so the answer has the action's headers).
    Rendered,
    /// A policy's denial or `Exceptions::Forbidden`: humanised, with `X-Failure`.
    Forbidden,
    /// `Exceptions::NotAuthorized`: humanised, with `X-Failure`.
    Unauthorized,
    /// An exception nothing rescues: Zammad masks it, unless the caller may see details
    /// (`ExceptionsPolicy#view_details?`); the text is what such a caller sees.
    Unrescued,
    /// The request could not be parsed (Rails' `ParseError`).
    BadRequest,
    /// Input the mock refuses where Zammad would fail inside (unrescued there): `{"error": …}`.
    Invalid,
    /// A 422 without a known text (an `ArgumentError`, a core-workflow refusal, an
    /// unrescued error the mock answers as a client error): masked as Zammad masks it for
    /// callers who may not see details; the text is logged.
    MaskedUnprocessable,
    /// The controller's own `render json: {result: 'failed', message: …}, status: :ok`
    /// (`tickets_controller.rb#ticket_merge`): a refusal answered 200, after the action ran
    /// to its end.
    Failed,
}

/// A failure with a fixed text, as a room states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fixed(pub Raised, pub &'static str);

impl From<Fixed> for Failure {
    fn from(Fixed(raised, text): Fixed) -> Self {
        Failure::new(raised, text)
    }
}

/// What differs in authentication and in whole-controller permission checks.
#[derive(Debug)]
pub(crate) struct AuthRules {
    /// The text for an unknown `Bearer` token (the OAuth2 check's own).
    pub unknown_bearer: &'static str,
    /// How a controller's `default_permit!` refuses a caller without the permission
    /// (`GET /api/v1/version`).
    pub permission_denied: PermissionDenied,
}

/// The texts of a controller policy's permission refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PermissionDenied {
    /// The user lacks the permission, or came by Basic authentication.
    pub user: &'static str,
    /// The token's own permission list lacks it, or the caller came by token.
    pub token: &'static str,
    /// Whether the text follows how the caller came (token or not) rather than which
    /// check failed (the user's permissions or the token's list).
    pub by_method: bool,
}

/// Whether a caller may do something to a ticket: one of a line's ticket policies.
pub(crate) type TicketCheck = fn(&Caller, &RecordStore, &Record) -> bool;

/// The rules of the three link calls.
#[derive(Debug)]
pub(crate) struct LinkRules {
    /// `Controllers::LinksControllerPolicy`, where the line has one (a line without it lets
    /// any logged-in user add and remove).
    pub policy: Option<LinkPolicy>,
    /// What an add of a link that exists (same type, source and target) does.
    pub duplicates: Duplicates,
    /// Whether a link from an object to itself is stored.
    pub self_links: SelfLinks,
    /// add: the source (or its object) was not found after the policy.
    pub no_such_object: Fixed,
}

/// A line's links policy (spec §1.5–1.7): add needs the target (found by id) to pass
/// `may_update_target`, then the source (found by number) `may_show_source`; remove needs
/// the target to pass `may_update_target`; where `index` is given, the list needs the queried
/// object to pass it. Objects other than `Ticket` and `KnowledgeBase::Answer::Translation`
/// are refused.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinkPolicy {
    /// The target's check (`update?`).
    pub may_update_target: TicketCheck,
    /// The source's check (`show?`).
    pub may_show_source: TicketCheck,
    /// The list's check of the queried ticket (`index?`), where the line has one.
    pub index: Option<TicketCheck>,
}

/// What an add of an existing link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Duplicates {
    /// Refused by the unique index `links_uniq_total`, raised as given, after PostgreSQL drew
    /// the row's id from the sequence (so the id is used up).
    UniqueIndex(Fixed),
    /// Refused by `Validations::LinkUniquenessValidator` before any id is drawn; the
    /// controller looks at the unsaved row and renders the validator's message.
    Refused(Fixed),
    /// Refused by the validator before any id is drawn, but the controller answers the
    /// unsaved row anyway (`if link`: 201 with a null `id`, `created_at`, `updated_at`).
    AnsweredUnsaved,
}

/// What a line does with an add whose source and target are the same object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SelfLinks {
    /// Stored like any other link.
    Stored,
    /// Refused by `Validations::LinkSelfReferenceValidator` (no id drawn), raised as given.
    Refused(Fixed),
}

/// The rules of the ticket calls around the links.
#[derive(Debug)]
pub(crate) struct TicketRules {
    /// `TicketPolicy#show?`.
    pub may_show: TicketCheck,
    /// `TicketPolicy::ReadScope`: which tickets `GET /api/v1/tickets` lists.
    pub index_scope: TicketCheck,
    /// `GET /api/v1/tickets/:id`: which of `expand`, `full` and `all` is asked first.
    pub show_order: [Shape; 3],
    /// The keys of `GET /api/v1/tickets/:id?all=true`, in order.
    pub all_parts: &'static [AllPart],
    /// `GET /api/v1/tickets`: how a page is chosen.
    pub index_paging: Paging,
}

/// A shape of a ticket answer other than the plain record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `expand=true`: association names.
    Expand,
    /// `full=true`: `{id, assets}`.
    Full,
    /// `all=true`: the ticket screen's whole answer.
    All,
}

/// One key of the `all=true` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AllPart {
    /// `ticket_id`.
    TicketId,
    /// `ticket_article_ids`.
    ArticleIds,
    /// `assets`.
    Assets,
    /// `links`.
    Links,
    /// `tags` (none are kept: always `[]`).
    Tags,
    /// `mentions` (none are kept: always `[]`).
    Mentions,
    /// `time_accountings` (none are kept: always `[]`).
    TimeAccountings,
    /// `form_meta`, the edit screen's options: its keys, with the core workflow's content
    /// not modelled (empty).
    FormMeta,
}

/// How the ticket index picks a page (`CanPaginate::Pagination`): `per_page` (or `limit`)
/// and `page` each count on their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging {
    /// Tickets per page when the client does not say.
    pub default_per_page: i64,
    /// The largest page handed out, whatever `per_page` asks for.
    pub max_per_page: i64,
}

/// A record and what it pulls into `assets`, in the line's order, appended to the list.
pub(crate) type WalkFn = fn(&Record, &mut Vec<(ModelKind, i64)>);

/// The assets rules of a line.
#[derive(Debug)]
pub(crate) struct AssetRules {
    /// Which records a record pulls in (`app/models/*/assets.rb`).
    pub walk: WalkFn,
    /// What a customer sees of the records in `assets` (`lib/user_info/assets.rb`).
    pub customer_view: &'static CustomerView,
}

/// The association lists `expand=true` names, in the models' declaration order, each as
/// pieces named in turn (so that lines share the pieces they agree on).
#[derive(Debug)]
pub(crate) struct ExpandRules {
    /// `app/models/ticket.rb`, concerns first.
    pub ticket: &'static [&'static [Association]],
    /// `app/models/user.rb`, concerns first.
    pub user: &'static [&'static [Association]],
}

/// How a line reads a boolean parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Booleans {
    /// Only `true`, `1` and their text are yes (`has_response_extentions.rb#response_expand?`
    /// compares with them).
    TrueOrOne,
    /// Rails' `ActiveModel::Type::Boolean`: anything but `false`, `0`, `"0"`, `"f"`, `"F"`,
    /// `"false"`, `"FALSE"`, `"off"`, `"OFF"`, `""` and null is yes.
    ActiveModel,
}
