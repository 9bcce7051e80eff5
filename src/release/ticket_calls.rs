//! The rules of the ticket calls that create, change and delete the tickets an integration
//! links, and of their articles (`zammad-ticket-workflow.md` §2–§5): [`TicketCallRules`], one
//! value per line in the line's file, and how a line raises each [`TicketRefusal`]. The
//! domain (`tickets`) asks these; it never names a release.

use super::{Failure, Fixed, Raised, ZammadVersion};
use crate::expand::{Association, NameSource};
use crate::refusal::{LinkStructure, TicketRefusal};
use crate::seeds::Lookup;

/// What the ticket calls of one line do their own way.
#[derive(Debug)]
pub(crate) struct TicketCallRules {
    /// The controller policy's refusal for a caller without `ticket.agent` or
    /// `ticket.customer`: by user, by token (`Controllers::ApplicationControllerPolicy` /
    /// 5.0's `Exceptions::NotAuthorized`).
    pub permission_missing: [&'static str; 2],
    /// `TicketPolicy#create?` for a ticket without a group.
    pub group_missing: Fixed,
    /// Whether an agent who owns the ticket passes the ticket policy whatever its group
    /// (5.0's `TicketPolicy#owner?`).
    pub owner_access: bool,
    /// The attributes a caller without `ticket.agent` cannot set on create (`customer_id` is
    /// then the caller).
    pub customer_dropped_on_create: &'static [&'static str],
    /// The attributes a caller without `ticket.agent` cannot change on update.
    pub customer_dropped_on_update: &'static [&'static str],
    /// Parameters create and update drop before anything else (`checklist`, …).
    pub ignored: &'static [&'static str],
    /// Whether a given organization stays when the customer belongs to it (else the
    /// customer's organization is taken, always).
    pub keeps_given_organization: bool,
    /// Whether a create without `article` is refused (`article hash is missing`).
    pub article_required: bool,
    /// `article` without `body`.
    pub article_body_missing: &'static str,
    /// Whether an article body that is empty or only whitespace is refused too.
    pub blank_body_refused: bool,
    /// Whether a create is one transaction (a refusal leaves nothing behind); otherwise
    /// what was written before the refusal stays.
    pub create_is_atomic: bool,
    /// What a `links` entry that exists already does on create.
    pub create_duplicate_links: DuplicateLinks,
    /// The release from which the objects named in `links` on create are authorized
    /// (CVE-2026-34722: 6.5.4 and 7.0.1); `None`: no release of the line does.
    pub create_links_authorized_from: Option<(u16, u16, u16)>,
    /// "Invalid link structure (Object → LinkType)" as the line writes it.
    pub link_type_structure: &'static str,
    /// The unique index's refusal, humanised (`handles_errors.rb`).
    pub already_exists: &'static str,
    /// What follows the column's name in a NOT NULL refusal (`Attribute '<column>…`).
    pub required_column_suffix: &'static str,
    /// Whether core-workflow refusals lose `error_human` and are masked for callers
    /// without `admin`.
    pub core_workflow_masked: bool,
    /// What an update of a closed ticket does for callers who may not reopen it.
    pub closed_tickets: ClosedTickets,
    /// The columns of `ticket_articles`, in table order.
    pub article_columns: &'static [&'static str],
    /// The associations `by_ticket` names for an article, in Zammad's order.
    pub article_associations: &'static [Association],
    /// Whether an article's names add `time_unit`.
    pub article_time_unit: bool,
    /// A new ticket's keys where the data set shows none (its columns, then its `*_ids`).
    pub ticket_keys: &'static [&'static str],
    /// A new user's keys where the data set shows none.
    pub user_keys: &'static [&'static str],
    /// `PUT /api/v1/ticket_merge/:source_ticket_id/:target_ticket_number` (spec §6).
    pub merge: MergeRules,
}

/// What a ticket merge does the line's way (spec §6).
#[derive(Debug)]
pub(crate) struct MergeRules {
    /// Who may merge which tickets, and in which order it is checked.
    pub access: MergeAccess,
    /// The 200 "failed" message for a target number that names no ticket.
    pub target_not_found: &'static str,
    /// The 200 "failed" message for a source id that names no ticket.
    pub source_not_found: &'static str,
    /// The 422 for a target that is merged itself (`Ticket#merge_to`).
    pub into_merged: &'static str,
    /// The 422 for a source that is the target (`Ticket#merge_to`).
    pub into_itself: &'static str,
    /// Whether the target's `article_count` is counted again after the articles moved.
    pub recounts_target: bool,
}

