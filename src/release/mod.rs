//! The Zammad release the mock answers as, and one room per behaviour line: everything that
//! differs between Zammad releases lives in the line's file (`v5_0.rs`, `v6_5.rs`,
//! `v7_0.rs`) as one [`Room`] — refusal texts and how Zammad raises them, the link and ticket
//! policies, the assets walk and a customer's view of assets, the association order of
//! `expand=true`, the shapes of `GET /api/v1/tickets/:id`, the ticket index's paging, boolean
//! parameters, the seeded names, the default data set and the version string. No code outside
//! this folder names a release: it asks the running [`ZammadVersion`] for its room.
//!
//! Adding a line is one file with its `ROOM` and one [`Line`] variant; the compiler lists
//! every place that must then name it (the matches in this file). A later line's file states
//! only how it differs and takes the rest from the line before, as the spec describes them.
//!
//! Refusals reach the HTTP boundary as reasons ([`Refusal`]); [`ZammadVersion::failure`]
//! says how this release raises each one — the exception Zammad's controller rescues (or the
//! body it renders itself) and its text — and `api::error` alone turns that into a status,
//! a body and headers.

mod parts;
mod ticket_calls;
mod v5_0;
mod v6_5;
mod v7_0;

use std::borrow::Cow;
use std::fmt;

use crate::auth::{AuthError, Caller};
use crate::model::ModelKind;
use crate::params::ParamsError;
use crate::records::{Record, RecordStore};
use crate::refusal::Refusal;

use crate::assets::CustomerView;
use crate::expand::Association;
use crate::seeds::Seeds;

pub(crate) use ticket_calls::{ClosedTickets, DuplicateLinks, TicketCallRules};

/// The behaviour lines: groups of Zammad releases whose link code answers alike (spec §0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Line {
    /// Zammad 5.0.x, the seed's line.
    V5_0,
    /// Zammad 6.5.x.
    V6_5,
    /// Zammad 7.0.x.
    V7_0,
}

impl Line {
    /// Every line, oldest first.
    const ALL: [Line; 3] = [Line::V5_0, Line::V6_5, Line::V7_0];

    /// The line's room.
    #[inline]
    const fn room(self) -> &'static Room {
        match self {
            Line::V5_0 => &v5_0::ROOM,
            Line::V6_5 => &v6_5::ROOM,
            Line::V7_0 => &v7_0::ROOM,
        }
    }
}

/// A Zammad release: its number and the behaviour line that answers for it. This is the
/// value `--zammad-version`, `MockServerBuilder::zammad_version` and capture's options take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ZammadVersion {
    line: Line,
}

impl Default for ZammadVersion {
    fn default() -> Self {
        Self::V5_0
    }
}

/// A version the mock has no behaviour line for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Zammad version {given:?}: the mock answers as {}", accepted())]
pub struct UnknownVersion {
    /// What was asked for.
    pub given: String,
}

/// The accepted values, for messages.
fn accepted() -> String {
    let names: Vec<&str> = Line::ALL.iter().map(|line| line.room().name).collect();
    names.join(", ")
}

impl ZammadVersion {
    /// Zammad 5.0 (the seed's line, the default).
    pub const V5_0: Self = Self { line: Line::V5_0 };
    /// Zammad 6.5.
    pub const V6_5: Self = Self { line: Line::V6_5 };
    /// Zammad 7.0.
    pub const V7_0: Self = Self { line: Line::V7_0 };

    /// The release `text` names (`5.0`, `6.5`, `7.0`).
    ///
    /// # Errors
    /// [`UnknownVersion`] for anything else; its message names the accepted values.
    pub fn parse(text: &str) -> Result<Self, UnknownVersion> {
        Line::ALL
            .into_iter()
            .find(|line| line.room().name == text)
            .map(|line| Self { line })
            .ok_or_else(|| UnknownVersion {
                given: text.to_owned(),
            })
    }

    /// The line of the version a server reports (`5.0.3-1638…`, `7.0.1`), if the mock has one.
    pub fn from_reported(text: &str) -> Option<Self> {
        let mut parts = text.split(|c: char| !c.is_ascii_digit());
        let (major, minor) = (parts.next()?, parts.next()?);
        Self::parse(&format!("{major}.{minor}")).ok()
    }

