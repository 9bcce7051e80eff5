//! What a handler takes from a request: a Zammad call's [`Call`] (its body, read only when
//! there is one, then its caller, authenticated, and its merged parameters on demand), and
//! for the other routes the bare [`Body`].
//!
//! Both leave what the request journal needs in the request's extensions (the body and the
//! user), so that the journal middleware can note the call after it was answered.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header::{HeaderName, AUTHORIZATION, CONTENT_TYPE, FROM};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::journal::{Noted, NotedBody, NotedUser};
use super::ApiError;
use crate::auth::{authenticate, AuthMethod, Caller, Credentials};
use crate::params::Params;
use crate::refusal::{DomainError, Refusal};
use crate::release::ZammadVersion;
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

/// A call of one of Zammad's routes, as its handler takes it: the request, its body, and
/// who is calling. One extractor for every Zammad handler, so each starts the same way:
/// `call.caller()?` (authentication's refusal, if any), then `call.params()?`.
///
/// The caller is authenticated only once the body was read, and arrives as a `Result`
/// rather than as an extractor of its own: actix answers an extractor's error at once,
/// before the other extractors finished, so a refused caller would be answered with its
/// body unread (and missing from the journal). Here the body is always read first, and the
/// handler decides when authentication's refusal is answered.
pub(super) struct Call {
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
    caller: Result<Caller, Refusal>,
}

impl Call {
    /// The state the call is answered from.
    #[inline]
    pub(super) fn state(&self) -> &AppState {
        &self.state
    }

    /// The release the call is answered as.
    #[inline]
    pub(super) fn release(&self) -> ZammadVersion {
        self.state.release()
    }

    /// The authenticated caller.
    ///
    /// # Errors
    /// Authentication's refusal, as the release answers it.
    #[inline]
    pub(super) fn caller(&self) -> Result<&Caller, ApiError> {
        self.caller
            .as_ref()
            .map_err(|refusal| self.refusal(refusal.clone()))
    }

    /// The merged parameters (query string over body, as in Rails).
    ///
    /// # Errors
    /// A JSON body that is not JSON.
    #[inline]
    pub(super) fn params(&self) -> Result<Params<'_>, ApiError> {
        let content_type = self
            .req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Params::from_parts(content_type, &self.body, self.req.query_string())
            .map_err(|error| self.refusal(Refusal::BadParameter(error)))
    }

    /// A path segment of the route (`{id}`), without the `.json` suffix Rails accepts.
    pub(super) fn path(&self, name: &str) -> &str {
        let raw = self.req.match_info().get(name).unwrap_or("");
        raw.strip_suffix(".json").unwrap_or(raw)
    }

    /// `refusal`, as this call's release answers it to this caller.
    pub(super) fn refusal(&self, refusal: Refusal) -> ApiError {
        ApiError::domain(refusal.into(), self.release(), self.sees_details())
    }

    /// How a domain call's failure is answered: `.map_err(call.failed())?`.
    pub(super) fn failed(&self) -> impl Fn(DomainError) -> ApiError {
        let (release, sees_details) = (self.release(), self.sees_details());
        move |error| ApiError::domain(error, release, sees_details)
    }

    /// Whether the caller (once authenticated) sees the text of unrescued errors.
    fn sees_details(&self) -> bool {
        self.caller
            .as_ref()
            .is_ok_and(|caller| self.release().sees_details(caller))
    }
}

impl FromRequest for Call {
    type Error = actix_web::Error;
    type Future = CallFuture;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        CallFuture {
            body: Body::from_request(req, payload),
            req: req.clone(),
        }
    }
}

/// The future of a [`Call`]: the body's, then authentication (which never waits).
pub(super) struct CallFuture {
    body: BodyFuture,
    req: HttpRequest,
}

impl Future for CallFuture {
    type Output = Result<Call, actix_web::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let Body(body) = match Pin::new(&mut this.body).poll(cx) {
            Poll::Ready(Ok(body)) => body,
            Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
            Poll::Pending => return Poll::Pending,
        };
        let Some(state) = this.req.app_data::<web::Data<AppState>>().cloned() else {
            return Poll::Ready(Err(ApiError::Internal("the state is not registered").into()));
        };
        let caller = caller(&this.req, &state);
        if let Ok(caller) = &caller {
            if Noted::is_wanted(&this.req) {
                this.req
                    .extensions_mut()
                    .insert(NotedUser(caller.user_id()));
            }
        }
        Poll::Ready(Ok(Call {
            req: this.req.clone(),
            body,
            state,
            caller,
        }))
    }
}

/// Authenticates `req` as Zammad does (`application_controller/authenticates.rb`), reusing
/// the result for an `Authorization` header already verified.
pub(super) fn caller(req: &HttpRequest, state: &AppState) -> Result<Caller, Refusal> {
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

impl Caller {
    /// Whether the caller came by token (Zammad words some refusals apart for tokens).
    pub(super) fn by_token(&self) -> bool {
        self.method == AuthMethod::Token
    }
}
