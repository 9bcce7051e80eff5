//! The admin API under the reserved prefix `/__mock/`, which is never part of Zammad's API:
//! health, reset, fixtures (replace, merge, export), the request journal and the fault rules
//! (`faults`'s routes). The routes sit in one scope behind one gate (the admin token, when one
//! is set); their refusals are the mock's own ([`AdminError`]), in Zammad's `{"error": …}`
//! shape.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{ALLOW, AUTHORIZATION};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, HttpResponse, ResponseError};

use super::extract::Body;
use super::{AdminAccess, JSON_UTF8, MAX_FIXTURE_BYTES};
use crate::catalog::CatalogError;
use crate::faults::{Faults, FaultsError};
use crate::fixtures::{FixtureDocument, FixtureError};
use crate::journal::Journal;
use crate::state::{AppState, MergeError, ReplaceError};
use crate::store::StoreError;

/// Why an admin call was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// An admin token is set and the request did not send it.
    #[error("admin token required")]
    TokenRequired,
    /// The posted document is not UTF-8 text.
    #[error("(document): not UTF-8 text")]
    NotText,
    /// The posted document is invalid, or conflicts with the state; the error names the place.
    #[error(transparent)]
    Fixture(#[from] FixtureError),
    /// A posted fault rule or faults document is invalid; the error names the place.
    #[error(transparent)]
    Faults(#[from] FaultsError),
    /// A name of the document is too long, or a name table is full.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The database failed.
    #[error("the database failed")]
    Store(#[from] StoreError),
    /// `POST /__mock/reset` cannot go back to the start-up fixture file: it changed or
    /// vanished since start-up. Nothing was changed.
    #[error("{0}")]
    ResetRefused(String),
    /// The start-up fixture file changed while a reset read it; the database refuses
    /// writes until a restart.
    #[error("{0}")]
    ResetFailed(String),
    /// A parameter of an admin call is wrong; the text names it.
    #[error("{0}")]
    BadParameter(String),
    /// What an admin call asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The route exists, but not for this method.
    #[error("Method Not Allowed: {method} {path} (allowed: {allowed})")]
    MethodNotAllowed {
        /// The method sent.
        method: String,
        /// The path.
        path: String,
        /// The methods the route answers, for the `Allow` header too.
        allowed: &'static str,
    },
}

impl From<MergeError> for AdminError {
    fn from(error: MergeError) -> Self {
        match error {
            MergeError::Conflict(e) => e.into(),
            MergeError::Catalog(e) => e.into(),
            MergeError::Store(e) => e.into(),
        }
    }
}

impl From<ReplaceError> for AdminError {
    fn from(error: ReplaceError) -> Self {
        match error {
            ReplaceError::Store(e) => e.into(),
            e
            @ (ReplaceError::FixtureFileChanged { .. } | ReplaceError::FixtureFileGone { .. }) => {
                AdminError::ResetRefused(crate::error_chain(&e))
            }
            e @ ReplaceError::FixtureFileUnloadable(_) => {
                AdminError::ResetFailed(crate::error_chain(&e))
            }
        }
    }
}

impl ResponseError for AdminError {
    fn status_code(&self) -> StatusCode {
        match self {
            AdminError::TokenRequired => StatusCode::UNAUTHORIZED,
            AdminError::NotText
            | AdminError::Fixture(_)
            | AdminError::Faults(_)
            | AdminError::Catalog(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AdminError::BadParameter(_) => StatusCode::BAD_REQUEST,
            AdminError::NotFound(_) => StatusCode::NOT_FOUND,
            AdminError::Store(_) | AdminError::ResetFailed(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AdminError::ResetRefused(_) => StatusCode::CONFLICT,
            AdminError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AdminError::Store(_) | AdminError::ResetFailed(_) = self {
            log::error!("{}", crate::error_chain(self));
        }
        let mut response = HttpResponse::build(self.status_code());
        if let AdminError::MethodNotAllowed { allowed, .. } = self {
            response.insert_header((ALLOW, *allowed));
        }
        response
            .content_type(JSON_UTF8)
            .body(serde_json::json!({ "error": self.to_string() }).to_string())
    }
}

/// Registers the admin scope on `cfg`, unless the admin API is off. The page's files are
/// outside the gate (they hold no data, and the page asks for the token itself); every call
/// that gives or changes data is inside it.
pub(super) fn configure(cfg: &mut web::ServiceConfig, access: &AdminAccess) {
    if *access == AdminAccess::Off {
        return;
    }
    super::ui::configure_page(cfg);
    cfg.service(
        web::scope("/__mock")
            .app_data(web::Data::new(access.clone()))
            .wrap(from_fn(gate))
            .service(resource("/reset", "POST").route(web::post().to(reset_state)))
            .service(
                resource("/fixtures", "GET, PUT, POST")
                    // Whole data sets come through here; API calls keep the smaller limit.
                    .app_data(web::PayloadConfig::new(MAX_FIXTURE_BYTES))
                    .route(web::get().to(get_fixtures))
                    .route(web::put().to(put_fixtures))
                    .route(web::post().to(post_fixtures)),
            )
            .service(
                resource("/requests", "GET, DELETE")
                    .route(web::get().to(get_requests))
                    .route(web::delete().to(delete_requests)),
            )
            .service(resource("/graph", "GET").route(web::get().to(super::ui::get_graph)))
            .configure(super::faults::configure)
            .default_service(web::to(super::catch_all)),
    );
}

/// The methods an admin resource answers, for its 405.
#[derive(Debug, Clone, Copy)]
struct Allowed(&'static str);

/// An admin resource at `path` (below `/__mock`) that answers any other method than
/// `allowed` with a JSON 405, as every refusal here is JSON.
pub(super) fn resource(path: &str, allowed: &'static str) -> actix_web::Resource {
    web::resource(path)
        .app_data(Allowed(allowed))
        .default_service(web::to(method_not_allowed))
}

async fn method_not_allowed(req: actix_web::HttpRequest) -> Result<HttpResponse, AdminError> {
    Err(AdminError::MethodNotAllowed {
        method: req.method().to_string(),
        path: req.path().to_owned(),
        allowed: req.app_data::<Allowed>().map_or("", |a| a.0),
    })
}

/// The one gate of the admin scope: with an admin token set, only requests that send
/// `Authorization: Bearer <token>` pass.
async fn gate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let allowed = match req.app_data::<web::Data<AdminAccess>>().map(|a| a.as_ref()) {
        Some(AdminAccess::Token(token)) => req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|sent| crate::auth::secrets_match(sent.as_bytes(), token.as_bytes())),
        _ => true,
    };
    if allowed {
        Ok(next.call(req).await?.map_into_left_body())
    } else {
        let response = AdminError::TokenRequired.error_response();
        Ok(req.into_response(response).map_into_right_body())
    }
}

/// `GET /__mock/health`: 200 `{"status":"ok"}` (outside the gate: always answered).
pub(super) async fn health() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(JSON_UTF8)
        .body("{\"status\":\"ok\"}")
}

/// `POST /__mock/reset`: back to the start-up fixtures and the start-up fault rules; 204.
async fn reset_state(
    state: web::Data<AppState>,
    faults: web::Data<Faults>,
) -> Result<HttpResponse, AdminError> {
    state.reset()?.durable().await?;
    faults.reset();
    Ok(HttpResponse::NoContent().finish())
}

/// The posted fixture document, validated whole.
fn posted_document(body: &[u8]) -> Result<FixtureDocument, AdminError> {
    let text = std::str::from_utf8(body).map_err(|_| AdminError::NotText)?;
    Ok(FixtureDocument::from_json(text)?)
}

/// `PUT /__mock/fixtures`: replace the whole state; 204, or 422 naming the place.
async fn put_fixtures(body: Body, state: web::Data<AppState>) -> Result<HttpResponse, AdminError> {
    let doc = posted_document(&body)?;
    state.replace(&doc)?.durable().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /__mock/fixtures`: merge into the state; 204, or 422 naming the place.
async fn post_fixtures(body: Body, state: web::Data<AppState>) -> Result<HttpResponse, AdminError> {
    let doc = posted_document(&body)?;
    state.merge(&doc)?.durable().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /__mock/fixtures`: the whole state as one fixture document.
async fn get_fixtures(state: web::Data<AppState>) -> Result<HttpResponse, AdminError> {
    let body = state.export_json()?;
    Ok(HttpResponse::Ok().content_type(JSON_UTF8).body(body))
}

/// `GET /__mock/requests`: the journal, oldest first.
async fn get_requests(journal: web::Data<Journal>) -> HttpResponse {
    let entries = journal.entries();
    HttpResponse::Ok()
        .content_type(JSON_UTF8)
        .body(serde_json::to_string(&entries).expect("journal entries always serialise"))
}

/// `DELETE /__mock/requests`: forget the journal; 204.
async fn delete_requests(journal: web::Data<Journal>) -> HttpResponse {
    journal.clear();
    HttpResponse::NoContent().finish()
}
