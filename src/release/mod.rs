//! The Zammad release the mock answers as, and one room per behaviour line: everything that
//! differs between Zammad releases lives in the line's file (`v5_0.rs`, `v6_5.rs`,
//! `v7_0.rs`, `v7_2.rs`, `v7_3.rs`) as one [`Room`] (`room.rs` says what a room holds) —
//! refusal texts and how Zammad raises them, the link and ticket policies, the assets walk
//! and a customer's view of assets, the association order of `expand=true`, the shapes of
//! `GET /api/v1/tickets/:id`, the ticket index, boolean parameters, the seeded names, the
//! default data set and the releases the line answers for. No code outside this folder names
//! a release: it asks the running [`ZammadVersion`] for its room.
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
mod room;
mod search;
mod ticket_calls;
mod v5_0;
mod v6_5;
mod v7_0;
mod v7_2;
mod v7_3;

use std::borrow::Cow;
use std::fmt;

use crate::assets::CustomerView;
use crate::auth::{AuthError, Caller};
use crate::model::ModelKind;
use crate::params::ParamsError;
use crate::records::{Record, RecordStore};
use crate::refusal::Refusal;

pub(crate) use room::{
    AllPart, AssetRules, AuthRules, Booleans, Covers, Duplicates, ExpandRules, Failure, Fixed,
    LinkPolicy, LinkRules, Paging, PermissionDenied, Raised, Room, SelfLinks, Shape, TicketRules,
    WalkFn,
};

pub(crate) use search::{SearchAnswer, SearchRules, TextMatch};
pub(crate) use ticket_calls::{
    ClosedTickets, DuplicateLinks, MergeAccess, MergeRules, TicketCallRules,
};

/// The behaviour lines: groups of Zammad releases whose link code answers alike (spec §0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Line {
    /// Zammad 5.0.x, the seed's line.
    V5_0,
    /// Zammad 6.5.x.
    V6_5,
    /// Zammad 7.0.x and 7.1.x.
    V7_0,
    /// Zammad 7.2.0.
    V7_2,
    /// Zammad 7.2.1 and later 7.2.x, and 7.3.x.
    V7_3,
}

impl Line {
    /// Every line, oldest first.
    const ALL: [Line; 5] = [Line::V5_0, Line::V6_5, Line::V7_0, Line::V7_2, Line::V7_3];

    /// The line's room.
    #[inline]
    const fn room(self) -> &'static Room {
        match self {
            Line::V5_0 => &v5_0::ROOM,
            Line::V6_5 => &v6_5::ROOM,
            Line::V7_0 => &v7_0::ROOM,
            Line::V7_2 => &v7_2::ROOM,
            Line::V7_3 => &v7_3::ROOM,
        }
    }
}

/// A Zammad release: its number and the behaviour line that answers for it (spec §10.6).
/// This is the value `--zammad-version`, `MockServerBuilder::zammad_version` and capture's
/// options take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ZammadVersion {
    line: Line,
    major: u16,
    minor: u16,
    patch: u16,
}

impl Default for ZammadVersion {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A release the mock has no behaviour line for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown Zammad version {given:?}: the mock answers as {} (each also with a patch level, \
     such as 7.2.2), in the behaviour lines {}",
    accepted(),
    lines()
)]
pub struct UnknownVersion {
    /// What was asked for.
    pub given: String,
}

/// The accepted `major.minor` values, for messages.
fn accepted() -> String {
    let mut releases: Vec<(u16, u16)> = Line::ALL
        .iter()
        .flat_map(|line| line.room().covers)
        .map(|covers| covers.release)
        .collect();
    releases.dedup();
    let names: Vec<String> = releases.iter().map(|(a, b)| format!("{a}.{b}")).collect();
    names.join(", ")
}

/// The lines and what each answers for, for messages.
fn lines() -> String {
    let names: Vec<String> = Line::ALL
        .iter()
        .map(|line| {
            let room = line.room();
            let covered: Vec<String> = room
                .covers
                .iter()
                .map(|c| match c.patches {
                    (0, u16::MAX) => format!("{}.{}.x", c.release.0, c.release.1),
                    (low, u16::MAX) => format!("{}.{}.{low}+", c.release.0, c.release.1),
                    (low, high) if low == high => {
                        format!("{}.{}.{low}", c.release.0, c.release.1)
                    }
                    (low, high) => format!("{}.{}.{low}-{high}", c.release.0, c.release.1),
                })
                .collect();
            format!("{} ({})", room.name, covered.join(", "))
        })
        .collect();
    names.join(", ")
}

