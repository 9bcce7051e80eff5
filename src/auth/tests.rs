//! Permission names, `Authorization` headers as Rails parses them, and exact secret comparison.

use super::*;

#[test]
fn parent_permissions_imply_children_only() {
    assert!(implies("admin", "admin.user"));
    assert!(implies("ticket", "ticket.agent"));
    assert!(!implies("admin.user", "admin"));
    assert!(!implies("admin", "administrator"));
}

#[test]
fn authorization_headers_parse_like_rails() {
    assert_eq!(
        Credentials::parse(Some("Basic dGVzdEB0ZXN0LmRlOnRlc3Q=")),
        Credentials::Basic {
            login: "test@test.de".into(),
            password: "test".into()
        }
    );
    let token = |t: &str, bearer| Credentials::Token {
        token: t.into(),
        bearer,
    };
    assert_eq!(
        Credentials::parse(Some("Token token=abc")),
        token("abc", false)
    );
    assert_eq!(
        Credentials::parse(Some("Token token=\"abc\"")),
        token("abc", false)
    );
    assert_eq!(Credentials::parse(Some("Token abc")), token("abc", false));
    assert_eq!(Credentials::parse(Some("Bearer abc")), token("abc", true));
    assert_eq!(Credentials::parse(Some("Digest abc")), Credentials::None);
    assert_eq!(Credentials::parse(Some("Basic !!!")), Credentials::None);
    assert_eq!(Credentials::parse(None), Credentials::None);
}

#[test]
fn secrets_compare_exactly() {
    assert!(secrets_match(b"test", b"test"));
    assert!(!secrets_match(b"test", b"tesT"));
    assert!(!secrets_match(b"test", b"test1"));
}
