//! Zammad's routes by the names its router gives them (`controller#action`, from
//! `config/routes/link.rb`, `ticket.rb`, `ticket_article.rb`, `user.rb`, `version.rb`), so a
//! rule can say "the link add" rather than a method and a path. The table is the mock's own:
//! it names a route whether or not this build of the mock serves it yet.

/// One of Zammad's routes that link workflows call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZammadRoute {
    /// `GET /api/v1/links` (`links#index`).
    LinksIndex,
    /// `POST /api/v1/links/add` (`links#add`).
    LinksAdd,
    /// `DELETE /api/v1/links/remove` (`links#remove`).
    LinksRemove,
    /// `GET /api/v1/tickets` (`tickets#index`).
    TicketsIndex,
    /// `GET /api/v1/tickets/:id` (`tickets#show`).
    TicketsShow,
    /// `POST /api/v1/tickets` (`tickets#create`).
    TicketsCreate,
    /// `PUT /api/v1/tickets/:id` (`tickets#update`).
    TicketsUpdate,
    /// `DELETE /api/v1/tickets/:id` (`tickets#destroy`).
    TicketsDestroy,
    /// `GET` or `POST /api/v1/tickets/search` (`tickets#search`).
    TicketsSearch,
    /// `PUT /api/v1/ticket_merge/:source/:target_number` (`tickets#ticket_merge`).
    TicketsMerge,
    /// `GET /api/v1/ticket_split` (`tickets#ticket_split`).
    TicketsSplit,
    /// `GET /api/v1/ticket_articles/by_ticket/:id` (`ticket_articles#index_by_ticket`).
    TicketArticlesByTicket,
    /// `GET /api/v1/users/me` (`users#me`).
    UsersMe,
    /// `GET /api/v1/version` (`version#index`).
    VersionIndex,
}

impl ZammadRoute {
    /// Every route, in the table's order.
    pub const ALL: [ZammadRoute; 14] = [
        ZammadRoute::LinksIndex,
        ZammadRoute::LinksAdd,
        ZammadRoute::LinksRemove,
        ZammadRoute::TicketsIndex,
        ZammadRoute::TicketsShow,
        ZammadRoute::TicketsCreate,
        ZammadRoute::TicketsUpdate,
        ZammadRoute::TicketsDestroy,
        ZammadRoute::TicketsSearch,
        ZammadRoute::TicketsMerge,
        ZammadRoute::TicketsSplit,
        ZammadRoute::TicketArticlesByTicket,
        ZammadRoute::UsersMe,
        ZammadRoute::VersionIndex,
    ];

    /// Zammad's name of the route, `controller#action`.
    pub fn name(self) -> &'static str {
        match self {
            ZammadRoute::LinksIndex => "links#index",
            ZammadRoute::LinksAdd => "links#add",
            ZammadRoute::LinksRemove => "links#remove",
            ZammadRoute::TicketsIndex => "tickets#index",
            ZammadRoute::TicketsShow => "tickets#show",
            ZammadRoute::TicketsCreate => "tickets#create",
            ZammadRoute::TicketsUpdate => "tickets#update",
            ZammadRoute::TicketsDestroy => "tickets#destroy",
            ZammadRoute::TicketsSearch => "tickets#search",
            ZammadRoute::TicketsMerge => "tickets#ticket_merge",
            ZammadRoute::TicketsSplit => "tickets#ticket_split",
            ZammadRoute::TicketArticlesByTicket => "ticket_articles#index_by_ticket",
            ZammadRoute::UsersMe => "users#me",
            ZammadRoute::VersionIndex => "version#index",
        }
    }

    /// The route named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|route| route.name() == name)
    }

    /// Every name, for messages.
    pub(crate) fn names() -> String {
        Self::ALL.map(ZammadRoute::name).join(", ")
    }

    /// The route a call of `method` on `path` is, as Zammad's router would send it (the
    /// `.json` suffix Rails accepts included; fixed segments such as `search` before `:id`,
    /// as `ticket.rb` lists them).
    pub(crate) fn of(method: &str, path: &str) -> Option<Self> {
        let rest = path.strip_prefix("/api/v1/")?;
        let rest = rest.strip_suffix(".json").unwrap_or(rest);
        let segments: smallvec::SmallVec<[&str; 4]> = rest.split('/').collect();
        let route = match (method, segments.as_slice()) {
            ("GET", ["links"]) => ZammadRoute::LinksIndex,
            ("POST", ["links", "add"]) => ZammadRoute::LinksAdd,
            ("DELETE", ["links", "remove"]) => ZammadRoute::LinksRemove,
            ("GET", ["tickets"]) => ZammadRoute::TicketsIndex,
            ("POST", ["tickets"]) => ZammadRoute::TicketsCreate,
            ("GET" | "POST", ["tickets", "search"]) => ZammadRoute::TicketsSearch,
            ("GET", ["tickets", id]) if !id.is_empty() => ZammadRoute::TicketsShow,
            ("PUT", ["tickets", id]) if !id.is_empty() => ZammadRoute::TicketsUpdate,
            ("DELETE", ["tickets", id]) if !id.is_empty() => ZammadRoute::TicketsDestroy,
            ("PUT", ["ticket_merge", source, target])
                if !source.is_empty() && !target.is_empty() =>
            {
                ZammadRoute::TicketsMerge
            }
            ("GET", ["ticket_split"]) => ZammadRoute::TicketsSplit,
            ("GET", ["ticket_articles", "by_ticket", id]) if !id.is_empty() => {
                ZammadRoute::TicketArticlesByTicket
            }
            ("GET", ["users", "me"]) => ZammadRoute::UsersMe,
            ("GET", ["version"]) => ZammadRoute::VersionIndex,
            _ => return None,
        };
        Some(route)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_named_as_zammads_router_names_them() {
        let cases = [
            ("GET", "/api/v1/links", Some(ZammadRoute::LinksIndex)),
            ("GET", "/api/v1/links.json", Some(ZammadRoute::LinksIndex)),
            ("POST", "/api/v1/links/add", Some(ZammadRoute::LinksAdd)),
            ("GET", "/api/v1/links/add", None),
            (
                "DELETE",
                "/api/v1/links/remove",
                Some(ZammadRoute::LinksRemove),
            ),
            (
                "GET",
                "/api/v1/tickets/search",
                Some(ZammadRoute::TicketsSearch),
            ),
            (
                "GET",
                "/api/v1/tickets/147469",
                Some(ZammadRoute::TicketsShow),
            ),
            (
                "PUT",
                "/api/v1/tickets/147469",
                Some(ZammadRoute::TicketsUpdate),
            ),
            (
                "PUT",
                "/api/v1/ticket_merge/1/10002",
                Some(ZammadRoute::TicketsMerge),
            ),
            ("GET", "/api/v1/users/me", Some(ZammadRoute::UsersMe)),
            ("GET", "/api/v1/version", Some(ZammadRoute::VersionIndex)),
            ("GET", "/__mock/health", None),
        ];
        for (method, path, route) in cases {
            assert_eq!(ZammadRoute::of(method, path), route, "{method} {path}");
        }
        for route in ZammadRoute::ALL {
            assert_eq!(ZammadRoute::from_name(route.name()), Some(route));
        }
    }
}
