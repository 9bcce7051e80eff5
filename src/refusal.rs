//! Why a Zammad call did not do what it asked: [`Refusal`], the reason in the domain's
//! words — what happened, never how it is answered. The running release says how Zammad
//! raises each reason (`release`), and `api::error` alone turns that into an HTTP answer,
//! so a second boundary (fault rules, another protocol) can match on the reason itself.
//!
//! [`DomainError`] is what the domain's calls (`links`, `tickets`) return: a refusal, or the
//! database failing underneath.

use crate::auth::AuthError;
use crate::catalog::CatalogError;
use crate::params::ParamsError;
use crate::store::StoreError;

/// Why a call was refused. Each variant carries what the release needs to word it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Authentication or impersonation failed.
    Authentication(AuthError),
    /// A policy said no (`Pundit::NotAuthorizedError`), or the caller lacks the permission
    /// the link calls need (`ticket.agent` or `admin`).
    NotAuthorized,
    /// The caller lacks the permission a whole controller needs (`admin` for the version).
    PermissionMissing {
        /// Whether the caller came by token.
        by_token: bool,
        /// Whether the user holds the permission but the token's own list does not.
        token_denied: bool,
    },
    /// No route for this method and path (Zammad's catch-all route).
    NoRoute {
        /// The request method.
        method: String,
        /// The request path.
        path: String,
    },
    /// `Ticket.find(params[:id])` found nothing; the id as the request gave it.
    TicketNotFound {
        /// The id, as sent.
        id: String,
    },
    /// add: the source object was not found after the policy (`links_controller.rb#add`).
    NoSuchObject,
    /// add: the same link (type, source, target) exists.
    LinkExists,
    /// add: the source and the target are the same object.
    SelfLink,
    /// add: a NOT NULL column of the new row got no value.
    ColumnMissing(&'static str),
    /// The link policy's `Ticket.find_by!(id:)` found nothing (`None`: no id was sent).
    TicketIdNotFound(Option<i64>),
    /// The link policy's `Ticket.find_by!(number:)` found nothing (`None`: none was sent).
    TicketNumberNotFound(Option<String>),
    /// The link policy found no knowledge-base answer translation with this id.
    TranslationNotFound(Option<i64>),
    /// The link policy's pattern match knows no such object: `[name, id, number]` as
    /// Ruby's `inspect` shows what was sent (the raised error's message).
    UnsupportedObject {
        /// The inspected array, such as `["Foo", nil, "1"]`.
        shown: String,
    },
    /// A parameter could not be read.
    BadParameter(ParamsError),
    /// Maintenance mode stops a logged-in user without `admin.maintenance`
    /// (`authenticates.rb#authentication_check_prerequesits`): a fault rule's answer.
    Maintenance,
    /// An exception nothing rescues, with its message (what a caller who may see details
    /// is shown): a fault rule's masked 500.
    Unrescued {
        /// The exception's message.
        message: String,
    },
    /// A link type or object name is too long, or its table is full.
    NameRefused(CatalogError),
    /// A ticket call's own reason (create, update, delete, an article).
    Ticket(TicketRefusal),
}

