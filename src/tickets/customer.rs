//! The customer of a new ticket when the request names one the agent's way (spec §2.5):
//! `customer_id: "guess:EMAIL"` finds the user with that e-mail address or creates one, and a
//! `customer` object finds the user by id, e-mail or login or creates one from its
//! attributes (`TicketsController#create`). A new user has the data set's user shape
//! (`shape`), the roles marked `default_at_signup`, and no password.

use serde_json::{Map, Value};

use super::attributes::string_cast;
use super::shape;
use crate::auth::Caller;
use crate::model::{Millis, ModelKind};
use crate::records::Record;
use crate::refusal::{DomainError, TicketRefusal};
use crate::release::ZammadVersion;
use crate::state::{Sequence, WriteTx};

/// The address of `customer_id: "guess:ADDRESS"`, if it has that form.
pub(super) fn guessed(customer_id: &Value) -> Option<&str> {
    customer_id
        .as_str()?
        .strip_prefix("guess:")
        .filter(|address| !address.is_empty())
}

/// `customer_id: "guess:ADDRESS"`: the user whose e-mail address is `address` (lowercased),
/// or a new one (`User.create(email:, firstname: '', lastname: '', active: true, role_ids:
/// Role.signup_role_ids)`).
///
/// # Errors
/// [`TicketRefusal::InvalidCustomerEmail`] for an address `EmailAddressValidation` refuses.
pub(super) fn guess(
    tx: &mut WriteTx<'_>,
    release: ZammadVersion,
    caller: &Caller,
    address: &str,
    now: Millis,
) -> Result<i64, DomainError> {
    if !is_email_address(address) {
        return Err(TicketRefusal::InvalidCustomerEmail(address.to_owned()).into());
    }
    let email = address.to_lowercase();
    if let Some(id) = user_with_email(tx, &email) {
        return Ok(id);
    }
    let mut given = Map::new();
    given.insert("email".into(), Value::String(email));
    create(tx, release, caller, given, now)
}

/// A `customer` object: the user with its `id`, else its `email`, else its `login`, else a
/// new user from its attributes.
pub(super) fn from_object(
    tx: &mut WriteTx<'_>,
    release: ZammadVersion,
    caller: &Caller,
    customer: &Map<String, Value>,
    now: Millis,
) -> Result<i64, DomainError> {
    let text = |key: &str| {
        customer
            .get(key)
            .and_then(string_cast)
            .filter(|t| !t.trim().is_empty())
    };
    if let Some(id) = customer.get("id").and_then(super::attributes::integer_cast) {
        if tx.record(ModelKind::User, id).is_some() {
            return Ok(id);
        }
    }
    if let Some(found) = text("email").and_then(|e| user_with_email(tx, &e.to_lowercase())) {
        return Ok(found);
    }
    if let Some(login) = text("login") {
        let login = login.to_lowercase();
        if let Some(user) = tx.records().user_by_login(&login) {
            if user
                .fields
                .login
                .as_deref()
                .map(str::to_lowercase)
                .as_deref()
                == Some(&login)
            {
                return Ok(user.id);
            }
        }
    }
    create(tx, release, caller, customer.clone(), now)
}

/// The user whose e-mail address is `email` (already lowercased).
fn user_with_email(tx: &WriteTx<'_>, email: &str) -> Option<i64> {
    let user = tx.records().user_by_login(email)?;
    let same = user
        .fields
        .email
        .as_deref()
        .map(str::to_lowercase)
        .as_deref()
        == Some(email);
    same.then_some(user.id)
}

/// The attributes a request may give a new user (the rest are the user model's own).
const GIVEN: [&str; 16] = [
    "login",
    "firstname",
    "lastname",
    "email",
    "web",
    "phone",
    "fax",
    "mobile",
    "department",
    "street",
    "zip",
    "city",
    "country",
    "address",
    "note",
    "vip",
];

