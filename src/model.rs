//! The domain vocabulary shared by every other module: what a link end is ([`ObjectRef`]),
//! what a stored link row is ([`LinkRow`]), which kinds of records the mock serves
//! ([`ModelKind`]) and how Zammad renders timestamps.
//!
//! Nothing here touches storage or HTTP; the types only say what a value *is*.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The id of a row in Zammad's `link_types` table (`normal` is 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkTypeId(pub u16);

/// The id of a row in Zammad's `link_objects` table (`Ticket` is 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkObjectId(pub u16);

/// `Ticket` is seeded as link object 1 (`db/seeds/links.rb`).
pub const TICKET_OBJECT: LinkObjectId = LinkObjectId(1);

/// One end of a link: a link object (by its id) and the record id it points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    /// Which link object (`Ticket`, `KnowledgeBase::Answer::Translation`, …).
    pub object: LinkObjectId,
    /// The record id (`link_object_value`). Zammad's columns are integers.
    pub value: i64,
}

impl ObjectRef {
    /// A link end at `value` of link object `object`.
    pub fn new(object: LinkObjectId, value: i64) -> Self {
        Self { object, value }
    }

    /// A ticket, by its id.
    pub fn ticket(id: i64) -> Self {
        Self::new(TICKET_OBJECT, id)
    }
}

/// A row of Zammad's `links` table, exactly the columns it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkRow {
    /// `links.id`.
    pub id: u64,
    /// `links.link_type_id`.
    pub link_type: LinkTypeId,
    /// `link_object_source_id` and `link_object_source_value`.
    pub source: ObjectRef,
    /// `link_object_target_id` and `link_object_target_value`.
    pub target: ObjectRef,
    /// `created_at`, milliseconds since the Unix epoch.
    pub created_at: Millis,
    /// `updated_at`, milliseconds since the Unix epoch.
    pub updated_at: Millis,
}

/// A point in time with Zammad's precision (milliseconds), shown as `2021-11-03T10:40:14.528Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub i64);

impl Millis {
    /// The current time.
    pub fn now() -> Self {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Self(since.as_millis() as i64)
    }

    /// Parses an RFC 3339 timestamp such as Zammad writes (`2021-11-03T10:40:14.528Z`).
    pub fn parse(text: &str) -> Option<Self> {
        let time = humantime::parse_rfc3339(text)
            .or_else(|_| humantime::parse_rfc3339_weak(text))
            .ok()?;
        let since = time.duration_since(UNIX_EPOCH).ok()?;
        i64::try_from(since.as_millis()).ok().map(Self)
    }
}

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let time = UNIX_EPOCH + Duration::from_millis(self.0.max(0) as u64);
        write!(f, "{}", humantime::format_rfc3339_millis(time))
    }
}

/// The kinds of records the mock keeps, each with its fixture section and its assets key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ModelKind {
    /// `Ticket`.
    Ticket,
    /// `User`.
    User,
    /// `Role`.
    Role,
    /// `Group`.
    Group,
    /// `Organization`.
    Organization,
    /// `Permission` (only used to evaluate role `permission_ids`).
    Permission,
    /// `KnowledgeBase::Answer::Translation`, the only other object Zammad links.
    KbAnswerTranslation,
    /// `Ticket::State`: only its `name` is read (`expand=true`); Zammad's seeded states
    /// stand in for any id a fixture does not give (see `seeds`).
    TicketState,
    /// `Ticket::Priority`: as [`ModelKind::TicketState`].
    TicketPriority,
    /// `Ticket::Article`: the articles the ticket calls create (and a fixture may give); a
    /// ticket lists its articles' ids in `article_ids`.
    TicketArticle,
}

impl ModelKind {
    /// Every kind, in the order a fixture export writes them.
    pub const ALL: [ModelKind; 10] = [
        ModelKind::Ticket,
        ModelKind::User,
        ModelKind::Role,
        ModelKind::Group,
        ModelKind::Organization,
        ModelKind::Permission,
        ModelKind::KbAnswerTranslation,
        ModelKind::TicketState,
        ModelKind::TicketPriority,
        ModelKind::TicketArticle,
    ];