    /// Every release line the mock offers, oldest first.
    pub fn all() -> impl Iterator<Item = Self> {
        Line::ALL.into_iter().map(|line| Self { line })
    }

    /// The line's name as `--zammad-version` takes it (`5.0`).
    pub fn name(self) -> &'static str {
        self.room().name
    }

    /// What `GET /api/v1/version` answers (`Version.get`, the release's `VERSION` file).
    pub fn version(self) -> &'static str {
        self.room().version
    }

    /// The line's default data set, as a fixture document's JSON text.
    pub const fn default_data(self) -> &'static str {
        self.line.room().default_data
    }

    /// Everything that differs in this release.
    #[inline]
    pub(crate) fn room(self) -> &'static Room {
        self.line.room()
    }

    /// `TicketPolicy#show?`: whether `caller` may see `ticket` (filters the links list and
    /// the ticket index, guards `GET /api/v1/tickets/:id`).
    #[inline]
    pub(crate) fn may_show_ticket(
        self,
        caller: &Caller,
        records: &RecordStore,
        ticket: &Record,
    ) -> bool {
        (self.room().tickets.may_show)(caller, records, ticket)
    }

    /// How this release raises `refusal`: the exception (or the body its controller renders)
    /// and its text. One arm per reason: a new reason does not compile until it is decided.
    pub(crate) fn failure(self, refusal: &Refusal) -> Failure {
        let room = self.room();
        let links = &room.links;
        let policy = links.policy.as_ref();
        let from_policy = |text: fn(&LinkPolicy) -> Fixed| {
            policy.map_or_else(|| unexpected(refusal), |p| text(p).into())
        };
        match refusal {
            Refusal::Authentication(error) => {
                let text = match error {
                    AuthError::InvalidBearer => Cow::Borrowed(room.auth.unknown_bearer),
                    other => Cow::Owned(other.to_string()),
                };
                let raised = if error.is_forbidden() {
                    Raised::Forbidden
                } else {
                    Raised::Unauthorized
                };
                Failure::new(raised, text)
            }
            Refusal::NotAuthorized | Refusal::PermissionMissing { .. } => {
                Failure::new(Raised::Forbidden, "Not authorized")
            }
            Refusal::NoRoute { method, path } => Failure::new(
                Raised::RecordNotFound,
                format!("No route matches [{method}] {path}"),
            ),
            Refusal::TicketNotFound { id } => Failure::new(
                Raised::RecordNotFound,
                format!("Couldn't find Ticket with 'id'={id}"),
            ),
            Refusal::NoSuchObject => links.no_such_object.into(),
            Refusal::LinkExists => links.link_exists.into(),
            Refusal::SelfLink => match links.self_links {
                SelfLinks::Refused(failure) => failure.into(),
                SelfLinks::Stored => unexpected(refusal),
            },
            Refusal::ColumnMissing(column) => Failure::new(
                Raised::Unprocessable,
                format!("Attribute '{column}' required!"),
            ),
            Refusal::TicketIdNotFound(_) => from_policy(|p| p.ticket_id_not_found),
            Refusal::TicketNumberNotFound(_) => from_policy(|p| p.ticket_number_not_found),
            Refusal::TranslationNotFound(_) => from_policy(|p| p.translation_not_found),
            Refusal::UnsupportedObject { .. } => from_policy(|p| p.unsupported),
            Refusal::BadParameter(error) => match error {
                ParamsError::Unparsable => Failure::new(Raised::BadRequest, error.to_string()),
                // Zammad leaves a RangeError unrescued (masked); the mock keeps its promise of
                // a client error for bad input, with the message an admin would see.
                ParamsError::OutOfRange(_) => Failure::new(Raised::Invalid, error.to_string()),
            },
            // A name longer than the column or a full name table: the mock's own refusal.
            Refusal::NameRefused(error) => Failure::new(Raised::Invalid, error.to_string()),
            Refusal::Ticket(reason) => room.ticket_calls.failure(reason),
        }
    }
}

/// A reason the running line's rules never give: a bug of the mock, answered as Zammad
/// answers what it does not rescue (masked, and logged), never a panic.
fn unexpected(refusal: &Refusal) -> Failure {
    Failure::new(
        Raised::Unrescued,
        format!("the mock refused with {refusal:?} where its release has no such rule"),
    )
}

