//! `TicketPolicy` for the calls that write tickets (`app/policies/ticket_policy.rb`):
//! agent access (`ticket.agent` and the access on the ticket's active group, or, where the
//! release says so, owning the ticket) and customer access (the ticket's customer or a
//! member of its shared organization). Which of these a call needs is the caller's
//! (`create`, `update`, `delete`); what differs between releases is `release::TicketCallRules`.

use crate::auth::Caller;
use crate::model::ModelKind;
use crate::records::{Record, RecordStore};
use crate::release::ZammadVersion;

/// `TicketPolicy#agent_access?(access)`: `ticket.agent`, and `access` (or `full`) on the
/// ticket's group, which must exist and be active (`HasGroups#group_access?`); 5.0 also lets
/// the ticket's owner through.
pub(super) fn agent_access(
    caller: &Caller,
    records: &RecordStore,
    release: ZammadVersion,
    ticket: &Record,
    access: &str,
) -> bool {
    if !caller.is_ticket_agent() {
        return false;
    }
    let f = &ticket.fields;
    if release.room().ticket_calls.owner_access && f.owner_id == Some(caller.user_id()) {
        return true;
    }
    f.group_id.is_some_and(|group| {
        records
            .get(ModelKind::Group, group)
            .is_some_and(|g| g.is_active())
            && caller.has_group_access(group, access)
    })
}

/// `TicketPolicy#customer_access?`: `ticket.customer`, and the ticket's customer or a member
/// of its shared organization.
pub(super) fn customer_access(caller: &Caller, records: &RecordStore, ticket: &Record) -> bool {
    caller.is_ticket_customer() && caller.is_customer_of(records, ticket)
}

/// `TicketPolicy#access?(access)`: agent access, else customer access.
pub(super) fn access(
    caller: &Caller,
    records: &RecordStore,
    release: ZammadVersion,
    ticket: &Record,
    access: &str,
) -> bool {
    agent_access(caller, records, release, ticket, access)
        || customer_access(caller, records, ticket)
}
