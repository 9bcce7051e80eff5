//! [`ApiError`]: every refusal of Zammad's routes, turned into Zammad's status, body and
//! headers in one place, as `app/controllers/application_controller/handles_errors.rb` does
//! it: the domain gives a reason ([`Refusal`]), the running release says how it raises it
//! ([`Failure`]), and [`parts`] maps each way of raising to HTTP, exhaustively.
//!
//! Bodies take Zammad's shape: `{"error": …, "error_human": …}` with both keys holding the
//! same text when the error went through `humanize_error`, or only `error` when the
//! controller rendered it itself. 401 and 403 carry `X-Failure` with the same text.

use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::refusal::{DomainError, Refusal};
use crate::release::{Failure, Raised, ZammadVersion};
use crate::store::StoreError;

use super::answer::{set_success_headers, JSON_UTF8};

/// Why a request to one of Zammad's routes was answered with an error.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The call was refused; the release says how Zammad raises the reason.
    #[error("{}", .release.failure(.refusal).text)]
    Refused {
        /// What happened.
        refusal: Refusal,
        /// The release answering.
        release: ZammadVersion,
        /// Whether the caller sees the text of an unrescued error rather than the mask.
        sees_details: bool,
    },
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

impl ApiError {
    /// A domain call's failure, answered as `release` to a caller who sees details of
    /// unrescued errors or not.
    pub fn domain(error: DomainError, release: ZammadVersion, sees_details: bool) -> Self {
        match error {
            DomainError::Refused(refusal) => ApiError::Refused {
                refusal,
                release,
                sees_details,
            },
            DomainError::Store(error) => ApiError::Store(error),
        }
    }
}

/// How Zammad shapes the body of one error.
enum Body {
    /// `{"error": t, "error_human": t}`: went through `humanize_error`.
    Humanized(String),
    /// `{"error": t}`: rendered by the controller itself, or not humanised.
    ErrorOnly(String),
    /// Zammad's masked internal error; the text is logged, not sent.
    Masked(String),
    /// `{"result": "failed", "message": t}`: a call that answers its refusal with 200.
    Failed(String),
}

/// An error's answer: status, body, and whether the action ran to its end (so the answer
/// carries the action's success headers: no caching, CORS).
struct Parts {
    status: StatusCode,
    body: Body,
    from_action: bool,
}

/// The answer of `error` (`handles_errors.rb`): one arm per way of failing, no `_` arm.
fn parts(error: &ApiError) -> Parts {
    let plain = |status, body| Parts {
        status,
        body,
        from_action: false,
    };
    match error {
        ApiError::Refused {
            refusal,
            release,
            sees_details,
        } => raised(release.failure(refusal), *sees_details),
        ApiError::BodyTooLarge => plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            Body::ErrorOnly(error.to_string()),
        ),
        ApiError::BodyUnreadable(_) => {
            plain(StatusCode::BAD_REQUEST, Body::ErrorOnly(error.to_string()))
        }
        ApiError::Store(_) | ApiError::Internal(_) => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            Body::Masked(crate::error_chain(error)),
        ),
    }
}

/// The answer to a failure as Zammad raised it, to a caller who sees the details of an
/// unrescued error (`handles_errors.rb#humanize_error`: the raw message as `error`, without
/// `error_human`) or not (the masked "Error ID").
fn raised(Failure { raised, text }: Failure, sees_details: bool) -> Parts {
    let text = text.into_owned();
    let (status, body, from_action) = match raised {
        Raised::RecordNotFound => (StatusCode::NOT_FOUND, Body::Humanized(text), false),
        Raised::Unprocessable => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Body::Humanized(text),
            false,
        ),
        Raised::Rendered => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Body::ErrorOnly(text),
            true,
        ),
        Raised::Forbidden => (StatusCode::FORBIDDEN, Body::Humanized(text), false),
        Raised::Unauthorized => (StatusCode::UNAUTHORIZED, Body::Humanized(text), false),
        Raised::Unrescued if sees_details => {
            log::error!("{text}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Body::ErrorOnly(text),
                false,
            )
        }
        Raised::Unrescued => (StatusCode::INTERNAL_SERVER_ERROR, Body::Masked(text), false),
        Raised::BadRequest => (StatusCode::BAD_REQUEST, Body::ErrorOnly(text), false),
        Raised::Invalid => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Body::ErrorOnly(text),
            false,
        ),
        Raised::MaskedUnprocessable => {
            (StatusCode::UNPROCESSABLE_ENTITY, Body::Masked(text), false)
        }
        Raised::Failed => (StatusCode::OK, Body::Failed(text), true),
    };
    Parts {
        status,
        body,
        from_action,
    }
}

/// A short id for a masked error, as Zammad's "Error ID …": eight characters of the URL-safe
/// alphabet, as `SecureRandom.urlsafe_base64(6)` makes them (not secret, only distinct).
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
        parts(self).status
    }

    fn error_response(&self) -> HttpResponse {
        let Parts {
            status,
            body,
            from_action,
        } = parts(self);
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
            Body::Failed(text) => {
                serde_json::json!({"result": "failed", "message": text}).to_string()
            }
            Body::Masked(cause) => {
                let id = error_id();
                // As Zammad logs it, so that the id a client shows can be looked up.
                log::error!("Error ID {id}: {cause}");
                serde_json::json!({
                    "error": format!("Error ID {id}: Please contact your administrator.")
                })
                .to_string()
            }
        };
        let mut response = response.body(text);
        // A refusal the action rendered itself ran the whole action, so it has the success
        // headers.
        if from_action {
            response.headers_mut().clear();
            set_success_headers(response.headers_mut());
        }
        response
    }
}
