//! `zammad-links-mock capture`: a real Zammad's tickets and links, as the capturing user sees
//! them, written as one fixture document that `--fixtures FILE` serves.
//!
//! The contract is the round trip: a mock started with the file answers
//! `GET /api/v1/links` for every ticket whose links were read (the start tickets and those
//! closer than `--depth`), and `GET /api/v1/tickets/:id` for every captured ticket, as the
//! Zammad answered the capturing user: `links` equal as a multiset, `assets` equal as JSON.
//! Nothing the user could not see is in the file; no password and not the given token are.
//!
//! Talks to Zammad only over HTTP (`client`), decides what to ask (`walk`), builds the
//! document (`document`); this module holds the options, the errors and the run: who the
//! user is, the version and permission table, the new token, and the file written by
//! rename so that a failed capture leaves nothing behind. The library's API takes plain
//! [`CaptureOptions`] and reports progress through [`CaptureProgress`]; the command line's
//! options and its progress bar are `command`'s (feature `cli`).

mod client;
#[cfg(feature = "cli")]
mod command;
mod document;
mod tls;
mod walk;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Map, Value};

use client::ZammadClient;
pub use client::{ClientError, Credentials, Patience};
#[cfg(feature = "cli")]
pub use command::{run, CaptureArgs};
use document::{stand_in_role, DocumentBuilder};
use tls::load_ca_certs;
pub use tls::CaCertError;
use walk::Walker;

pub use crate::release::ZammadVersion;

impl ZammadVersion {
    /// The permission table used when the user may not read the server's: the profile's own
    /// (its default data set's), so that the captured roles' permission ids mean in the mock
    /// what they meant in that Zammad.
    fn default_permissions(self) -> Map<String, Value> {
        let default: Value = serde_json::from_str(self.default_data())
            .expect("every release line's default data set is JSON");
        match default.get("Permission") {
            Some(Value::Object(table)) => table.clone(),
            _ => Map::new(),
        }
    }
}

/// What to capture and how: the library's side of `zammad-links-mock capture`'s options.
///
/// ```no_run
/// use zammad_links_mock::{capture, CaptureOptions, Credentials};
///
/// let mut options = CaptureOptions::new(
///     "https://zammad.example.com",
///     Credentials::Token(std::env::var("ZAMMAD_TOKEN").unwrap()),
///     "mine.json",
/// );
/// options.tickets = vec![147469];
/// let captured = capture(&options, &()).unwrap();
/// println!("{} tickets, token {}", captured.tickets, captured.token);
/// ```
#[derive(Debug, Clone)]
pub struct CaptureOptions {
    /// The Zammad's root URL, like `https://zammad.example.com`.
    pub url: String,
    /// Who captures (never written to the file or logged).
    pub credentials: Credentials,
    /// Ticket ids to start at (repeats are read once); unused with `all`.
    pub tickets: Vec<i64>,
    /// Every ticket the user can see, and their links, instead of `tickets` and `depth`.
    pub all: bool,
    /// How many links away from the start tickets to go (1: the tickets and their direct
    /// links).
    pub depth: u32,
    /// Whose defaults fill what the API does not show, unless the server reports its version.
    pub zammad_version: ZammadVersion,
    /// Requests in flight at most (0 counts as 1).
    pub concurrency: usize,
    /// A PEM file of CA certificates (one or more) to trust besides the built-in Mozilla
    /// roots, for a Zammad whose HTTPS certificate your own or a company CA signed.
    pub ca_cert: Option<PathBuf>,
    /// The longest one request may take.
    pub timeout: Duration,
    /// The fixture document to write.
    pub out: PathBuf,
}

impl CaptureOptions {
    /// Options with the command line's defaults: no start ticket yet (set `tickets`, or
    /// `all`), depth 1, Zammad 5.0, 4 requests in flight, 30 s per request, no extra CA.
    pub fn new(url: impl Into<String>, credentials: Credentials, out: impl Into<PathBuf>) -> Self {
        Self {
            url: url.into(),
            credentials,
            tickets: Vec::new(),
            all: false,
            depth: 1,
            zammad_version: ZammadVersion::default(),
            concurrency: 4,
            ca_cert: None,
            timeout: Patience::default().timeout,
            out: out.into(),
        }
    }
}

/// What a capture reports while it runs, from the threads that make its requests. Both
/// methods do nothing unless implemented; `()` is the capture that reports nothing.
pub trait CaptureProgress: Sync {
    /// `requests` more requests are about to be made (the total grows level by level).
    fn planned(&self, requests: u64) {
        let _ = requests;
    }

    /// One of the planned requests finished, answered or not.
    fn finished(&self) {}
}

impl CaptureProgress for () {}