impl ZammadVersion {
    /// Zammad 5.0.3, the seed's line (the default): the last 5.0 release (the seed names no
    /// patch level).
    pub const V5_0: Self = Self::at(Line::V5_0, 5, 0, 3);
    /// Zammad 6.5.0.
    pub const V6_5: Self = Self::at(Line::V6_5, 6, 5, 0);
    /// Zammad 7.0.1.
    pub const V7_0: Self = Self::at(Line::V7_0, 7, 0, 1);
    /// Zammad 7.2.0.
    pub const V7_2: Self = Self::at(Line::V7_2, 7, 2, 0);
    /// Zammad 7.3.0, the newest stable release.
    pub const V7_3: Self = Self::at(Line::V7_3, 7, 3, 0);
    /// The release the mock answers as unless told otherwise: the seed's.
    pub const DEFAULT: Self = Self::V5_0;

    const fn at(line: Line, major: u16, minor: u16, patch: u16) -> Self {
        Self {
            line,
            major,
            minor,
            patch,
        }
    }

    /// The release `text` names, `X.Y` or `X.Y.Z` (spec §10.6): `7.1.3` answers as the 7.0
    /// line and reports `7.1.3`; `7.2.1` is the 7.3 line; `7.0` stands for 7.0.1. The mock
    /// does not check that a patch release exists.
    ///
    /// # Errors
    /// [`UnknownVersion`] for a release no line answers for; its message names the
    /// accepted values and the lines.
    pub fn parse(text: &str) -> Result<Self, UnknownVersion> {
        let unknown = || UnknownVersion {
            given: text.to_owned(),
        };
        let number = |part: &str| -> Option<u16> {
            (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse().ok())
                .flatten()
        };
        let parts: Vec<&str> = text.split('.').collect();
        let (major, minor, patch) = match parts.as_slice() {
            [major, minor] => (number(major), number(minor), None),
            [major, minor, patch] => (number(major), number(minor), Some(number(patch))),
            _ => return Err(unknown()),
        };
        let (Some(major), Some(minor)) = (major, minor) else {
            return Err(unknown());
        };
        let patch = match patch {
            Some(Some(patch)) => Some(patch),
            Some(None) => return Err(unknown()),
            None => None,
        };
        for line in Line::ALL {
            for covers in line.room().covers {
                if covers.release != (major, minor) {
                    continue;
                }
                let Some(patch) = patch.or(covers.default_patch) else {
                    continue;
                };
                if (covers.patches.0..=covers.patches.1).contains(&patch) {
                    return Ok(Self::at(line, major, minor, patch));
                }
            }
        }
        Err(unknown())
    }

    /// The release a server reports (`5.0.3-1638…`, `7.1.3.e991211853.saas`), if a line
    /// answers for it: its first three numbers (a build suffix follows in release builds).
    pub fn from_reported(text: &str) -> Option<Self> {
        let numbers: Vec<&str> = text.split(|c: char| !c.is_ascii_digit()).take(3).collect();
        match numbers.as_slice() {
            [major, minor, patch] if !patch.is_empty() => {
                Self::parse(&format!("{major}.{minor}.{patch}")).ok()
            }
            [major, minor, ..] => Self::parse(&format!("{major}.{minor}")).ok(),
            _ => None,
        }
    }

    /// Every behaviour line the mock offers, each as its default release, oldest first.
    pub fn all() -> impl Iterator<Item = Self> {
        [Self::V5_0, Self::V6_5, Self::V7_0, Self::V7_2, Self::V7_3].into_iter()
    }

