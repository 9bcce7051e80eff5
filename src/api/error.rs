//! [`ApiError`]: every refusal the HTTP layer can give, mapped to Zammad's status, body and
//! headers in one exhaustive match (`app/controllers/application_controller/handles_errors.rb`).
//!
//! Bodies take Zammad's shape: `{"error": …, "error_human": …}` with both keys holding the
//! same text when the error went through `humanize_error`, or only `error` when the
//! controller rendered it itself. 401 and 403 carry `X-Failure` with the same text.

use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::auth::AuthError;
use crate::links::LinkError;
use crate::params::ParamsError;
use crate::profile::BodyShape;
use crate::store::StoreError;

use super::{JSON_SUCCESS_HEADERS, JSON_UTF8};

/// Why a request was answered with an error.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Authentication or impersonation failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A link call was refused.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The parameters could not be read.
    #[error(transparent)]
    Params(#[from] ParamsError),
    /// No route for this method and path (Zammad's catch-all route).
    #[error("No route matches [{method}] {path}")]
    RouteNotFound {
        /// The request method.
        method: String,
        /// The request path.
        path: String,
    },
    /// A policy refused the caller (`Pundit::NotAuthorizedError`): 403 "Not authorized".
    #[error("Not authorized")]
    NotAuthorized,
    /// A record was not found (`ActiveRecord::RecordNotFound`).
    #[error("{0}")]
    NotFound(String),
    /// The request body is larger than the service takes (`--max-body-bytes`). A real Zammad
    /// never sees such a request: nginx's `client_max_body_size` answers 413 with an HTML page
    /// of this title. The JSON shape is the mock's own, as for every refusal here.
    #[error("Request Entity Too Large")]
    BodyTooLarge,
    /// The request body could not be read (cut short, or a broken chunked encoding).
    #[error("The request body could not be read: {0}")]
    BodyUnreadable(String),
    /// The database failed.
    #[error("the database failed")]
    Store(#[from] StoreError),
    /// The mock itself is wired wrongly (a bug, never the client's fault).
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// How Zammad shapes the body of one error.
enum Body {
    /// `{"error": t, "error_human": t}`: went through `humanize_error`.
    Humanized(String),
    /// `{"error": t}`: rendered by the controller itself, or not humanised.
    ErrorOnly(String),
    /// Zammad's masked internal error.
    Masked,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, Body) {
        use Body::{ErrorOnly, Humanized, Masked};
        match self {
            ApiError::Auth(e) if e.is_forbidden() => {
                (StatusCode::FORBIDDEN, Humanized(e.to_string()))
            }
            ApiError::Auth(e) => (StatusCode::UNAUTHORIZED, Humanized(e.to_string())),
            ApiError::Link(e) => match e {
                LinkError::NotAuthorized => (StatusCode::FORBIDDEN, Humanized(e.to_string())),
                LinkError::Refused(refusal) => {
                    let status = StatusCode::from_u16(refusal.status)
                        .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
                    let text = refusal.text.to_owned();
                    match refusal.shape {
                        BodyShape::Humanized => (status, Humanized(text)),
                        BodyShape::ErrorOnly => (status, ErrorOnly(text)),
                        BodyShape::Masked => (status, Masked),
                    }
                }
                LinkError::AttributeRequired(_) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, Humanized(e.to_string()))
                }
                LinkError::Params(p) => Self::params_parts(p),
                LinkError::Catalog(c) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, ErrorOnly(c.to_string()))
                }
                LinkError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, Masked),
            },
            ApiError::Params(p) => Self::params_parts(p),
            ApiError::NotAuthorized => (StatusCode::FORBIDDEN, Humanized(self.to_string())),
            ApiError::BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorOnly(self.to_string())),
            ApiError::BodyUnreadable(_) => (StatusCode::BAD_REQUEST, ErrorOnly(self.to_string())),
            ApiError::RouteNotFound { .. } | ApiError::NotFound(_) => {
                (StatusCode::NOT_FOUND, Humanized(self.to_string()))
            }
            ApiError::Store(_) | ApiError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, Masked)
            }
        }
    }

    fn params_parts(error: &ParamsError) -> (StatusCode, Body) {
        match error {
            ParamsError::Unparsable => {
                (StatusCode::BAD_REQUEST, Body::ErrorOnly(error.to_string()))
            }
            // Zammad answers a RangeError with a masked 500; the mock keeps its promise of no
            // 5xx for bad input and answers 422 with the message an admin would see.
            ParamsError::OutOfRange(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Body::ErrorOnly(error.to_string()),
            ),
        }
    }
}

/// A short id for a masked error, as Zammad's "Error ID …" (not secret, only distinct).
fn error_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos() as u64;
    let mixed =
        (nanos ^ (n.wrapping_mul(0x9E37_79B9_7F4A_7C15))).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    (0..8)
        .map(|i| ALPHABET[((mixed >> (i * 6)) & 63) as usize] as char)
        .collect()
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        let (status, body) = self.parts();
        let mut response = HttpResponse::build(status);
        response.insert_header((CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8)));
        let text = match body {
            Body::Humanized(text) => {
                if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                    if let Ok(value) = HeaderValue::from_str(&text) {
                        response.insert_header(("X-Failure", value));
                    }
                }
                serde_json::json!({"error": text, "error_human": text}).to_string()
            }
            Body::ErrorOnly(text) => serde_json::json!({ "error": text }).to_string(),
            Body::Masked => {
                log::error!("{}", crate::error_chain(self));
                let id = error_id();
                serde_json::json!({
                    "error": format!("Error ID {id}: Please contact your administrator.")
                })
                .to_string()
            }
        };
        let mut response = response.body(text);
        // A refusal the action rendered itself ran the whole action, so it has the success
        // headers.
        if matches!(self, ApiError::Link(LinkError::Refused(r)) if r.from_action) {
            *response.headers_mut() = JSON_SUCCESS_HEADERS.clone();
        }
        response
    }
}
