//! Zammad's ticket rules around the links (spec §7): `GET /api/v1/tickets/:id` in the shapes
//! a client asks for (the plain record, `expand=true`, `full=true`, `all=true` with its
//! `links`), the ticket index (`index`), and `GET /api/v1/users/me`. Clients fetch a ticket
//! to learn its number before linking it, and `capture --all` walks the index.
//!
//! Like `links`, each call takes a typed request and the caller, and answers a body or a
//! reason ([`Refusal`]); what differs between releases (the policy, the order of the shapes,
//! paging) is the release's. HTTP is `api`'s; bodies are written by `render` and `expand`.

mod index;

use std::sync::Arc;

pub use index::{list, ListTickets};

use crate::auth::Caller;
use crate::expand;
use crate::links;
use crate::model::ModelKind;
use crate::params::Params;
use crate::records::Stored;
use crate::refusal::{DomainError, Refusal};
use crate::release::{Shape, ZammadVersion};
use crate::render::{self, Viewer};
use crate::state::{AppState, View};

/// Which shapes a request asked for, each flag read as the release reads a boolean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Asked {
    /// `expand`.
    pub expand: bool,
    /// `full`.
    pub full: bool,
    /// `all`.
    pub all: bool,
}

impl Asked {
    /// The flags of `params`, as `release` reads them.
    pub fn from_params(params: &Params<'_>, release: ZammadVersion) -> Self {
        let booleans = release.room().booleans;
        Self {
            expand: params.is_true("expand", booleans),
            full: params.is_true("full", booleans),
            all: params.is_true("all", booleans),
        }
    }

    fn has(self, shape: Shape) -> bool {
        match shape {
            Shape::Expand => self.expand,
            Shape::Full => self.full,
            Shape::All => self.all,
        }
    }

    /// The shape answered: the first asked for in the release's order, if any.
    fn shape(self, release: ZammadVersion) -> Option<Shape> {
        release
            .room()
            .tickets
            .show_order
            .into_iter()
            .find(|shape| self.has(*shape))
    }
}

/// `GET /api/v1/tickets/:id`.
#[derive(Debug, Clone, Copy)]
pub struct ShowTicket<'a> {
    /// The id as the path gave it (`Ticket.find` reads it as an integer).
    pub id: &'a str,
    /// The shapes asked for.
    pub asked: Asked,
}

/// `GET /api/v1/tickets/:id`, as `TicketsController#show`: find (`TicketNotFound`),
/// `authorize!(ticket, :show?)` (`NotAuthorized`), then the first shape asked for in the
/// release's order, or the plain record.
///
/// # Errors
/// [`Refusal::TicketNotFound`], [`Refusal::NotAuthorized`], or a database failure when the
/// links of `all=true` had to create the name `Ticket`.
pub async fn show(
    state: &AppState,
    request: &ShowTicket<'_>,
    caller: &Caller,
) -> Result<String, DomainError> {
    let release = state.release();
    let viewer = Viewer::of(caller);
    let find = |view: &View<'_>| -> Result<Arc<Stored>, Refusal> {
        let record = request
            .id
            .parse::<i64>()
            .ok()
            .and_then(|id| view.records().get(ModelKind::Ticket, id))
            .ok_or_else(|| Refusal::TicketNotFound {
                id: request.id.to_owned(),
            })?;
        if !release.may_show_ticket(caller, view.records(), &record) {
            return Err(Refusal::NotAuthorized);
        }
        Ok(record)
    };
    let shape = request.asked.shape(release);
    if shape != Some(Shape::All) {
        let view = state.view();
        let record = find(&view)?;
        return Ok(match shape {
            Some(Shape::Expand) => expand::ticket(&record, view.records(), release),
            Some(Shape::Full) => render::full(&record, view.records(), release, viewer),
            Some(Shape::All) | None => render::ticket(&record),
        });
    }
    // The ticket is found again in the view its links are read in, so that both come from
    // the same state.
    let id = find(&state.view())?.id;
    links::list_visible(state, Some("Ticket"), Some(id), caller, |list, view| {
        let record = find(view)?;
        Ok::<_, DomainError>(render::ticket_all(
            &record,
            list,
            view.records(),
            release,
            viewer,
        ))
    })
    .await?
}

/// `GET /api/v1/users/me` (`UsersController#me`): with `expand` the association names, with
/// `full` `{id, assets}` (`User.full`), else the caller's own attributes; never the password.
pub fn me(state: &AppState, asked: Asked, caller: &Caller) -> String {
    let release = state.release();
    let view = state.view();
    if asked.expand {
        expand::user(&caller.user, view.records(), release)
    } else if asked.full {
        render::full(&caller.user, view.records(), release, Viewer::of(caller))
    } else {
        caller.user.json().to_string()
    }
}