    /// The Zammad class name, which is also the fixture section name.
    pub fn class_name(self) -> &'static str {
        match self {
            ModelKind::Ticket => "Ticket",
            ModelKind::User => "User",
            ModelKind::Role => "Role",
            ModelKind::Group => "Group",
            ModelKind::Organization => "Organization",
            ModelKind::Permission => "Permission",
            ModelKind::KbAnswerTranslation => "KnowledgeBase::Answer::Translation",
            ModelKind::TicketState => "Ticket::State",
            ModelKind::TicketPriority => "Ticket::Priority",
            ModelKind::TicketArticle => "Ticket::Article",
        }
    }

    /// The key in `assets`: the class name without `::` (`ApplicationModel#to_app_model`).
    pub fn assets_key(self) -> &'static str {
        match self {
            ModelKind::KbAnswerTranslation => "KnowledgeBaseAnswerTranslation",
            ModelKind::TicketState => "TicketState",
            ModelKind::TicketPriority => "TicketPriority",
            ModelKind::TicketArticle => "TicketArticle",
            other => other.class_name(),
        }
    }

    /// The kind whose class name (or assets key) is `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.class_name() == name || kind.assets_key() == name)
    }

    /// The kind whose Zammad class name is exactly `name` (what `safe_constantize` finds).
    pub fn from_class_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.class_name() == name)
    }

    /// A stable one-byte tag for storage keys (never renumber: databases hold these).
    pub fn tag(self) -> u8 {
        match self {
            ModelKind::Ticket => 1,
            ModelKind::User => 2,
            ModelKind::Role => 3,
            ModelKind::Group => 4,
            ModelKind::Organization => 5,
            ModelKind::Permission => 6,
            ModelKind::KbAnswerTranslation => 7,
            ModelKind::TicketState => 8,
            ModelKind::TicketPriority => 9,
            ModelKind::TicketArticle => 10,
        }
    }

    /// The kind stored under `tag`.
    pub fn from_tag(tag: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.tag() == tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_with_milliseconds() {
        let parsed = Millis::parse("2021-11-03T10:40:14.528Z").unwrap();
        assert_eq!(parsed.to_string(), "2021-11-03T10:40:14.528Z");
    }

    #[test]
    fn timestamps_without_fraction_gain_zero_milliseconds() {
        let parsed = Millis::parse("2021-11-03T10:40:14Z").unwrap();
        assert_eq!(parsed.to_string(), "2021-11-03T10:40:14.000Z");
    }

    #[test]
    fn kb_translation_assets_key_drops_the_colons() {
        assert_eq!(
            ModelKind::KbAnswerTranslation.assets_key(),
            "KnowledgeBaseAnswerTranslation"
        );
        assert_eq!(
            ModelKind::from_name("KnowledgeBase::Answer::Translation"),
            Some(ModelKind::KbAnswerTranslation)
        );
    }

    #[test]
    fn states_and_priorities_have_their_own_sections_and_assets_keys() {
        assert_eq!(
            ModelKind::from_name("Ticket::State"),
            Some(ModelKind::TicketState)
        );
        assert_eq!(
            ModelKind::from_name("TicketPriority"),
            Some(ModelKind::TicketPriority)
        );
        assert_eq!(ModelKind::TicketState.assets_key(), "TicketState");
    }

    #[test]
    fn storage_tags_are_stable_and_distinct() {
        let tags: Vec<u8> = ModelKind::ALL.iter().map(|k| k.tag()).collect();
        assert_eq!(tags, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        for kind in ModelKind::ALL {
            assert_eq!(ModelKind::from_tag(kind.tag()), Some(kind));
        }
    }
}

/// An API token of the fixture's `Token` list (`Authorization: Token token=…`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ApiToken {
    /// The secret the client sends.
    pub token: String,
    /// The user it acts as.
    pub user_id: i64,
    /// When given, the token's own permission list, which restricts its user's permissions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
}