    /// The behaviour line's name (`5.0`, `6.5`, `7.0`, `7.2`, `7.3`).
    pub fn line_name(self) -> &'static str {
        self.room().name
    }

    /// What `GET /api/v1/version` answers: the release's number, `X.Y.Z` (Zammad's own
    /// `VERSION` text carries a build suffix in release builds; clients compare the number).
    pub fn version(self) -> String {
        self.to_string()
    }

    /// The line's default data set, as a fixture document's JSON text.
    pub const fn default_data(self) -> &'static str {
        self.line.room().default_data
    }

    /// Everything that differs in this release's line.
    #[inline]
    pub(crate) fn room(self) -> &'static Room {
        self.line.room()
    }

    /// `TicketPolicy#show?`: whether `caller` may see `ticket` (filters the links list,
    /// guards `GET /api/v1/tickets/:id`).
    #[inline]
    pub(crate) fn may_show_ticket(
        self,
        caller: &Caller,
        records: &RecordStore,
        ticket: &Record,
    ) -> bool {
        (self.room().tickets.may_show)(caller, records, ticket)
    }

    /// Whether `caller` sees the text of an error Zammad does not rescue rather than the
    /// masked "Error ID" (`ExceptionsPolicy#view_details?`: the `admin` permission itself,
    /// held by the user and, for a token, by the token too; the same from 2021 to 7.3).
    pub(crate) fn sees_details(self, caller: &Caller) -> bool {
        caller.is_admin()
    }

    /// How this release raises `refusal`: the exception (or the body its controller renders)
    /// and its text. One arm per reason: a new reason does not compile until it is decided.
    pub(crate) fn failure(self, refusal: &Refusal) -> Failure {
        let room = self.room();
        let links = &room.links;
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
            Refusal::NotAuthorized => Failure::new(Raised::Forbidden, "Not authorized"),
            Refusal::PermissionMissing {
                by_token,
                token_denied,
            } => {
                let texts = room.auth.permission_denied;
                let as_token = if texts.by_method {
                    *by_token
                } else {
                    *token_denied
                };
                Failure::new(
                    Raised::Forbidden,
                    if as_token { texts.token } else { texts.user },
                )
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
            Refusal::LinkExists => match links.duplicates {
                Duplicates::UniqueIndex(failure) | Duplicates::Refused(failure) => failure.into(),
                Duplicates::AnsweredUnsaved => unexpected(refusal),
            },
            Refusal::SelfLink => match links.self_links {
                SelfLinks::Refused(failure) => failure.into(),
                SelfLinks::Stored => unexpected(refusal),
            },
            // PostgreSQL's NOT NULL violation, humanised (the text PostgreSQL before 12 gave;
            // every line's `handles_errors.rb` words it so for the mock's purposes).
            Refusal::ColumnMissing(column) => Failure::new(
                Raised::Unprocessable,
                format!("Attribute '{column}' required!"),
            ),
            // `find_by!` words its query (`FinderMethods#raise_record_not_found_exception!`):
            // a value as a bind parameter, a nil as `IS NULL`.
            Refusal::TicketIdNotFound(id) => Failure::new(
                Raised::RecordNotFound,
                match id {
                    Some(_) => r#"Couldn't find Ticket with [WHERE "tickets"."id" = $1]"#,
                    None => r#"Couldn't find Ticket with [WHERE "tickets"."id" IS NULL]"#,
                },
            ),
            Refusal::TicketNumberNotFound(_) => Failure::new(
                Raised::RecordNotFound,
                r#"Couldn't find Ticket with [WHERE "tickets"."number" = $1]"#,
            ),
            // `KnowledgeBase::Answer::Translation.find(id)` (`links_controller_policy.rb`).
            Refusal::TranslationNotFound(id) => Failure::new(
                Raised::RecordNotFound,
                match id {
                    Some(id) => {
                        format!("Couldn't find KnowledgeBase::Answer::Translation with 'id'={id}")
                    }
                    None => {
                        "Couldn't find KnowledgeBase::Answer::Translation without an ID".to_owned()
                    }
                },
            ),
            // `NoMatchingPatternError`'s message is the inspected value.
            Refusal::UnsupportedObject { shown } => Failure::new(Raised::Unrescued, shown.clone()),
            Refusal::BadParameter(error) => match error {
                ParamsError::Unparsable => Failure::new(Raised::BadRequest, error.to_string()),
                // Zammad leaves a RangeError unrescued (masked); the mock keeps its promise of
                // a client error for bad input, with the message an admin would see.
                ParamsError::OutOfRange(_) => Failure::new(Raised::Invalid, error.to_string()),
            },
            // A name longer than the column or a full name table: the mock's own refusal.
            Refusal::NameRefused(error) => Failure::new(Raised::Invalid, error.to_string()),
            // `Exceptions::Forbidden` from `authenticates.rb#authentication_check_prerequesits`.
            Refusal::Maintenance => Failure::new(Raised::Forbidden, "Maintenance mode enabled!"),
            Refusal::Unrescued { message } => Failure::new(Raised::Unrescued, message.clone()),
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
    /// The release's number, `X.Y.Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl std::str::FromStr for ZammadVersion {
    type Err = UnknownVersion;

    fn from_str(text: &str) -> Result<Self, UnknownVersion> {
        Self::parse(text)
    }
}

/// The walk of a release, as the assets builder runs it; two walks are the same when they
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
mod tests;