/// How a merge is authorized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MergeAccess {
    /// 5.0's controller: the target found by number, then `update?` on it; the source found
    /// by id, then `update?` on it (agent, owner or customer access).
    UpdatePolicy,
    /// `Service::Ticket::Merge` (6.5+): both found first, then `agent_update_access?` on
    /// the source, then on the target (agent `change` on the group only).
    AgentUpdateAccess,
}

/// What a `links` entry of a create does when the same link exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DuplicateLinks {
    /// The unique index refuses it (an id drawn first): the create answers
    /// [`TicketRefusal::AlreadyExists`].
    Refused,
    /// The model's validator refuses it and `Link.create` without a bang drops it silently.
    Skipped,
}

/// How an update of a ticket in a closed state is authorized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClosedTickets {
    /// 5.0: `update?` decides; then a caller without agent access is refused with the
    /// follow-up text when the group's `follow_up_possible` is `new_ticket`.
    CustomersRefusedWhenNewTicket,
    /// 6.5+: `TicketPolicy#follow_up?`: agents with `change` pass; others pass when the
    /// group allows follow-ups and `update?` does; every other caller gets the follow-up
    /// text instead of a denial.
    FollowUpPolicy,
}

impl TicketCallRules {
    /// How the line raises `refusal`.
    pub(super) fn failure(&self, refusal: &TicketRefusal) -> Failure {
        let humanized = |text: String| Failure::new(Raised::Unprocessable, text);
        // A core-workflow or `RuntimeError` refusal: the text for callers who may see
        // details, masked for everybody else (`handles_errors.rb`, spec §2.9, §11.4).
        let detailed = |text: String, detailed: bool| {
            Failure::new(
                if detailed {
                    Raised::Invalid
                } else {
                    Raised::MaskedUnprocessable
                },
                text,
            )
        };
        match refusal {
            TicketRefusal::PermissionMissing { by_token } => Failure::new(
                Raised::Forbidden,
                self.permission_missing[usize::from(*by_token)],
            ),
            TicketRefusal::GroupMissing => self.group_missing.into(),
            TicketRefusal::LookupNotFound { association, value } => humanized(format!(
                "No lookup value found for '{association}': {value}"
            )),
            TicketRefusal::RefValueNotString { association, value } => humanized(format!(
                "String is needed as ref value {value} for '{association}'"
            )),
            TicketRefusal::InvalidParamValue { attribute, value } => {
                humanized(format!("Invalid value for param '{attribute}': {value}"))
            }
            // `tickets_controller.rb#create` renders both itself.
            TicketRefusal::InvalidCustomerEmail(address) => Failure::new(
                Raised::Rendered,
                format!("Invalid email '{address}' of customer"),
            ),
            TicketRefusal::ArticleMissing => {
                Failure::new(Raised::Rendered, "article hash is missing")
            }
            TicketRefusal::ArticleBodyMissing => humanized(self.article_body_missing.into()),
            TicketRefusal::LinkStructure(shape) => humanized(
                match shape {
                    LinkStructure::NotAnObject => "Invalid link structure",
                    LinkStructure::Object => "Invalid link structure (Object)",
                    LinkStructure::LinkType => self.link_type_structure,
                }
                .into(),
            ),
            TicketRefusal::AlreadyExists => humanized(self.already_exists.into()),
            TicketRefusal::ColumnRequired(column) => humanized(format!(
                "Attribute '{column}{}",
                self.required_column_suffix
            )),
            TicketRefusal::CoreWorkflowInvalid {
                field,
                value,
                detailed: shown,
            } => {
                let text = format!("Invalid value '{value}' for field '{field}'!");
                if self.core_workflow_masked {
                    detailed(text, *shown)
                } else {
                    humanized(text)
                }
            }
            TicketRefusal::CoreWorkflowMissing {
                field,
                detailed: shown,
            } => {
                let text = format!("Missing required value for field '{field}'!");
                if self.core_workflow_masked {
                    detailed(text, *shown)
                } else {
                    humanized(text)
                }
            }
            TicketRefusal::NoGroupEmailAddress {
                group,
                group_id,
                detailed: shown,
            } => detailed(
                format!("No email address found for group '{group}' ({group_id})"),
                *shown,
            ),
            TicketRefusal::AttachmentKeyMissing { key, index } => humanized(format!(
                "Attachment needs '{key}' param for attachment with index '{index}'"
            )),
            TicketRefusal::AttachmentBase64 { index } => humanized(format!(
                "Invalid base64 for attachment with index '{index}'"
            )),
            TicketRefusal::FollowUpClosed => {
                humanized("Cannot follow-up on a closed ticket. Please create a new ticket.".into())
            }
            // `TicketPolicy#destroy?`'s `not_authorized('admin permission required')`.
            TicketRefusal::AdminRequired => Failure::new(
                Raised::Forbidden,
                "Not authorized (admin permission required)!",
            ),
            // `tickets_controller.rb#ticket_merge` renders these itself, with 200.
            TicketRefusal::MergeTargetNotFound => {
                Failure::new(Raised::Failed, self.merge.target_not_found)
            }
            TicketRefusal::MergeSourceNotFound => {
                Failure::new(Raised::Failed, self.merge.source_not_found)
            }
            // `Ticket#merge_to` raises `Exceptions::UnprocessableEntity`.
            TicketRefusal::MergeIntoMerged => humanized(self.merge.into_merged.into()),
            TicketRefusal::MergeIntoItself => humanized(self.merge.into_itself.into()),
            // `lib/sql_helper.rb` raises these as `RuntimeError`s (500; spec §7.1, §11.4).
            TicketRefusal::SortColumnInvalid {
                column,
                detailed: shown,
            } => detailed(
                format!("Found invalid column '{column}' for sorting."),
                *shown,
            ),
            TicketRefusal::SortOrderInvalid {
                value,
                detailed: shown,
            } => detailed(
                format!("Found invalid order by value {value}. Please use 'asc' or 'desc'."),
                *shown,
            ),
            // `selector2sql`'s `raise "Invalid selector …"` (500 in Zammad).
            TicketRefusal::SelectorInvalid {
                message,
                detailed: shown,
            } => detailed(message.clone(), *shown),
            // The mock's own refusal: Zammad would evaluate the operator.
            TicketRefusal::SelectorUnsupported { operator } => Failure::new(
                Raised::Invalid,
                format!(
                    "The operator '{operator}' is not supported in search conditions \
                     (the mock evaluates is, is not, contains and contains not)"
                ),
            ),
        }
    }
}