/// Why a ticket call (`POST`/`PUT`/`DELETE /api/v1/tickets`, an article) was refused; each
/// variant carries what its text needs. Values shown in a text are already written as Ruby's
/// `inspect` writes them (`99999`, `"abc"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketRefusal {
    /// The caller holds neither `ticket.agent` nor `ticket.customer`
    /// (`Controllers::TicketsControllerPolicy`).
    PermissionMissing {
        /// Whether the caller came by token (worded apart).
        by_token: bool,
    },
    /// `TicketPolicy#create?`: the ticket has no group.
    GroupMissing,
    /// A name given for an association (`group: "x"`) names no record.
    LookupNotFound {
        /// The association (`group`).
        association: &'static str,
        /// The value, inspected.
        value: String,
    },
    /// A user association (`owner`, `customer`, …) given as something other than a string.
    RefValueNotString {
        /// The association.
        association: &'static str,
        /// The value, inspected.
        value: String,
    },
    /// An `*_id` attribute names no record (`param_cleanup`).
    InvalidParamValue {
        /// The attribute (`owner_id`).
        attribute: String,
        /// The value, inspected.
        value: String,
    },
    /// `customer_id: "guess:…"` with an address that is not an e-mail address.
    InvalidCustomerEmail(String),
    /// A create without `article` where the release requires one.
    ArticleMissing,
    /// An article without a `body` (or, where the release says so, a blank one).
    ArticleBodyMissing,
    /// `links` is not shaped `{"Object": {"type": [ids]}}`.
    LinkStructure(LinkStructure),
    /// The unique index refused the row: a ticket number in use, or a duplicate link.
    AlreadyExists,
    /// A NOT NULL column of `tickets` got no value.
    ColumnRequired(&'static str),
    /// Core workflow: the value is not one the screen offers.
    CoreWorkflowInvalid {
        /// The field (`state_id`).
        field: &'static str,
        /// The value as the text shows it.
        value: String,
        /// Whether the caller may see details (the `admin` permission).
        detailed: bool,
    },
    /// Core workflow: a value the screen requires is missing.
    CoreWorkflowMissing {
        /// The field (`pending_time`).
        field: &'static str,
        /// Whether the caller may see details.
        detailed: bool,
    },
    /// An e-mail article in a group without an e-mail address.
    NoGroupEmailAddress {
        /// The group's name.
        group: String,
        /// The group's id.
        group_id: i64,
        /// Whether the caller may see details.
        detailed: bool,
    },
    /// An attachment lacks one of `mime-type`, `filename`, `data`.
    AttachmentKeyMissing {
        /// The key.
        key: &'static str,
        /// The attachment's index.
        index: usize,
    },
    /// An attachment's `data` is not base64.
    AttachmentBase64 {
        /// The attachment's index.
        index: usize,
    },
    /// An update of a closed ticket that may not be followed up.
    FollowUpClosed,
    /// A delete by a caller who may delete the ticket but lacks `admin`.
    AdminRequired,
    /// A merge whose target number names no ticket (answered 200 "failed").
    MergeTargetNotFound,
    /// A merge whose source id names no ticket (answered 200 "failed").
    MergeSourceNotFound,
    /// A merge into a ticket that is merged itself.
    MergeIntoMerged,
    /// A merge of a ticket into itself.
    MergeIntoItself,
    /// search: a `sort_by` value that is not a column of `tickets` (`SqlHelper#get_sort_by`).
    SortColumnInvalid {
        /// The value, as sent.
        column: String,
        /// Whether the caller may see details.
        detailed: bool,
    },
    /// search: an `order_by` value other than `asc` or `desc` (`SqlHelper#get_order_by`).
    SortOrderInvalid {
        /// The value, as sent.
        value: String,
        /// Whether the caller may see details.
        detailed: bool,
    },
    /// search: a `condition` Zammad's `selector2sql` cannot read; the text is its message.
    SelectorInvalid {
        /// The message, with the selector as Ruby's `inspect` writes it.
        message: String,
        /// Whether the caller may see details.
        detailed: bool,
    },
    /// search: a `condition` operator Zammad knows but the mock does not evaluate.
    SelectorUnsupported {
        /// The operator.
        operator: String,
    },
}

/// Which part of a create's `links` is misshapen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStructure {
    /// `links` itself is not an object.
    NotAnObject,
    /// An object's value is not an object of link types.
    Object,
    /// A link type's value is not a list of ids.
    LinkType,
}

impl From<TicketRefusal> for Refusal {
    fn from(refusal: TicketRefusal) -> Self {
        Refusal::Ticket(refusal)
    }
}

impl From<TicketRefusal> for DomainError {
    fn from(refusal: TicketRefusal) -> Self {
        DomainError::Refused(Refusal::Ticket(refusal))
    }
}

/// What a domain call fails with: a refusal, or the database failing.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The call was refused.
    #[error("refused: {0:?}")]
    Refused(Refusal),
    /// The database failed.
    #[error("the database failed")]
    Store(#[from] StoreError),
}

impl From<Refusal> for DomainError {
    fn from(refusal: Refusal) -> Self {
        DomainError::Refused(refusal)
    }
}

impl From<ParamsError> for DomainError {
    fn from(error: ParamsError) -> Self {
        DomainError::Refused(Refusal::BadParameter(error))
    }
}

impl From<CatalogError> for DomainError {
    fn from(error: CatalogError) -> Self {
        DomainError::Refused(Refusal::NameRefused(error))
    }
}

impl From<AuthError> for Refusal {
    fn from(error: AuthError) -> Self {
        Refusal::Authentication(error)
    }
}
