//! Who is calling, and what they may do: Zammad's authentication (HTTP Basic and API tokens,
//! `app/controllers/application_controller/authenticates.rb`), impersonation with `From` /
//! `X-On-Behalf-Of`, permissions from roles, and the facts about a caller that the
//! releases' policies combine (holds `ticket.agent`, may read a group, is a ticket's customer).
//!
//! The result is a [`Caller`], an explicit input of every call. Which policy a release has is
//! `release`'s; turning failures into HTTP answers is left to `api::error`.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use dashmap::DashMap;
use rustc_hash::FxBuildHasher;

use crate::model::{ApiToken, ModelKind};
use crate::records::{Record, RecordStore, Stored};

/// Zammad's text for an inactive user (`raise_unified_login_error`).
pub const LOGIN_FAILED: &str =
    "Login failed. Have you double-checked your credentials and completed the email verification step?";

/// Why a request could not be authenticated or impersonate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No credentials at all: forbidden, not unauthorised (`authentication_check`).
    #[error("Authentication required")]
    Required,
    /// Wrong login or password.
    #[error("Invalid BasicAuth credentials")]
    InvalidBasic,
    /// An unknown `Token` token.
    #[error("Can't find User for Token")]
    UnknownToken,
    /// An unknown `Bearer` token: after the token check fails, the OAuth2 check answers
    /// with its own text, which the release words (`release::AuthRules::unknown_bearer`).
    #[error("unknown Bearer token")]
    InvalidBearer,
    /// The user is inactive.
    #[error("{LOGIN_FAILED}")]
    Inactive,
    /// `From` / `X-On-Behalf-Of` without `admin.user`.
    /// (The text names both headers whichever was sent:
    /// `application_controller/authenticates.rb#authentication_check_prerequesits`.)
    #[error("Current user has no permission to use 'From'/'X-On-Behalf-Of'!")]
    ImpersonationForbidden,
    /// `From` / `X-On-Behalf-Of` naming nobody.
    #[error("No such user '{0}'")]
    NoSuchUser(String),
}

impl AuthError {
    /// Whether Zammad raises this as `Exceptions::Forbidden` rather than
    /// `Exceptions::NotAuthorized`.
    pub fn is_forbidden(&self) -> bool {
        match self {
            AuthError::Required | AuthError::ImpersonationForbidden | AuthError::NoSuchUser(_) => {
                true
            }
            AuthError::InvalidBasic
            | AuthError::UnknownToken
            | AuthError::InvalidBearer
            | AuthError::Inactive => false,
        }
    }
}

/// How the caller authenticated; Zammad adds CORS headers after Basic and Token only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// HTTP Basic.
    Basic,
    /// `Token token=…`, `Token …` or `Bearer …`.
    Token,
}

/// How much of the assets a caller sees (`lib/user_info/assets.rb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AssetLevel {
    /// Only reduced attributes of other users, roles, groups and organizations.
    Customer,
    /// Everything.
    Agent,
    /// Everything.
    Admin,
}

/// What a user may do, derived from its roles: permission names and group access. Derived
/// once per user and record generation (see [`GrantCache`]), not per request.
#[derive(Debug, Default)]
pub struct Grants {
    permissions: Vec<String>,
    group_access: HashMap<i64, Vec<String>, FxBuildHasher>,
    /// The groups with `read` (or `full`) access, sorted: `TicketPolicy#show?` asks for
    /// them for every linked ticket of every list.
    readable: Vec<i64>,
}

impl Grants {
    /// The grants of `user` from its own `group_ids` and its active roles.
    fn of(records: &RecordStore, user: &Record) -> Self {
        let mut grants = Grants::default();
        let mut add_groups = |group_ids: &[(i64, Vec<String>)]| {
            for (group, access) in group_ids {
                grants
                    .group_access
                    .entry(*group)
                    .or_default()
                    .extend(access.iter().cloned());
            }
        };
        add_groups(&user.fields.group_ids);
        let mut permissions = Vec::new();
        for role_id in &user.fields.role_ids {
            let Some(role) = records.get(ModelKind::Role, *role_id) else {
                continue;
            };
            if !role.is_active() {
                continue;
            }
            for permission_id in &role.fields.permission_ids {
                if let Some(name) = records
                    .get(ModelKind::Permission, *permission_id)
                    .and_then(|p| p.fields.name.clone())
                {
                    permissions.push(name);
                }
            }
            add_groups(&role.fields.group_ids);
        }
        grants.permissions = permissions;
        grants.readable = grants
            .group_access
            .iter()
            .filter(|(_, names)| names.iter().any(|n| n == "full" || n == "read"))
            .map(|(group, _)| *group)
            .collect();
        grants.readable.sort_unstable();
        grants
    }
}