impl fmt::Display for ZammadVersion {
    /// The version as `GET /api/v1/version` reports it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.version())
    }
}

impl std::str::FromStr for ZammadVersion {
    type Err = UnknownVersion;

    fn from_str(text: &str) -> Result<Self, UnknownVersion> {
        Self::parse(text)
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
    fn new(raised: Raised, text: impl Into<Cow<'static, str>>) -> Self {
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
    /// An exception nothing rescues: Zammad masks it; the text is what an admin would see.
    Unrescued,
    /// The request could not be parsed (Rails' `ParseError`).
    BadRequest,
    /// Input the mock refuses where Zammad would fail inside (unrescued there): `{"error": …}`.
    Invalid,
    /// A 422 without a known text (an `ArgumentError`, a core-workflow refusal, an
    /// unrescued error the mock answers as a client error): masked as Zammad masks it for
    /// callers who may not see details; the text is logged.
    MaskedUnprocessable,
}

/// A failure with a fixed text, as a room states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fixed(pub Raised, pub &'static str);

impl From<Fixed> for Failure {
    fn from(Fixed(raised, text): Fixed) -> Self {
        Failure::new(raised, text)
    }
}

/// Everything one behaviour line does its own way. Each line's file has one, as `ROOM`.
#[derive(Debug)]
pub(crate) struct Room {
    /// The line's name as `--zammad-version` names it (`5.0`).
    pub name: &'static str,
    /// What `GET /api/v1/version` answers.
    pub version: &'static str,
    /// The default data set in the line's shapes.
    pub default_data: &'static str,
    /// How authentication refuses, where lines differ.
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
}

/// What differs in authentication.
#[derive(Debug)]
pub(crate) struct AuthRules {
    /// The text for an unknown `Bearer` token (the OAuth2 check's own).
    pub unknown_bearer: &'static str,
}

/// Whether a caller may do something to a ticket: one of a line's ticket policies.
pub(crate) type TicketCheck = fn(&Caller, &RecordStore, &Record) -> bool;

/// The rules of the three link calls.
#[derive(Debug)]
pub(crate) struct LinkRules {
    /// `Controllers::LinksControllerPolicy`, where the line has one (5.0 has none: any
    /// logged-in user may add and remove).
    pub policy: Option<LinkPolicy>,
    /// Whether a link from an object to itself is stored.
    pub self_links: SelfLinks,
    /// Where a new row is checked, which decides whether a refused row used up an id.
    pub row_checks: RowChecks,
    /// add: the source (or its object) was not found after the policy.
    pub no_such_object: Fixed,
    /// add: the same link (type, source, target) exists.
    pub link_exists: Fixed,
}

/// A line's links policy (spec §1.6–1.7): add needs the target (found by id) to pass
/// `may_update_target`, then the source (found by number) `may_show_source`; remove needs
/// the target to pass `may_update_target`. Objects other than `Ticket` and
/// `KnowledgeBase::Answer::Translation` are refused.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinkPolicy {
    /// The target's check (`update?`).
    pub may_update_target: TicketCheck,
    /// The source's check (`show?`).
    pub may_show_source: TicketCheck,
    /// `Ticket.find_by!(id:)` found nothing.
    pub ticket_id_not_found: Fixed,
    /// `Ticket.find_by!(number:)` found nothing.
    pub ticket_number_not_found: Fixed,
    /// No knowledge-base answer translation has the id.
    pub translation_not_found: Fixed,
    /// Another object name: the policy's pattern match raises `NoMatchingPatternError`,
    /// which nothing rescues for add and remove.
    pub unsupported: Fixed,
}

/// What a line does with an add whose source and target are the same object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SelfLinks {
    /// Stored like any other link.
    Stored,
    /// Refused by `Validations::LinkSelfReferenceValidator`, raised as given.
    Refused(Fixed),
}

/// Where a line checks a new row: in PostgreSQL, after the id was drawn from the sequence,
/// or in model validators, before any id is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowChecks {
    /// The unique index `links_uniq_total`: a refused row used up an id.
    UniqueIndex,
    /// Model validators: a refused row uses up no id.
    Validators,
}

/// The rules of the ticket calls around the links.
#[derive(Debug)]
pub(crate) struct TicketRules {
    /// `TicketPolicy#show?`.
    pub may_show: TicketCheck,
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
    /// `form_meta`, the edit screen's options (not modelled: empty filter and dependencies).
    FormMeta,
}

