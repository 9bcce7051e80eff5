//! What a handler takes from a request: its [`Body`] (read only when there is one) and the
//! authenticated [`Caller`], each an actix extractor, and the merged [`Params`].
//!
//! Both extractors leave what the request journal needs in the request's extensions (the
//! body and the user), so that the journal middleware can note the call after it was answered.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header::{HeaderName, AUTHORIZATION, CONTENT_TYPE, FROM};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::journal::{Noted, NotedBody, NotedUser};
use super::ApiError;
use crate::auth::{authenticate, Caller, Credentials};
use crate::params::Params;
use crate::state::AppState;

/// A request's body. actix-web's `Bytes` extractor reserves an 8 KiB buffer for every
/// request; most Zammad calls here are GETs without a body, so an HTTP/1 request whose head
/// announces none (no `Content-Length` or `Content-Length: 0`, and no chunked encoding:
/// actix gives it no payload) skips the extractor and its buffer. A body is read, limits and
/// all, by that extractor; its refusals are answered in Zammad's JSON shape (actix's own are
/// plain text).
pub(super) struct Body(web::Bytes);

impl std::ops::Deref for Body {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl FromRequest for Body {
    type Error = actix_web::Error;
    type Future = BodyFuture;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        match payload {
            Payload::None => BodyFuture::Empty,
            _ => BodyFuture::Reading {
                request: req.clone(),
                reading: Box::pin(web::Bytes::from_request(req, payload)),
            },
        }
    }
}

/// The future of a [`Body`]: ready at once, or reading the payload.
pub(super) enum BodyFuture {
    Empty,
    Reading {
        request: HttpRequest,
        reading: Pin<Box<<web::Bytes as FromRequest>::Future>>,
    },
}

impl Future for BodyFuture {
    type Output = Result<Body, actix_web::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            BodyFuture::Empty => Poll::Ready(Ok(Body(web::Bytes::new()))),
            BodyFuture::Reading { request, reading } => {
                reading.as_mut().poll(cx).map(|read| match read {
                    Ok(bytes) => {
                        if Noted::is_wanted(request) {
                            request.extensions_mut().insert(NotedBody(bytes.clone()));
                        }
                        Ok(Body(bytes))
                    }
                    Err(error) => Err(unreadable_body(error)),
                })
            }
        }
    }
}

fn unreadable_body(error: actix_web::Error) -> actix_web::Error {
    match error.as_error::<PayloadError>() {
        Some(PayloadError::Overflow) => ApiError::BodyTooLarge.into(),
        _ => ApiError::BodyUnreadable(error.to_string()).into(),
    }
}

/// `X-On-Behalf-Of`, Zammad's second impersonation header (`From` is the first).
const X_ON_BEHALF_OF: HeaderName = HeaderName::from_static("x-on-behalf-of");

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Caller, ApiError>>;

    /// Authenticates the request as Zammad does (`application_controller/authenticates.rb`),
    /// reusing the result for an `Authorization` header already verified.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return ready(Err(ApiError::Internal("the state is not registered")));
        };
        let caller = caller(req, state);
        if let Ok(caller) = &caller {
            if Noted::is_wanted(req) {
                req.extensions_mut().insert(NotedUser(caller.user_id()));
            }
        }
        ready(caller)
    }
}

fn caller(req: &HttpRequest, state: &AppState) -> Result<Caller, ApiError> {
    // One view for the whole check: a fixture swap shows before or after it, never inside.
    let view = state.view();
    let header = |name: HeaderName| req.headers().get(name).and_then(|v| v.to_str().ok());
    let authorization = header(AUTHORIZATION);
    let impersonate = header(FROM).or_else(|| header(X_ON_BEHALF_OF));
    let full_check = || {
        authenticate(
            view.records(),
            view.grants(),
            &|token| view.token(token),
            &Credentials::parse(authorization),
            impersonate,
            state.profile().unknown_bearer,
        )
    };
    Ok(match (authorization, impersonate) {
        (Some(authorization), None) => {
            view.verified()
                .get_or_authenticate(view.records(), authorization, full_check)?
        }
        _ => full_check()?,
    })
}

/// The state `req` is answered from (read from the app's data rather than taken as one more
/// extractor: each extractor costs the seed's GET a future of its own).
#[inline]
pub(super) fn state(req: &HttpRequest) -> Result<&AppState, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .map(|data| data.get_ref())
        .ok_or(ApiError::Internal("the state is not registered"))
}

/// The merged parameters of `req` with body `body` (query string over body, as in Rails).
#[inline]
pub(super) fn params<'a>(req: &'a HttpRequest, body: &'a [u8]) -> Result<Params<'a>, ApiError> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(Params::from_parts(content_type, body, req.query_string())?)
}