/// Each user's [`Grants`], kept until a user, role or permission changes (they are
/// records; the record store's generation says when). Zammad caches permissions per user
/// too; here it spares every request the role and permission lookups.
#[derive(Debug, Default)]
pub struct GrantCache {
    by_user: DashMap<i64, (u64, Arc<Grants>), FxBuildHasher>,
}

impl GrantCache {
    /// The grants of `user`, derived again when records changed since they were cached.
    pub fn grants(&self, records: &RecordStore, user: &Record) -> Arc<Grants> {
        // Read the generation before deriving: a change during the derivation leaves an
        // entry that is already stale, never one that looks fresh.
        let generation = records.generation();
        if let Some(entry) = self.by_user.get(&user.id) {
            if entry.0 == generation {
                return Arc::clone(&entry.1);
            }
        }
        // `user` may have been read before a change that the generation already counts:
        // derive from the record as it is now.
        let current = records.get(ModelKind::User, user.id);
        let grants = Arc::new(Grants::of(
            records,
            current.as_deref().map_or(user, Stored::record),
        ));
        self.by_user
            .insert(user.id, (generation, Arc::clone(&grants)));
        grants
    }
}

/// Callers already authenticated, by the exact `Authorization` header they sent, valid while
/// no user, role, permission, password or token changes (see [`RecordStore::generation`]). A request whose header matches byte for byte a header that
/// passed the full check under the same generation is the same caller; this spares the
/// base64 decoding, login lookup and password comparison on every request. Only successes
/// are kept, and at most [`VerifiedCallers::CAPACITY`] of them.
#[derive(Debug, Default)]
pub struct VerifiedCallers {
    /// Hashed with a per-process random seed (foldhash, not Fx): the header holds a secret,
    /// and a guess must not be able to aim at a stored header's hash bucket. (SipHash would do
    /// too, at twice the cost on the seed's GET.)
    by_header: DashMap<Box<str>, (u64, Caller), foldhash::fast::RandomState>,
}

impl VerifiedCallers {
    /// The most headers kept; when full, the cache starts again empty.
    pub const CAPACITY: usize = 4096;

    /// The caller for `header`, authenticated by `authenticate` unless a caller for the same
    /// header is cached for the records' current generation.
    ///
    /// # Errors
    /// Whatever `authenticate` refuses.
    pub fn get_or_authenticate(
        &self,
        records: &RecordStore,
        header: &str,
        authenticate: impl FnOnce() -> Result<Caller, AuthError>,
    ) -> Result<Caller, AuthError> {
        let generation = records.generation();
        if let Some(entry) = self.by_header.get(header) {
            if entry.0 == generation {
                return Ok(entry.1.clone());
            }
        }
        let caller = authenticate()?;
        if self.by_header.len() >= Self::CAPACITY {
            self.by_header.clear();
        }
        self.by_header
            .insert(header.into(), (generation, caller.clone()));
        Ok(caller)
    }
}

/// An authenticated caller with the permissions and group access Zammad would compute.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user the request acts as (after impersonation).
    pub user: Arc<Stored>,
    /// How the request authenticated.
    pub method: AuthMethod,
    grants: Arc<Grants>,
    /// A token's own permission list: it restricts, never extends, the user's permissions.
    token_permissions: Option<Arc<[String]>>,
    /// What every list asks, answered once per caller (the caller is cached with its
    /// `Authorization` header, see [`VerifiedCallers`]).
    asks: Asks,
}

/// The permission questions every links list asks, answered when the caller is built.
#[derive(Debug, Clone, Copy)]
struct Asks {
    ticket_agent: bool,
    ticket_customer: bool,
    admin: bool,
    level: AssetLevel,
}

