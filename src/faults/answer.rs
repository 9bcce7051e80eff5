//! The answers of Zammad's own failures, each as Zammad — or the web server in front of it in
//! the official images — sends it, with where it comes from. An [`Answer`] is plain data
//! (status, headers, body); `api::faults` sends it. The 401 of a revoked token is not here: it
//! is one of the refusals `api::error` already maps (`AuthError`), in the running release's
//! words.

use base64::Engine as _;

/// A status, headers and body to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    /// The status.
    pub(crate) status: u16,
    /// The headers, in order (`Content-Type` among them).
    pub(crate) headers: Vec<(&'static str, String)>,
    /// The body.
    pub(crate) body: String,
}

/// Zammad's JSON content type (`render json:`).
const JSON_UTF8: &str = "application/json; charset=utf-8";

/// The pages of the proxy in front of Zammad that a rule can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProxyPage {
    /// 502: the Rails server refused the connection or broke it (down, restarting).
    BadGateway,
    /// 504: the Rails server did not answer within `proxy_read_timeout` (300 s).
    GatewayTimeout,
}

/// The 502 or 504 page of the nginx in front of Zammad. The official images run nginx from
/// Debian with `contrib/nginx/zammad.conf` (via `contrib/docker/docker-entrypoint.sh`,
/// `zammad-nginx`), which sets `server_tokens off` and no `error_page`, so nginx answers with
/// its built-in page (`src/http/ngx_http_special_response.c`, `ngx_http_error_502_page` /
/// `ngx_http_error_504_page`, then `ngx_http_error_tail`), `Content-Type: text/html` and
/// `Server: nginx`. Chrome and MSIE get the padding comments that
/// `ngx_http_send_special_response` appends for them (`msie_padding`, on by default).
pub(crate) fn nginx_page(page: ProxyPage, user_agent: Option<&str>) -> Answer {
    let (status, title) = match page {
        ProxyPage::BadGateway => (502, "502 Bad Gateway"),
        ProxyPage::GatewayTimeout => (504, "504 Gateway Time-out"),
    };
    let mut body = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n\
         <center><h1>{title}</h1></center>\r\n\
         <hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    // `ngx_http_process_user_agent`: "MSIE " (not Opera) or "Chrome/" in the User-Agent.
    let padded = user_agent.is_some_and(|agent| {
        (agent.contains("MSIE ") && !agent.contains("Opera")) || agent.contains("Chrome/")
    });
    if padded {
        for _ in 0..6 {
            body.push_str("<!-- a padding to disable MSIE and Chrome friendly error page -->\r\n");
        }
    }
    Answer {
        status,
        headers: vec![
            ("content-type", "text/html".into()),
            ("server", "nginx".into()),
        ],
        body,
    }
}

/// A throttled call: Rack::Attack's own answer (`lib/rack/attack/configuration.rb`,
/// `DEFAULT_THROTTLED_RESPONSE`): 429, `text/plain`, `Retry later\n`, with `Retry-After` in
/// seconds when `throttled_response_retry_after_header` is on. Zammad throttles through
/// Rack::Attack (`config/initializers/rack_attack.rb`) and leaves that setting off, so its own
/// 429s carry no `Retry-After`: `retry_after: None` gives exactly that.
pub(crate) fn throttled(retry_after: Option<u64>) -> Answer {
    let mut headers = vec![("content-type", "text/plain".to_owned())];
    if let Some(seconds) = retry_after {
        headers.push(("retry-after", seconds.to_string()));
    }
    Answer {
        status: 429,
        headers,
        body: "Retry later\n".into(),
    }
}

/// Maintenance mode as a logged-in API user without `admin.maintenance` meets it:
/// `authentication_check_prerequesits` raises `Exceptions::Forbidden, 'Maintenance mode
/// enabled!'` (`app/controllers/application_controller/authenticates.rb`), which
/// `handles_errors.rb#forbidden` renders as 403 with both keys and `X-Failure`; raised in a
/// callback, the answer has none of the success headers.
pub(crate) fn maintenance() -> Answer {
    const TEXT: &str = "Maintenance mode enabled!";
    Answer {
        status: 403,
        headers: vec![
            ("content-type", JSON_UTF8.into()),
            ("x-failure", TEXT.into()),
        ],
        body: serde_json::json!({ "error": TEXT, "error_human": TEXT }).to_string(),
    }
}

/// The masked 500 of `handles_errors.rb#humanize_error` (spec §3.3): a caller without `admin`
/// gets `Error ID <SecureRandom.urlsafe_base64(6)>: Please contact your administrator.`, a
/// caller with it the exception's own `message`; `error` only, no `error_human`. The id, as
/// Zammad logs it with the message, comes back for the log line.
pub(crate) fn internal_error(message: &str, sees_details: bool) -> (Answer, Option<String>) {
    let (text, id) = if sees_details {
        (message.to_owned(), None)
    } else {
        let id = error_id();
        (
            format!("Error ID {id}: Please contact your administrator."),
            Some(id),
        )
    };
    let answer = Answer {
        status: 500,
        headers: vec![("content-type", JSON_UTF8.into())],
        body: serde_json::json!({ "error": text }).to_string(),
    };
    (answer, id)
}

/// Eight characters as `SecureRandom.urlsafe_base64(6)` makes them: six random bytes in the
/// URL-safe alphabet without padding.
fn error_id() -> String {
    let mut bytes = [0u8; 6];
    if getrandom::fill(&mut bytes).is_err() {
        // Not a secret, only distinct: the clock will do if the system has no randomness.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        bytes.copy_from_slice(&nanos.to_le_bytes()[..6]);
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_pages_are_its_built_in_pages_without_the_version() {
        let page = nginx_page(ProxyPage::BadGateway, Some("python-requests/2.32"));
        assert_eq!(
            page.body,
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
             <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n\
             </body>\r\n</html>\r\n"
        );
        assert!(nginx_page(ProxyPage::GatewayTimeout, None)
            .body
            .contains("<h1>504 Gateway Time-out</h1>"));
        let chrome = nginx_page(
            ProxyPage::GatewayTimeout,
            Some("Mozilla/5.0 … Chrome/126.0 Safari/537.36"),
        );
        assert_eq!(chrome.body.matches("a padding").count(), 6);
    }

    #[test]
    fn a_masked_error_has_an_eight_character_id_and_no_error_human() {
        let (answer, id) = internal_error("boom", false);
        let id = id.unwrap();
        assert_eq!(id.len(), 8);
        assert_eq!(
            answer.body,
            format!(r#"{{"error":"Error ID {id}: Please contact your administrator."}}"#)
        );
        let (answer, id) = internal_error("boom", true);
        assert_eq!((answer.body.as_str(), id), (r#"{"error":"boom"}"#, None));
    }
}