impl ZammadVersion {
    /// Whether this release authorizes the objects a create names in `links`
    /// (CVE-2026-34722, fixed in 6.5.4 and 7.0.1; spec §2.6, §11.5): the release must be at
    /// least the line's fixed one: 6.5.0–6.5.3 and 7.0.0 link whatever the caller names.
    pub(crate) fn authorizes_create_links(self) -> bool {
        self.room()
            .ticket_calls
            .create_links_authorized_from
            .is_some_and(|fixed| (self.major, self.minor, self.patch) >= fixed)
    }
}

/// The associations of `app/models/ticket/article.rb` that `by_ticket` names (spec §3.2).
pub(super) const ARTICLE_ASSOCIATIONS: &[Association] = &[
    Association::BelongsTo {
        key: "type",
        id_key: "type_id",
        names: NameSource::Seeded(Lookup::ArticleType),
    },
    Association::BelongsTo {
        key: "sender",
        id_key: "sender_id",
        names: NameSource::Seeded(Lookup::ArticleSender),
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
        key: "origin_by",
        id_key: "origin_by_id",
        names: NameSource::User,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_number_authorizes_create_links_from_its_lines_fixed_patch_on() {
        let authorizes = |text: &str| {
            ZammadVersion::parse(text)
                .unwrap()
                .authorizes_create_links()
        };
        assert!(!authorizes("6.5.3"));
        assert!(authorizes("6.5.4"));
        assert!(!authorizes("7.0.0"));
        assert!(authorizes("7.0.1"));
        assert!(authorizes("7.1.0"));
        assert!(authorizes("7.3"));
    }

    #[test]
    fn each_lines_default_release_authorizes_create_links_as_its_patch_says() {
        // 6.5 stands for 6.5.0 (before the fix), 7.0 for 7.0.1 (after it).
        assert!(!ZammadVersion::V5_0.authorizes_create_links());
        assert!(!ZammadVersion::V6_5.authorizes_create_links());
        assert!(ZammadVersion::V7_0.authorizes_create_links());
        assert!(ZammadVersion::V7_2.authorizes_create_links());
        assert!(ZammadVersion::V7_3.authorizes_create_links());
    }
}