/// A new user from `given`, written in `tx`: the data set's user shape, the given
/// attributes it has, login and e-mail lowercased (the login is the e-mail when none is
/// given, with Zammad's suffix when taken), names guessed from the address when none are
/// given, active, the signup roles, created by the caller, no organization and no password.
fn create(
    tx: &mut WriteTx<'_>,
    release: ZammadVersion,
    caller: &Caller,
    given: Map<String, Value>,
    now: Millis,
) -> Result<i64, DomainError> {
    let shape = shape::user(tx, release);
    let mut attrs = shape.attributes();
    let id = tx.next_id(Sequence::User);
    for key in GIVEN {
        if let Some(value) = given.get(key).filter(|_| shape.has(key)) {
            attrs.insert(key.into(), value.clone());
        }
    }
    let text = |attrs: &Map<String, Value>, key: &str| {
        attrs.get(key).and_then(string_cast).unwrap_or_default()
    };
    // `User#check_email`, `#check_login`, `#check_name`.
    let email = text(&attrs, "email").trim().to_lowercase();
    let mut login = text(&attrs, "login").trim().to_lowercase();
    if login.is_empty() {
        login = if email.is_empty() {
            format!("auto-{id}")
        } else {
            email.clone()
        };
    }
    let login = free_login(tx, &login);
    let (mut first, mut last) = (text(&attrs, "firstname"), text(&attrs, "lastname"));
    if first.trim().is_empty() && last.trim().is_empty() {
        (first, last) = name_guess(&email);
    }
    let roles: Vec<Value> = tx
        .records()
        .all_of(ModelKind::Role)
        .iter()
        .filter(|role| role.is_active() && is_signup_role(role))
        .map(|role| Value::from(role.id))
        .collect();
    let stamp = Value::String(now.to_string());
    for (key, value) in [
        ("id", Value::from(id)),
        ("login", Value::String(login)),
        ("email", Value::String(email)),
        ("firstname", Value::String(first)),
        ("lastname", Value::String(last)),
        ("active", Value::Bool(true)),
        ("organization_id", Value::Null),
        ("role_ids", Value::Array(roles)),
        ("group_ids", Value::Object(Map::new())),
        ("created_by_id", Value::from(caller.user_id())),
        ("updated_by_id", Value::from(caller.user_id())),
        ("created_at", stamp.clone()),
        ("updated_at", stamp),
    ] {
        if shape.has(key) {
            attrs.insert(key.into(), value);
        }
    }
    // Only a data set whose users hold a read field in another type gets here.
    let (record, _) = Record::from_attributes(ModelKind::User, id, attrs).map_err(|e| {
        TicketRefusal::InvalidParamValue {
            attribute: e.field,
            value: e.reason,
        }
    })?;
    tx.put_created(record);
    Ok(id)
}

/// `login`, or with the first of Zammad's suffixes `1` … `20` that no user has.
fn free_login(tx: &WriteTx<'_>, login: &str) -> String {
    let taken = |candidate: &str| {
        tx.records().user_by_login(candidate).is_some_and(|u| {
            u.fields.login.as_deref().map(str::to_lowercase).as_deref() == Some(candidate)
        })
    };
    if !taken(login) {
        return login.to_owned();
    }
    (1..=20)
        .map(|n| format!("{login}{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| format!("{login}-{}", Millis::now().0))
}

/// Whether a role is given to new users (`default_at_signup`).
fn is_signup_role(role: &Record) -> bool {
    #[derive(serde::Deserialize)]
    struct Signup {
        default_at_signup: Option<bool>,
    }
    serde_json::from_str::<Signup>(role.json())
        .ok()
        .and_then(|s| s.default_at_signup)
        .unwrap_or(false)
}

/// `User.name_guess('', email)`: `first.last@domain` gives `First` / `Last` (capitalised when
/// all lower- or all upper-case), anything else no names.
fn name_guess(email: &str) -> (String, String) {
    let Some((local, _)) = email.split_once('@') else {
        return (String::new(), String::new());
    };
    let Some((first, last)) = local.split_once('.') else {
        return (String::new(), String::new());
    };
    if first.is_empty() || last.is_empty() {
        return (String::new(), String::new());
    }
    (capitalised(first.trim()), capitalised(last.trim()))
}

/// `String#capitalize!` when the name is all upper- or all lower-case letters.
fn capitalised(name: &str) -> String {
    let letters = !name.is_empty() && name.chars().all(char::is_alphabetic);
    let one_case = name.chars().all(char::is_lowercase) || name.chars().all(char::is_uppercase);
    if !(letters && one_case) {
        return name.to_owned();
    }
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

/// Whether `address` is an e-mail address as `EmailAddressValidation#valid?` checks its
/// syntax (no MX look-up): one `@`, a local part of atoms joined by single dots, a domain of
/// letter, digit and hyphen labels (a domain without a dot, `zammad@localhost`, counts).
pub(super) fn is_email_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let atom = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c))
    };
    let label = |part: &str| {
        !part.is_empty()
            && part.len() <= 63
            && !part.starts_with('-')
            && !part.ends_with('-')
            && part.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    !local.is_empty()
        && local.len() <= 64
        && local.split('.').all(atom)
        && !domain.is_empty()
        && domain.split('.').all(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_guessed_from_first_dot_last_addresses() {
        assert_eq!(
            name_guess("some.customer@example.com"),
            ("Some".into(), "Customer".into())
        );
        assert_eq!(name_guess("JOHN.DOE@x.org"), ("John".into(), "Doe".into()));
        assert_eq!(name_guess("McKay.x@x.org"), ("McKay".into(), "X".into()));
        assert_eq!(
            name_guess("some_new_customer@example.com"),
            (String::new(), String::new())
        );
    }

    #[test]
    fn addresses_are_checked_for_their_syntax() {
        for good in [
            "a@b.c",
            "some_new_customer@example.com",
            "zammad@localhost",
            "a.b+c@x-y.org",
        ] {
            assert!(is_email_address(good), "{good}");
        }
        for bad in [
            "",
            "x",
            "@x.org",
            "a@",
            "a b@x.org",
            "a..b@x.org",
            "a@x..org",
            "a@-x.org",
        ] {
            assert!(!is_email_address(bad), "{bad}");
        }
    }

    #[test]
    fn a_guess_address_is_found_after_the_prefix() {
        assert_eq!(guessed(&Value::from("guess:a@b.c")), Some("a@b.c"));
        assert_eq!(guessed(&Value::from(3)), None);
    }
}