impl Caller {
    /// The caller acting as `user`, with permissions from its active roles (restricted to
    /// `token_permissions` when the token carries its own list).
    pub fn for_user(
        records: &RecordStore,
        grants: &GrantCache,
        user: Arc<Stored>,
        method: AuthMethod,
        token_permissions: Option<Vec<String>>,
    ) -> Self {
        let mut caller = Self {
            grants: grants.grants(records, &user),
            user,
            method,
            token_permissions: token_permissions.map(Arc::from),
            asks: Asks {
                ticket_agent: false,
                ticket_customer: false,
                admin: false,
                level: AssetLevel::Customer,
            },
        };
        caller.asks = Asks {
            ticket_agent: caller.has_permission("ticket.agent"),
            ticket_customer: caller.has_permission("ticket.customer"),
            admin: caller.has_permission("admin"),
            level: caller.derive_asset_level(),
        };
        caller
    }

    /// Whether the caller holds `ticket.agent` (asked by every list, answered once).
    #[inline]
    pub fn is_ticket_agent(&self) -> bool {
        self.asks.ticket_agent
    }

    /// Whether the caller holds `admin` (answered once).
    #[inline]
    pub fn is_admin(&self) -> bool {
        self.asks.admin
    }

    /// The caller's user id.
    #[inline]
    pub fn user_id(&self) -> i64 {
        self.user.id
    }

    /// Whether the caller holds `wanted`; a parent permission implies its children
    /// (`admin` covers `admin.user`), never the other way round.
    #[inline]
    pub fn has_permission(&self, wanted: &str) -> bool {
        self.grants
            .permissions
            .iter()
            .any(|held| implies(held, wanted))
            && self.token_allows(wanted)
    }

    /// Whether the user holds `wanted` through its roles, whatever its token allows.
    pub fn user_has_permission(&self, wanted: &str) -> bool {
        self.grants
            .permissions
            .iter()
            .any(|held| implies(held, wanted))
    }

    fn token_allows(&self, wanted: &str) -> bool {
        self.token_permissions
            .as_ref()
            .is_none_or(|allowed| allowed.iter().any(|a| implies(a, wanted)))
    }

    /// How much of the assets the caller sees.
    #[inline]
    pub fn asset_level(&self) -> AssetLevel {
        self.asks.level
    }

    fn derive_asset_level(&self) -> AssetLevel {
        if self
            .grants
            .permissions
            .iter()
            .any(|p| (p == "admin" || p.starts_with("admin.")) && self.token_allows(p))
        {
            AssetLevel::Admin
        } else if self.has_permission("ticket.agent") {
            AssetLevel::Agent
        } else {
            AssetLevel::Customer
        }
    }

    /// Whether the caller has `access` (`read`, `change`, …) to group `group_id`; `full`
    /// grants every access.
    pub fn has_group_access(&self, group_id: i64, access: &str) -> bool {
        self.grants
            .group_access
            .get(&group_id)
            .is_some_and(|names| names.iter().any(|n| n == "full" || n == access))
    }

    /// Whether the caller holds `ticket.customer` (answered once).
    #[inline]
    pub fn is_ticket_customer(&self) -> bool {
        self.asks.ticket_customer
    }

    /// `has_group_access(group, "read")`, from the sorted list derived once (every linked
    /// ticket of every list asks it).
    #[inline]
    pub fn may_read_group(&self, group: i64) -> bool {
        self.grants.readable.binary_search(&group).is_ok()
    }

    /// `TicketPolicy#customer_access?`: the ticket's customer, or a member of its shared
    /// organization. (Whether this counts, and for whom, is the release's policy.)
    pub fn is_customer_of(&self, records: &RecordStore, ticket: &Record) -> bool {
        let fields = &ticket.fields;
        if fields.customer_id == Some(self.user.id) {
            return true;
        }
        match (fields.organization_id, self.user.fields.organization_id) {
            (Some(org), Some(own)) if org == own => records
                .get(ModelKind::Organization, org)
                .is_some_and(|o| o.fields.shared.unwrap_or(false)),
            _ => false,
        }
    }
}

/// Whether holding permission `held` grants `wanted`.
fn implies(held: &str, wanted: &str) -> bool {
    wanted == held
        || (wanted.len() > held.len()
            && wanted.starts_with(held)
            && wanted.as_bytes()[held.len()] == b'.')
}

