//! The Zammad release the mock answers as. Everything that differs between Zammad versions
//! lives in one [`Profile`] value: the refusals of the link calls (status, text and body
//! shape), the validations, the authorization checks, the assets walk, the version string
//! and the default data set. The rest of the code asks the profile and never branches on a
//! version, so another Zammad release is another value of this type.
//!
//! Three profiles exist: [`ZAMMAD_5_0`] (the user's example, the default), [`ZAMMAD_6_5`]
//! (the spec's V65 column) and [`ZAMMAD_7_0`] (V701). The assets walks are in `relations`.

mod relations;

use crate::auth::Caller;
use crate::model::ModelKind;
use crate::records::{Record, RecordStore};

/// The Zammad version a profile stands for, as `--zammad-version` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ZammadVersion {
    /// Zammad 5.0 (the seed's version).
    #[default]
    #[cfg_attr(feature = "cli", value(name = "5.0"))]
    V5_0,
    /// Zammad 6.5.
    #[cfg_attr(feature = "cli", value(name = "6.5"))]
    V6_5,
    /// Zammad 7.0.
    #[cfg_attr(feature = "cli", value(name = "7.0"))]
    V7_0,
}

impl ZammadVersion {
    /// The version a server reports (`5.0.3-1638…`), if it is one of the profiles.
    #[cfg(feature = "capture")]
    pub(crate) fn from_reported(text: &str) -> Option<Self> {
        let mut parts = text.split(|c: char| !c.is_ascii_digit());
        match (parts.next()?, parts.next()?) {
            ("5", "0") => Some(Self::V5_0),
            ("6", "5") => Some(Self::V6_5),
            ("7", "0") => Some(Self::V7_0),
            _ => None,
        }
    }

    /// The version's number as the command line names it.
    #[cfg(feature = "cli")]
    pub(crate) fn label(self) -> &'static str {
        self.profile().name
    }

    /// The profile that answers as this version.
    pub fn profile(self) -> Profile {
        match self {
            Self::V5_0 => ZAMMAD_5_0,
            Self::V6_5 => ZAMMAD_6_5,
            Self::V7_0 => ZAMMAD_7_0,
        }
    }
}

/// How a refusal's body is shaped (`application_controller/handles_errors.rb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyShape {
    /// `{"error": t, "error_human": t}`: the error went through `humanize_error`.
    Humanized,
    /// `{"error": t}`: the controller rendered it itself.
    ErrorOnly,
    /// Zammad's masked internal error (`{"error": "Error ID …"}`); the text is only logged.
    Masked,
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

impl Refusal {
    const fn humanized(status: u16, text: &'static str) -> Self {
        Self {
            status,
            text,
            shape: BodyShape::Humanized,
            from_action: false,
        }
    }

    const fn rendered(status: u16, text: &'static str) -> Self {
        Self {
            status,
            text,
            shape: BodyShape::ErrorOnly,
            from_action: true,
        }
    }
}

/// What a version does with an add whose source and target are the same object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfLinks {
    /// Stored like any other link (Zammad 5.0 and 6.x).
    Allowed,
    /// Refused by `Validations::LinkSelfReferenceValidator` (7.0.1, spec §1.6).
    Refused(Refusal),
}

/// Where a version checks a new row: in PostgreSQL, after the id was drawn from the
/// sequence, or in model validators, before any id is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowChecks {
    /// The unique index `links_uniq_total` (5.0, 6.x): a refused row used up an id.
    UniqueIndex,
    /// Model validators (7.0.1): a refused row uses up no id.
    Validators,
}

/// Who may add and remove links, beyond the mock's `ticket.agent` / `admin` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPolicy {
    /// Zammad 5.0: any logged-in user; the ends are not looked up before `Link.add`.
    LoggedIn,
    /// `Controllers::LinksControllerPolicy` (V52 … V701, spec §3.2): add needs the target
    /// (found by id, else 404) to pass `update?`, then the source (found by number, else
    /// 404) to pass `show?`; remove needs the target to pass `update?`. An object other
    /// than `Ticket` or `KnowledgeBase::Answer::Translation` is refused with `unsupported`.
    TicketPolicy {
        /// The target ticket does not exist (`find_by!(id:)`).
        target_missing: Refusal,
        /// The source ticket does not exist (`find_by!(number:)`).
        source_missing: Refusal,
        /// A knowledge-base translation does not exist.
        translation_missing: Refusal,
        /// Another object name: the policy's pattern match raises (`NoMatchingPatternError`),
        /// which nothing rescues for add and remove (spec §1.6, §3.3).
        unsupported: Refusal,
    },
}

/// Which records a record pulls into `assets`: one version's walk. An enum rather than a
/// function pointer, so that the walk inlines into the assets builder's loop (a pointer
/// call per record showed in instruction counts of the seed's GET).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relations {
    /// Zammad 5.0's `assets` methods.
    Zammad50,
    /// Zammad 6.5's: tickets pull in their group, users no creators.
    Zammad65,
    /// Zammad 7.0's: no groups from tickets, no roles or groups from users.
    Zammad70,
}

impl Relations {
    /// The records `record` pulls in, in the version's order, appended to `out`.
    #[inline]
    pub fn of(self, record: &Record, out: &mut Vec<(ModelKind, i64)>) {
        match self {
            Relations::Zammad50 => relations::relations_5_0(record, out),
            Relations::Zammad65 => relations::relations_6_5(record, out),
            Relations::Zammad70 => relations::relations_7_0(record, out),
        }
    }