/// How the ticket index picks a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging {
    /// `page` and `per_page` count only when both are given.
    pub both_or_none: bool,
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

/// The association lists `expand=true` names, in the models' declaration order.
#[derive(Debug)]
pub(crate) struct ExpandRules {
    /// `app/models/ticket.rb`.
    pub ticket: &'static [Association],
    /// `app/models/user.rb`, concerns first.
    pub user: &'static [Association],
}

/// How a line reads a boolean parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Booleans {
    /// Only `true`, `1` and their text are yes (`has_response_extentions.rb#response_expand?`).
    TrueOrOne,
}

/// The walk of `release`, as the assets builder runs it; two walks are the same when they
/// are the same line's (kept closures compare them).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Walk {
    line: Line,
    walk: WalkFn,
    customer_view: &'static CustomerView,
}

impl PartialEq for Walk {
    fn eq(&self, other: &Self) -> bool {
        self.line == other.line
    }
}

impl Walk {
    /// The records `record` pulls in, in the line's order, appended to `out`.
    #[inline]
    pub(crate) fn of(self, record: &Record, out: &mut Vec<(ModelKind, i64)>) {
        (self.walk)(record, out);
    }

    /// What a customer sees of the records.
    #[inline]
    pub(crate) fn customer_view(self) -> &'static CustomerView {
        self.customer_view
    }

    /// Whether a walk may pull in a record of `kind`: every line's walk pulls in users,
    /// organizations, roles and groups only (a unit test holds every room to it).
    #[inline]
    pub(crate) fn may_pull_in(kind: ModelKind) -> bool {
        matches!(
            kind,
            ModelKind::User | ModelKind::Organization | ModelKind::Role | ModelKind::Group
        )
    }
}

impl ZammadVersion {
    /// The assets walk of this release.
    #[inline]
    pub(crate) fn walk(self) -> Walk {
        let room = self.room();
        Walk {
            line: self.line,
            walk: room.assets.walk,
            customer_view: room.assets.customer_view,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_is_found_by_its_name_and_nothing_else_is() {
        for version in ZammadVersion::all() {
            assert_eq!(ZammadVersion::parse(version.name()), Ok(version));
        }
        let refused = ZammadVersion::parse("6.0").unwrap_err();
        assert_eq!(
            refused.to_string(),
            "unknown Zammad version \"6.0\": the mock answers as 5.0, 6.5, 7.0"
        );
    }

    #[test]
    fn reported_versions_map_to_their_line() {
        assert_eq!(
            ZammadVersion::from_reported("5.0.3-1638353520.3ea4fd45.focal"),
            Some(ZammadVersion::V5_0)
        );
        assert_eq!(
            ZammadVersion::from_reported("7.0.1"),
            Some(ZammadVersion::V7_0)
        );
        assert_eq!(ZammadVersion::from_reported("6.4.1"), None);
    }

    #[test]
    fn every_walk_pulls_in_only_the_kinds_may_pull_in_names() {
        // Kept closures rely on it: a record of any other kind is never inside a closure.
        let everything = serde_json::json!({
            "id": 7, "name": "x", "created_by_id": 1, "updated_by_id": 2, "owner_id": 3,
            "customer_id": 4, "group_id": 5, "organization_id": 6, "role_ids": [8],
            "group_ids": {"9": ["full"]}, "organization_ids": [10], "member_ids": [11],
            "permission_ids": [12]
        });
        for version in ZammadVersion::all() {
            for kind in ModelKind::ALL {
                let serde_json::Value::Object(attrs) = everything.clone() else {
                    unreachable!()
                };
                let (record, _) = Record::from_attributes(kind, 7, attrs).unwrap();
                let mut out = Vec::new();
                version.walk().of(&record, &mut out);
                assert!(!out.is_empty(), "{kind:?} pulls in its creator at least");
                for (pulled, _) in out {
                    // An article pulls in its ticket; articles are never kept roots.
                    if kind == ModelKind::TicketArticle && pulled == ModelKind::Ticket {
                        continue;
                    }
                    assert!(
                        Walk::may_pull_in(pulled),
                        "{version:?}: {kind:?} pulls in {pulled:?}"
                    );
                }
            }
        }
    }
}
