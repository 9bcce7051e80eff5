//! The HTTP side of `capture`: one authenticated `reqwest` client for a Zammad's REST API,
//! JSON in, typed failures out, and bounded retries when the server says "later" (429, or
//! 503 with `Retry-After`). What to fetch is left to `walk`; the credentials given on the
//! command line live only in a header marked sensitive, never in a message or a log line.
//!
//! TLS is rustls with the Mozilla roots built in, plus the CA certificates of `--ca-cert`
//! (read by `tls`), since many Zammads sit behind a company CA.

use std::time::Duration;

use base64::Engine as _;
use reqwest::blocking::{Client, Response};
use reqwest::header::{HeaderValue, AUTHORIZATION, RETRY_AFTER};
use reqwest::{Certificate, StatusCode, Url};

use super::tls::tls_error;
use serde_json::Value;

/// How the capturing user signs in.
#[derive(Clone)]
pub enum Credentials {
    /// An API token (`Authorization: Token token=…`).
    Token(String),
    /// HTTP Basic login and password.
    Basic {
        /// Login or email.
        login: String,
        /// Password.
        password: String,
    },
}

impl std::fmt::Debug for Credentials {
    /// Never prints a secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Token(_) => f.write_str("Token(<hidden>)"),
            Credentials::Basic { login, .. } => write!(f, "Basic({login}, <hidden>)"),
        }
    }
}

impl Credentials {
    /// The `Authorization` header, marked sensitive so that no debug output shows it.
    fn header(&self) -> Result<HeaderValue, ClientError> {
        let text = match self {
            Credentials::Token(token) => format!("Token token={token}"),
            Credentials::Basic { login, password } => format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"))
            ),
        };
        let mut value =
            HeaderValue::from_str(&text).map_err(|_| ClientError::UnusableCredentials)?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// How patient the client is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patience {
    /// The longest a single request may take, connection included.
    pub timeout: Duration,
    /// How often a request is sent at most when the server answers 429 or 503.
    pub attempts: u32,
    /// The longest wait between two attempts, whatever `Retry-After` says.
    pub max_wait: Duration,
}

impl Default for Patience {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            attempts: 5,
            max_wait: Duration::from_secs(120),
        }
    }
}