/// Why a capture failed. Each reads as one line after `error_chain`.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// Neither a token nor login and password (the command line's options).
    #[error("give --token, or --user and --password")]
    NoCredentials,
    /// A request failed.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The `--ca-cert` file cannot be used.
    #[error(transparent)]
    CaCert(#[from] CaCertError),
    /// The server answered, but not as a Zammad does.
    #[error("{what}: {reason}; is this the URL of a Zammad?")]
    NotZammad {
        /// The request.
        what: String,
        /// What was wrong.
        reason: String,
    },
    /// A start ticket does not exist.
    #[error("ticket {0} does not exist")]
    NoSuchTicket(i64),
    /// A start ticket exists but the user may not see it.
    #[error("ticket {0} is not visible to the capturing user")]
    TicketNotVisible(i64),
    /// The user may not use the Links API (it needs `ticket.agent` or `admin`).
    #[error("the capturing user may not read links")]
    LinksRefused(#[source] Box<ClientError>),
    /// The thread pool could not start.
    #[error("cannot start the request threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
    /// No randomness for the new token.
    #[error("cannot make a random token")]
    Random(#[source] getrandom::Error),
    /// The document built is not one the mock takes (a bug of capture).
    #[error("the captured document is not a valid fixture document")]
    Invalid(#[source] crate::FixtureError),
    /// The document could not be encoded.
    #[error("cannot write {path}")]
    Encode {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// The file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// What a capture wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// The new API token of the capturing user, valid in the mock only.
    pub token: String,
    /// The capturing user's id and login.
    pub user: (i64, String),
    /// The version whose defaults were used, and whether the server said so.
    pub version: (ZammadVersion, bool),
    /// Tickets in the file.
    pub tickets: usize,
    /// Link rows in the file.
    pub links: usize,
    /// Users in the file.
    pub users: usize,
    /// How long it took.
    pub elapsed: Duration,
}

/// Captures as `options` say and writes the file; `progress` hears of each request.
///
/// # Errors
/// [`CaptureError`]; no file is left behind then.
pub fn capture(
    options: &CaptureOptions,
    progress: &dyn CaptureProgress,
) -> Result<Captured, CaptureError> {
    let started = Instant::now();
    // Read before anything else, so that a bad file fails without a request.
    let roots = match &options.ca_cert {
        Some(path) => load_ca_certs(path)?,
        None => Vec::new(),
    };
    // Created first so that a folder that cannot take the file fails before any request;
    // dropped (and removed) on every error, renamed into place only at the very end.
    let out_dir = match options.out.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temp = tempfile::NamedTempFile::new_in(&out_dir)
        .map_err(|source| write_error(&options.out, source))?;
    let patience = Patience {
        timeout: options.timeout,
        ..Patience::default()
    };
    let concurrency = options.concurrency.max(1);
    let client = ZammadClient::new(
        &options.url,
        &options.credentials,
        patience,
        concurrency,
        roots,
    )?;

    let (me, me_record) = who_am_i(&client)?;
    let version = server_version(&client).map_or((options.zammad_version, false), |v| (v, true));
    let permissions = match client.get_json("api/v1/permissions", &[]) {
        Ok(Value::Array(list)) => permission_table(&list),
        _ => version.0.default_permissions(),
    };

    let mut doc = DocumentBuilder::default();
    let walker = Walker::new(&client, concurrency, progress)?;
    if options.all {
        walker.all(&mut doc)?;
    } else {
        let mut start = Vec::new();
        for id in &options.tickets {
            if !start.contains(id) {
                start.push(*id);
            }
        }
        walker.tickets(&start, options.depth, &mut doc)?;
    }
    add_capturing_user(&client, &mut doc, me.0, me_record, &permissions);
    if !doc.skipped_sections.is_empty() {
        let mut names: Vec<_> = doc.skipped_sections.iter().cloned().collect();
        names.sort();
        log::info!(
            "left out asset sections a fixture document does not take: {}",
            names.join(", ")
        );
    }
    if doc.skipped_links > 0 {
        log::warn!(
            "left out {} link entries whose type the mock cannot store",
            doc.skipped_links
        );
    }

    let token = new_token()?;
    let (tickets, links, users) = (doc.count("Ticket"), doc.link_count(), doc.count("User"));
    let document = doc.finish(permissions, (&token, me.0));
    crate::FixtureDocument::from_value(document.clone()).map_err(CaptureError::Invalid)?;
    write_document(temp, &document, &options.out)?;
    Ok(Captured {
        token,
        user: me,
        version,
        tickets,
        links,
        users,
        elapsed: started.elapsed(),
    })
}

fn write_error(path: &Path, source: std::io::Error) -> CaptureError {
    CaptureError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// `GET /api/v1/users/me`: checks the URL and the credentials, and says who captures (id,
/// login, record).
fn who_am_i(client: &ZammadClient) -> Result<((i64, String), Value), CaptureError> {
    const WHAT: &str = "GET /api/v1/users/me";
    let me = client.get_json("api/v1/users/me", &[]).map_err(|error| {
        // A Zammad always routes users/me; a 404 there means another kind of server.
        match error.status().map(|s| s.as_u16()) {
            Some(404) => CaptureError::NotZammad {
                what: WHAT.into(),
                reason: "404".into(),
            },
            _ => error.into(),
        }
    })?;
    let id = me.get("id").and_then(Value::as_i64);
    let login = me.get("login").and_then(Value::as_str);
    match (id, login) {
        (Some(id), Some(login)) => Ok(((id, login.to_owned()), me)),
        _ => Err(CaptureError::NotZammad {
            what: WHAT.into(),
            reason: "the answer is not a user".into(),
        }),
    }
}

/// `GET /api/v1/version` (Zammad: `VersionController#index`, admin only); `None` when the
/// user may not ask, the server does not have it (the mock: 404), or it is no profile.
fn server_version(client: &ZammadClient) -> Option<ZammadVersion> {
    let answer = client.get_json("api/v1/version", &[]).ok()?;
    let reported = answer.get("version")?.as_str()?;
    let version = ZammadVersion::from_reported(reported);
    if version.is_none() {
        log::warn!(
            "the server reports Zammad {reported}, which is no profile; using --zammad-version"
        );
    }
    version
}

/// The table of `GET /api/v1/permissions` as the fixture's `Permission` section.
fn permission_table(list: &[Value]) -> Map<String, Value> {
    list.iter()
        .filter_map(|p| Some((p.get("id")?.as_i64()?.to_string(), p.clone())))
        .collect()
}

/// Makes sure the capturing user and its roles are in the document, so that the new token
/// works: the user's record from `users/me` when no answer showed it (an answer's assets
/// form wins), each role from `GET /api/v1/roles/:id` when no answer showed it, or a
/// stand-in when that is refused.
fn add_capturing_user(
    client: &ZammadClient,
    doc: &mut DocumentBuilder,
    me: i64,
    me_record: Value,
    permissions: &Map<String, Value>,
) {
    doc.add_record_if_absent("User", me, me_record);
    let role_ids: Vec<i64> = doc
        .records("User")
        .find(|u| u.get("id").and_then(Value::as_i64) == Some(me))
        .and_then(|u| u.get("role_ids"))
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let agent_permission = permissions
        .values()
        .find(|p| p.get("name").and_then(Value::as_str) == Some("ticket.agent"))
        .and_then(|p| p.get("id")?.as_i64());
    let mut groups: Vec<i64> = doc
        .records("Ticket")
        .filter_map(|t| t.get("group_id")?.as_i64())
        .collect();
    groups.sort_unstable();
    groups.dedup();
    for role_id in role_ids {
        if doc.has_record("Role", role_id) {
            continue;
        }
        match client.get_json(&format!("api/v1/roles/{role_id}"), &[]) {
            Ok(role) if role.get("id").and_then(Value::as_i64) == Some(role_id) => {
                doc.add_record_if_absent("Role", role_id, role);
            }
            _ => {
                log::warn!(
                    "role {role_id} of the capturing user is not readable; writing a stand-in"
                );
                doc.add_record_if_absent(
                    "Role",
                    role_id,
                    stand_in_role(role_id, agent_permission, &groups),
                );
            }
        }
    }
}

/// A new API token: 32 random bytes, URL-safe base64.
fn new_token() -> Result<String, CaptureError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(CaptureError::Random)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Writes `document` into `temp` and renames it to `out`.
fn write_document(
    temp: tempfile::NamedTempFile,
    document: &Value,
    out: &Path,
) -> Result<(), CaptureError> {
    let mut writer = std::io::BufWriter::new(temp);
    serde_json::to_writer_pretty(&mut writer, document).map_err(|source| CaptureError::Encode {
        path: out.to_path_buf(),
        source,
    })?;
    writer.write_all(b"\n").map_err(|e| write_error(out, e))?;
    let temp = writer
        .into_inner()
        .map_err(|e| write_error(out, e.into_error()))?;
    temp.as_file().sync_all().map_err(|e| write_error(out, e))?;
    temp.persist(out).map_err(|e| write_error(out, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reported_versions_map_to_profiles() {
        assert_eq!(
            ZammadVersion::from_reported("5.0.3-1639062353.77b0e84d.centos7"),
            Some(ZammadVersion::V5_0)
        );
        assert_eq!(
            ZammadVersion::from_reported("7.0.1"),
            Some(ZammadVersion::V7_0)
        );
        assert_eq!(
            ZammadVersion::from_reported("6.5"),
            Some(ZammadVersion::V6_5)
        );
        assert_eq!(ZammadVersion::from_reported("5.2.2"), None);
        assert_eq!(ZammadVersion::from_reported("garbage"), None);
    }

    #[test]
    fn new_tokens_differ_and_are_url_safe() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn the_default_permission_table_is_zammad_5s() {
        let table = ZammadVersion::V5_0.default_permissions();
        assert_eq!(table["1"]["name"], "admin");
        assert!(table.values().any(|p| p["name"] == "ticket.agent"));
    }
}