    /// Whether a walk may pull in a record of `kind`: every version's walk pulls in users,
    /// organizations, roles and groups only (a unit test in `relations` holds them to it).
    #[inline]
    pub fn may_pull_in(self, kind: ModelKind) -> bool {
        matches!(
            kind,
            ModelKind::User | ModelKind::Organization | ModelKind::Role | ModelKind::Group
        )
    }
}

/// Everything version-specific, as one value.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// The version's number as the command line names it (`5.0`).
    pub name: &'static str,
    /// What `GET /api/v1/version` answers (`Version.get`, the release's `VERSION` file).
    pub version: &'static str,
    /// The default data set in that version's shapes.
    pub default_data: &'static str,
    /// add: the source (or its object) was not found after the policy.
    pub no_such_object: Refusal,
    /// add: the same link (type, source, target) exists.
    pub already_exists: Refusal,
    /// add: whether a self link is stored.
    pub self_links: SelfLinks,
    /// add: where the duplicate and self-link checks run.
    pub row_checks: RowChecks,
    /// add and remove: the authorization checks.
    pub policy: LinkPolicy,
    /// The text of the 401 for an unknown `Bearer` token (the OAuth2 check's).
    pub unknown_bearer: &'static str,
    /// The assets walk.
    pub relations: Relations,
    /// `TicketPolicy#show?`: whether a caller may see a ticket (filters the links list).
    pub may_show_ticket: fn(&Caller, &RecordStore, &Record) -> bool,
    /// `TicketPolicy#update?`: whether a caller may change a ticket (the link policy).
    pub may_update_ticket: fn(&Caller, &RecordStore, &Record) -> bool,
}

/// Zammad 5.0 (`LinksController` and `Link` as of 5.0, the user's example).
pub const ZAMMAD_5_0: Profile = Profile {
    name: "5.0",
    // The patch level of the 5.0 line the seed came from is unknown; 5.0.3 was the last
    // 5.0 release (a choice, spec §0 labels the seed only "5.0.x").
    version: "5.0.3",
    default_data: crate::fixtures::DEFAULT_DATA,
    // `links_controller.rb#add` renders this itself.
    no_such_object: Refusal::rendered(422, "No such object!"),
    // The unique index `links_uniq_total`, humanised by `handles_errors.rb`.
    already_exists: Refusal::humanized(422, "Object already exists!"),
    self_links: SelfLinks::Allowed,
    row_checks: RowChecks::UniqueIndex,
    policy: LinkPolicy::LoggedIn,
    // Doorkeeper's text in 5.0 (`authenticates.rb#authenticate_with_oauth2`, spec §3.1).
    unknown_bearer: "Invalid token!",
    relations: Relations::Zammad50,
    may_show_ticket: Caller::may_show_ticket,
    // Unused: 5.0 has no link policy.
    may_update_ticket: Caller::may_show_ticket,
};

/// The 404s of `find_by!` and the 500 of the policy's pattern match (V6x … V701, spec §1.6).
const TICKET_POLICY: LinkPolicy = LinkPolicy::TicketPolicy {
    target_missing: Refusal::humanized(
        404,
        r#"Couldn't find Ticket with [WHERE "tickets"."id" = $1]"#,
    ),
    source_missing: Refusal::humanized(
        404,
        r#"Couldn't find Ticket with [WHERE "tickets"."number" = $1]"#,
    ),
    translation_missing: Refusal::humanized(
        404,
        r#"Couldn't find KnowledgeBase::Answer::Translation with [WHERE "knowledge_base_answer_translations"."id" = $1]"#,
    ),
    unsupported: Refusal {
        status: 500,
        text: "NoMatchingPatternError",
        shape: BodyShape::Masked,
        from_action: false,
    },
};

/// Zammad 6.5 (spec column V65; V6x where V65 is not named).
pub const ZAMMAD_6_5: Profile = Profile {
    name: "6.5",
    // A choice: the spec knows no 6.5 patch level.
    version: "6.5.0",
    default_data: include_str!("../../data/default-6.5.json"),
    // `links_controller.rb#add` after the policy; unreachable for tickets (spec §1.6 step 3).
    no_such_object: Refusal::rendered(422, "The object could not be found."),
    // The unique index, with the 2023 `handles_errors.rb` wording.
    already_exists: Refusal::humanized(422, "This object already exists."),
    self_links: SelfLinks::Allowed,
    row_checks: RowChecks::UniqueIndex,
    policy: TICKET_POLICY,
    unknown_bearer: "The provided token is invalid.",
    relations: Relations::Zammad65,
    may_show_ticket: Caller::may_show_ticket_6x,
    may_update_ticket: Caller::may_update_ticket_6x,
};

/// Zammad 7.0.1 (spec column V701).
pub const ZAMMAD_7_0: Profile = Profile {
    name: "7.0",
    version: "7.0.1",
    default_data: include_str!("../../data/default-7.0.json"),
    no_such_object: Refusal::rendered(422, "The object could not be found."),
    // `Validations::LinkUniquenessValidator`; the controller renders the first message.
    already_exists: Refusal::rendered(422, "Link already exists"),
    self_links: SelfLinks::Refused(Refusal::rendered(
        422,
        "An object cannot be linked to itself.",
    )),
    row_checks: RowChecks::Validators,
    // V701's policy is inferred from its neighbours: `update?` / `show?` (spec §3.2).
    policy: TICKET_POLICY,
    unknown_bearer: "The provided token is invalid.",
    relations: Relations::Zammad70,
    may_show_ticket: Caller::may_show_ticket_6x,
    may_update_ticket: Caller::may_update_ticket_6x,
};

impl Default for Profile {
    fn default() -> Self {
        ZAMMAD_5_0
    }
}