/// Why a request gave no usable answer. `what` is the request line without the host
/// (`GET /api/v1/links?…`), so a message never repeats a URL that might carry secrets.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The credentials cannot be put into a header (control characters).
    #[error("the credentials contain characters that cannot be sent in an HTTP header")]
    UnusableCredentials,
    /// The URL cannot be used as a base for the REST paths.
    #[error("{0} is not an http(s) URL")]
    BadUrl(String),
    /// The URL carries a login or password, which would show in messages.
    #[error("the URL must not carry credentials; use --token, or --user and --password")]
    CredentialsInUrl,
    /// The HTTP client could not be set up (TLS back end).
    #[error("cannot set up the HTTP client")]
    Setup(#[source] reqwest::Error),
    /// The TLS handshake failed: most often the server's certificate is not trusted.
    #[error(
        "TLS with {base} failed{}",
        if matches!(source, rustls::Error::InvalidCertificate(_)) {
            " (its certificate is not trusted; if your own CA signed it, give that with --ca-cert FILE)"
        } else {
            ""
        }
    )]
    Tls {
        /// Scheme, host and port.
        base: String,
        /// What rustls said (`invalid peer certificate: UnknownIssuer`, …).
        #[source]
        source: rustls::Error,
    },
    /// Nobody answered at the address.
    #[error("cannot connect to {base}")]
    Unreachable {
        /// Scheme, host and port.
        base: String,
        /// The cause.
        #[source]
        source: reqwest::Error,
    },
    /// The server took longer than the timeout.
    #[error("{what}: no answer within {seconds} s")]
    TimedOut {
        /// The request.
        what: String,
        /// The timeout.
        seconds: u64,
        /// The cause.
        #[source]
        source: reqwest::Error,
    },
    /// The connection broke or the answer could not be read.
    #[error("{what}: the connection failed")]
    Transport {
        /// The request.
        what: String,
        /// The cause.
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with an error status.
    #[error("{what}: the server answered {status}{}", message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default())]
    Status {
        /// The request.
        what: String,
        /// The status.
        status: StatusCode,
        /// Zammad's `error` text, when the body had one.
        message: Option<String>,
    },
    /// Still 429 or 503 after every attempt.
    #[error("{what}: still {status} after {attempts} attempts (rate limited)")]
    GaveUp {
        /// The request.
        what: String,
        /// The last status.
        status: StatusCode,
        /// Attempts made.
        attempts: u32,
    },
    /// The body is not JSON: not a Zammad REST API.
    #[error("{what}: the answer is not JSON; is this the URL of a Zammad?")]
    NotJson {
        /// The request.
        what: String,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
}

impl ClientError {
    /// The HTTP status of a [`ClientError::Status`].
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            ClientError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// An authenticated client for one Zammad.
#[derive(Debug, Clone)]
pub struct ZammadClient {
    http: Client,
    base: Url,
    authorization: HeaderValue,
    patience: Patience,
}

impl ZammadClient {
    /// A client for the Zammad at `url` (its root, e.g. `https://zammad.example.com`) that
    /// trusts `roots` (from `tls::load_ca_certs`) besides the built-in Mozilla roots.
    ///
    /// # Errors
    /// A URL that is not http(s), unusable credentials, or a TLS set-up failure.
    pub fn new(
        url: &str,
        credentials: &Credentials,
        patience: Patience,
        connections: usize,
        roots: Vec<Certificate>,
    ) -> Result<Self, ClientError> {
        let mut base = Url::parse(url).map_err(|_| ClientError::BadUrl(url.to_owned()))?;
        if !base.username().is_empty() || base.password().is_some() {
            return Err(ClientError::CredentialsInUrl);
        }
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(ClientError::BadUrl(url.to_owned()));
        }
        // `join` replaces the last path segment unless the path ends with a slash; a Zammad
        // under a sub-path (`https://host/zammad`) keeps it this way.
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let mut builder = Client::builder()
            .user_agent(concat!(
                "zammad-links-mock-capture/",
                env!("CARGO_PKG_VERSION")
            ))
            .timeout(patience.timeout)
            .connect_timeout(patience.timeout)
            .pool_max_idle_per_host(connections);
        for root in roots {
            builder = builder.add_root_certificate(root);
        }
        let http = builder.build().map_err(ClientError::Setup)?;
        Ok(Self {
            http,
            base,
            authorization: credentials.header()?,
            patience,
        })
    }

    /// Scheme, host and port, for messages.
    pub fn origin(&self) -> String {
        self.base.origin().ascii_serialization()
    }

    /// `GET path?query` as JSON. 429 and 503 are retried as `Retry-After` says, at most
    /// [`Patience::attempts`] times in all; any other non-2xx status is an error.
    ///
    /// # Errors
    /// [`ClientError`] for every way the request can fail.
    pub fn get_json(&self, path: &str, query: &[(&str, String)]) -> Result<Value, ClientError> {
        let mut url = self
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|_| ClientError::BadUrl(path.to_owned()))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let what = match url.query() {
            Some(q) => format!("GET {}?{q}", url.path()),
            None => format!("GET {}", url.path()),
        };
        let mut attempt = 1;
        loop {
            let response = self.send(&url, &what)?;
            let status = response.status();
            if status.is_success() {
                let bytes = response
                    .bytes()
                    .map_err(|source| self.transport(&what, source))?;
                return serde_json::from_slice(&bytes)
                    .map_err(|source| ClientError::NotJson { what, source });
            }
            let retryable = status == StatusCode::TOO_MANY_REQUESTS
                || status == StatusCode::SERVICE_UNAVAILABLE;
            if !retryable {
                return Err(ClientError::Status {
                    message: error_text(response),
                    what,
                    status,
                });
            }
            if attempt >= self.patience.attempts {
                return Err(ClientError::GaveUp {
                    what,
                    status,
                    attempts: attempt,
                });
            }
            let wait = retry_after(&response, attempt).min(self.patience.max_wait);
            log::info!("{what}: {status}, trying again in {} s", wait.as_secs_f32());
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    fn send(&self, url: &Url, what: &str) -> Result<Response, ClientError> {
        self.http
            .get(url.clone())
            .header(AUTHORIZATION, self.authorization.clone())
            .send()
            .map_err(|source| {
                if let Some(tls) = tls_error(&source) {
                    ClientError::Tls {
                        base: self.origin(),
                        source: tls,
                    }
                } else if source.is_connect() {
                    ClientError::Unreachable {
                        base: self.origin(),
                        source,
                    }
                } else {
                    self.transport(what, source)
                }
            })
    }

    fn transport(&self, what: &str, source: reqwest::Error) -> ClientError {
        if source.is_timeout() {
            ClientError::TimedOut {
                what: what.to_owned(),
                seconds: self.patience.timeout.as_secs(),
                source,
            }
        } else {
            ClientError::Transport {
                what: what.to_owned(),
                source,
            }
        }
    }
}

/// How long to wait before attempt `attempt + 1`: `Retry-After` as seconds or as an HTTP
/// date; without one, one second more per attempt.
fn retry_after(response: &Response, attempt: u32) -> Duration {
    let header = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok());
    parse_retry_after(header, std::time::SystemTime::now())
        .unwrap_or(Duration::from_secs(u64::from(attempt)))
}

fn parse_retry_after(header: Option<&str>, now: std::time::SystemTime) -> Option<Duration> {
    let header = header?.trim();
    if let Ok(seconds) = header.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(header).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Zammad's `error` text of an error answer (`{"error": …}`), if the body has one.
fn error_text(response: Response) -> Option<String> {
    let body: Value = response.json().ok()?;
    let text = body.get("error")?.as_str()?;
    // A message stays one line, and short.
    Some(
        text.lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(
            parse_retry_after(Some(" 7 "), now),
            Some(Duration::from_secs(7))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(3));
        assert_eq!(
            parse_retry_after(Some(&later), now),
            Some(Duration::from_secs(3))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(3));
        assert_eq!(parse_retry_after(Some(&earlier), now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after(Some("soon"), now), None);
        assert_eq!(parse_retry_after(None, now), None);
    }

    #[test]
    fn credentials_never_show_in_debug_output() {
        let token = Credentials::Token("s3cr3t-token".into());
        let basic = Credentials::Basic {
            login: "agent".into(),
            password: "s3cr3t-pw".into(),
        };
        let shown = format!("{token:?} {basic:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        let client = ZammadClient::new(
            "http://127.0.0.1:9",
            &basic,
            Patience::default(),
            1,
            Vec::new(),
        )
        .expect("a client");
        let shown = format!("{client:?}");
        let encoded = base64::engine::general_purpose::STANDARD.encode("agent:s3cr3t-pw");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains(&encoded),
            "{shown}"
        );
    }

    #[test]
    fn a_url_that_is_not_http_is_refused() {
        let token = Credentials::Token("t".into());
        for url in ["ftp://host", "not a url", "mailto:a@b"] {
            assert!(matches!(
                ZammadClient::new(url, &token, Patience::default(), 1, Vec::new()),
                Err(ClientError::BadUrl(_))
            ));
        }
    }

    #[test]
    fn a_url_with_credentials_is_refused_without_repeating_them() {
        let token = Credentials::Token("t".into());
        let error = ZammadClient::new(
            "https://u:s3cr3t@host",
            &token,
            Patience::default(),
            1,
            Vec::new(),
        )
        .unwrap_err();
        assert!(matches!(error, ClientError::CredentialsInUrl));
        assert!(!error.to_string().contains("s3cr3t"));
    }

    #[test]
    fn a_sub_path_is_kept_when_joining() {
        let token = Credentials::Token("t".into());
        let client = ZammadClient::new(
            "https://host/zammad",
            &token,
            Patience::default(),
            1,
            Vec::new(),
        )
        .unwrap();
        assert_eq!(
            client.base.join("api/v1/links").unwrap().as_str(),
            "https://host/zammad/api/v1/links"
        );
    }
}
