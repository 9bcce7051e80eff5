//! The HTTP surface: Zammad's link and ticket routes, the admin routes under `/__mock/`, and
//! the catch-all that answers everything else as Zammad does.
//!
//! This file is the router; the seams are rooms of their own: a Zammad call is one
//! extractor (`extract::Call`: body, caller, parameters), the request journal is a
//! middleware (`journal`), the admin API sits in one scope behind one gate (`admin`), the
//! success headers are `answer`'s, and each boundary has one error type mapped to HTTP once
//! (`error::ApiError` for Zammad's routes, `admin::AdminError` for the mock's own). Handlers
//! (`links`, `tickets`, `articles`, `version`) turn a request into a typed call of the domain (`links`,
//! `tickets`) and a body of `render`; the rules are the domain's.

mod admin;
mod answer;
mod articles;
mod error;
mod extract;
mod faults;
mod journal;
mod links;
mod tickets;
mod ui;
mod version;

use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::http::Method;
use actix_web::{web, App, HttpRequest, HttpResponse};

use answer::{add_cors_headers, JSON_UTF8};
pub use error::ApiError;

use crate::faults::Faults;
use crate::journal::Journal;
use crate::refusal::Refusal;
use crate::state::AppState;

/// The largest request body the Zammad API routes take by default; larger ones get 413.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// The largest fixture document `PUT`/`POST /__mock/fixtures` take.
pub const MAX_FIXTURE_BYTES: usize = 1024 * 1024 * 1024;

/// Who may use the admin API under `/__mock/`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AdminAccess {
    /// Anyone (the default: the mock listens on loopback).
    #[default]
    Open,
    /// Only requests with `Authorization: Bearer <token>`.
    Token(String),
    /// Nobody: the admin routes answer 404 like any unknown route (`/__mock/health` stays).
    Off,
}

/// What the app is built from; cheap to clone into every worker.
#[derive(Debug, Clone)]
pub(crate) struct Wiring {
    pub(crate) state: web::Data<AppState>,
    pub(crate) journal: web::Data<Journal>,
    pub(crate) faults: web::Data<Faults>,
    pub(crate) admin: AdminAccess,
    pub(crate) max_body_bytes: usize,
}

/// The whole app: shared data, Zammad's routes, the admin scope, the catch-all, and the
/// journal around them.
pub(crate) fn app(
    wiring: Wiring,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let noting = Some(wiring.journal.clone()).filter(|journal| journal.is_enabled());
    App::new()
        .app_data(wiring.state)
        .app_data(wiring.journal)
        .app_data(web::PayloadConfig::new(wiring.max_body_bytes))
        .app_data(wiring.faults.clone())
        // Inside the journal (the last `wrap` is the outermost), so faulted calls are noted.
        .wrap(faults::InjectFaults(wiring.faults))
        .wrap(journal::RecordCalls(noting))
        // Zammad's routes first: the router tries routes in order, and they are the hot ones.
        .configure(zammad_routes)
        .route("/__mock/health", web::get().to(admin::health))
        .configure(|cfg| admin::configure(cfg, &wiring.admin))
        .default_service(web::to(catch_all))
}

/// Zammad's routes (`config/routes/link.rb`, `ticket.rb`, `user.rb`, `version.rb`), each also with the
/// `.json` suffix Rails accepts (for the routes with an id, the handler strips it). A request with another method falls through to the
/// catch-all, as an unrouted request does in Rails.
fn zammad_routes(cfg: &mut web::ServiceConfig) {
    for suffix in ["", ".json"] {
        cfg.route(
            &format!("/api/v1/links{suffix}"),
            only(Method::GET).to(links::list_links),
        )
        .route(
            &format!("/api/v1/links/add{suffix}"),
            only(Method::POST).to(links::add_link),
        )
        .route(
            &format!("/api/v1/links/remove{suffix}"),
            only(Method::DELETE).to(links::remove_link),
        )
        .route(
            &format!("/api/v1/tickets{suffix}"),
            only(Method::GET).to(tickets::list_tickets),
        )
        .route(
            &format!("/api/v1/tickets{suffix}"),
            only(Method::POST).to(tickets::create_ticket),
        )
        .route(
            &format!("/api/v1/users/me{suffix}"),
            only(Method::GET).to(tickets::show_me),
        )
        .route(
            &format!("/api/v1/version{suffix}"),
            only(Method::GET).to(version::show_version),
        )
        // Before `/api/v1/tickets/{id}`, which would take `search` for an id.
        .route(
            &format!("/api/v1/tickets/search{suffix}"),
            only(Method::GET).to(tickets::search_tickets),
        )
        .route(
            &format!("/api/v1/tickets/search{suffix}"),
            only(Method::POST).to(tickets::search_tickets),
        );
    }
    cfg.route(
        "/api/v1/tickets/{id}",
        only(Method::GET).to(tickets::show_ticket),
    )
    .route(
        "/api/v1/tickets/{id}",
        only(Method::PUT).to(tickets::update_ticket),
    )
    .route(
        "/api/v1/tickets/{id}",
        only(Method::DELETE).to(tickets::delete_ticket),
    )
    .route(
        "/api/v1/ticket_articles/by_ticket/{id}",
        only(Method::GET).to(articles::list_articles),
    )
    // `config/routes/ticket.rb`: only PUT; the handler strips a `.json` suffix.
    .route(
        "/api/v1/ticket_merge/{source}/{target}",
        only(Method::PUT).to(tickets::merge_tickets),
    );
}

/// A route for requests with `method` only. (actix's own method guards also note each
/// method they were asked about in the request's data, for a 405 these routes never give:
/// two allocations per request, a twentieth of the seed's GET in instruction profiles.)
fn only(method: Method) -> actix_web::Route {
    web::route().guard(OnlyMethod(method))
}

/// The guard of [`only`].
struct OnlyMethod(Method);

impl actix_web::guard::Guard for OnlyMethod {
    fn check(&self, ctx: &actix_web::guard::GuardContext<'_>) -> bool {
        ctx.head().method == self.0
    }
}

/// The catch-all: an `OPTIONS` preflight gets 200 with the CORS headers; anything else is
/// Zammad's 404 for an unknown route, always with a JSON body.
async fn catch_all(req: HttpRequest, _body: extract::Body) -> Result<HttpResponse, ApiError> {
    if req.method() == actix_web::http::Method::OPTIONS {
        let mut response = HttpResponse::Ok();
        add_cors_headers(&mut response);
        response.insert_header((CONTENT_TYPE, HeaderValue::from_static("text/plain")));
        return Ok(response.finish());
    }
    let release = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.release())
        .ok_or(ApiError::Internal("the state is not registered"))?;
    Err(ApiError::Refused {
        refusal: Refusal::NoRoute {
            method: req.method().to_string(),
            path: req.path().to_owned(),
        },
        release,
        sees_details: false,
    })
}