/// The credentials a request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// None.
    None,
    /// HTTP Basic login and password.
    Basic {
        /// Login or email.
        login: String,
        /// Password.
        password: String,
    },
    /// An API token, with whether it came as `Bearer`.
    Token {
        /// The token.
        token: String,
        /// `Bearer …` rather than `Token …`.
        bearer: bool,
    },
}

impl Credentials {
    /// Reads an `Authorization` header value the way Rails does: `Basic <base64>`, or
    /// `Token token="…"`, `Token …` and `Bearer …` (`ActionController::HttpAuthentication`).
    /// Anything else counts as no credentials.
    pub fn parse(header: Option<&str>) -> Self {
        let Some(header) = header.map(str::trim) else {
            return Credentials::None;
        };
        let (scheme, rest) = header
            .split_once(char::is_whitespace)
            .unwrap_or((header, ""));
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(rest) else {
                return Credentials::None;
            };
            let text = String::from_utf8_lossy(&decoded);
            let (login, password) = text.split_once(':').unwrap_or((&text, ""));
            return Credentials::Basic {
                login: login.to_owned(),
                password: password.to_owned(),
            };
        }
        let bearer = scheme == "Bearer";
        if scheme != "Token" && !bearer {
            return Credentials::None;
        }
        // `token="abc", other="x"` or a bare `abc`.
        let first = rest.split([',', ';']).next().unwrap_or("").trim();
        let value = first
            .strip_prefix("token=")
            .unwrap_or(first)
            .trim_matches('"')
            .to_owned();
        if value.is_empty() {
            return Credentials::None;
        }
        Credentials::Token {
            token: value,
            bearer,
        }
    }
}

/// Authenticates `credentials`, then applies impersonation (`impersonate`, from the `From` or
/// `X-On-Behalf-Of` header, with the header's name).
///
/// # Errors
/// An [`AuthError`] with Zammad's text.
pub fn authenticate(
    records: &RecordStore,
    grants: &GrantCache,
    tokens: &dyn Fn(&str) -> Option<ApiToken>,
    credentials: &Credentials,
    impersonate: Option<&str>,
) -> Result<Caller, AuthError> {
    let caller = match credentials {
        Credentials::None => return Err(AuthError::Required),
        Credentials::Basic { login, password } => {
            // `Auth#valid!` asks `Auth::User#can_login?` (exists, active, not locked) before
            // the password, so an inactive user is refused as wrong credentials
            // (`lib/auth.rb`, `lib/auth/user.rb`); "Login failed…" is for tokens.
            let user = records
                .user_by_login(login)
                .filter(|user| user.is_active())
                .filter(|user| {
                    records.password_matches(user.id, |stored| {
                        secrets_match(stored.as_bytes(), password.as_bytes())
                    })
                })
                .ok_or(AuthError::InvalidBasic)?;
            Caller::for_user(records, grants, user, AuthMethod::Basic, None)
        }
        Credentials::Token { token, bearer } => {
            let found = tokens(token).and_then(|t| {
                let user = records.get(ModelKind::User, t.user_id)?;
                Some((t, user))
            });
            let Some((token, user)) = found else {
                return Err(if *bearer {
                    AuthError::InvalidBearer
                } else {
                    AuthError::UnknownToken
                });
            };
            if !user.is_active() {
                return Err(AuthError::Inactive);
            }
            Caller::for_user(records, grants, user, AuthMethod::Token, token.permissions)
        }
    };
    match impersonate {
        None => Ok(caller),
        Some(value) => impersonate_as(records, grants, caller, value),
    }
}

fn impersonate_as(
    records: &RecordStore,
    grants: &GrantCache,
    caller: Caller,
    value: &str,
) -> Result<Caller, AuthError> {
    if !caller.has_permission("admin.user") {
        return Err(AuthError::ImpersonationForbidden);
    }
    let value = value.trim();
    let user = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        value
            .parse()
            .ok()
            .and_then(|id| records.get(ModelKind::User, id))
    } else {
        records.user_by_login(value)
    }
    .ok_or_else(|| AuthError::NoSuchUser(value.to_owned()))?;
    Ok(Caller::for_user(records, grants, user, caller.method, None))
}

/// Compares two secrets in time that depends only on their lengths (`subtle`).
pub(crate) fn secrets_match(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests;
