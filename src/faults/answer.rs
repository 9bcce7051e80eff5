//! The answers of the web server and the rate limiter in front of Zammad that a rule can
//! send, each as the official images send it, with where it comes from. An [`Answer`] is
//! plain data (status, headers, body); `api::faults` sends it. Zammad's own failures (the
//! masked 500, maintenance mode, a revoked token's 401) are not here: they are reasons
//! (`refusal::Refusal`) that `api::error` answers in the running release's words.

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
}
