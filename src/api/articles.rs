//! `GET /api/v1/ticket_articles/by_ticket/:id` (`config/routes/ticket.rb`,
//! `TicketArticlesController#index_by_ticket`): a ticket's articles, a thin adapter of
//! `tickets::list_articles`.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::answer::json_success;
use super::extract::Call;
use super::ApiError;
use crate::tickets::{self, Asked, ListArticles};

/// `GET /api/v1/ticket_articles/by_ticket/:id`: 200 with the articles the caller may see.
pub(super) async fn list_articles(call: Call) -> Result<HttpResponse, ApiError> {
    let caller = call.caller()?;
    let params = call.params()?;
    let request = ListArticles {
        id: call.path("id"),
        asked: Asked::from_params(&params, call.release()),
    };
    let body = tickets::list_articles(call.state(), &request, caller).map_err(call.failed())?;
    Ok(json_success(StatusCode::OK, body))
}
