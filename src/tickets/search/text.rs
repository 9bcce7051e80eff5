//! How the SQL fallback compares text: `column LIKE '%<query>%'` (5.0, case-sensitive, the
//! query put into the pattern as it is, so `%`, `_` and `\` keep their meaning) or `ILIKE`
//! over the quoted query (6.5+, `where_or_cis` with `SqlHelper.quote_like`: a plain
//! case-insensitive substring). A [`Pattern`] is built once per search; matching allocates
//! nothing once its [`Scratch`] has grown.

use memchr::memmem::Finder;

use crate::release::TextMatch;

/// One `LIKE` pattern, `%<text>%`.
#[derive(Debug, Clone)]
pub(super) struct Pattern {
    kind: Kind,
    /// Whether both sides are lowercased first (`ILIKE`).
    fold: bool,
    /// Whether a record's raw JSON text without escapes holds every match of the pattern
    /// as it is: a substring without characters JSON escapes, that folding cannot change.
    raw_safe: bool,
}

#[derive(Debug, Clone)]
enum Kind {
    /// No wildcard but the two around the text: a substring (empty: everything), with its
    /// SIMD finder (`memchr::memmem`), built once.
    Contains(String, Box<Finder<'static>>),
    /// The pattern's pieces.
    Like(Vec<Token>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Char(char),
    /// `_`: exactly one character.
    One,
    /// `%`: any run of characters.
    Any,
}

/// What matching reuses between records.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    folded: String,
    chars: Vec<char>,
}

impl Pattern {
    /// The pattern `%text%` compared as `rules` say, lowercased on both sides when
    /// `rules.case_sensitive` is false.
    pub(super) fn new(text: &str, rules: TextMatch) -> Self {
        let fold = !rules.case_sensitive;
        let text = if fold {
            text.to_lowercase()
        } else {
            text.to_owned()
        };
        if !rules.wildcards {
            return Self::with(Kind::contains(text), fold);
        }
        // PostgreSQL's `LIKE` with its default escape character, the backslash: a query
        // that ends in one escapes the closing `%`.
        let mut tokens = vec![Token::Any];
        let mut chars = format!("{text}%").chars().collect::<Vec<_>>().into_iter();
        while let Some(c) = chars.next() {
            let token = match c {
                '\\' => chars.next().map_or(Token::Char('\\'), Token::Char),
                '%' => Token::Any,
                '_' => Token::One,
                other => Token::Char(other),
            };
            if !(token == Token::Any && tokens.last() == Some(&Token::Any)) {
                tokens.push(token);
            }
        }
        let inner = &tokens[1..tokens.len().saturating_sub(1).max(1)];
        let plain = tokens.len() >= 2
            && tokens.last() == Some(&Token::Any)
            && inner.iter().all(|t| matches!(t, Token::Char(_)));
        let kind = if plain || tokens == [Token::Any] {
            Kind::contains(
                inner
                    .iter()
                    .filter_map(|t| match t {
                        Token::Char(c) => Some(*c),
                        _ => None,
                    })
                    .collect(),
            )
        } else {
            Kind::Like(tokens)
        };
        Self::with(kind, fold)
    }

    fn with(kind: Kind, fold: bool) -> Self {
        let raw_safe = match &kind {
            Kind::Contains(needle, _) => {
                !needle.is_empty()
                    && !needle
                        .chars()
                        .any(|c| c == '"' || c == '\\' || c.is_control())
                    && (!fold
                        || needle
                            .bytes()
                            .all(|b| b.is_ascii() && !b.is_ascii_alphabetic()))
            }
            Kind::Like(_) => false,
        };
        Self {
            kind,
            fold,
            raw_safe,
        }
    }

    /// Whether no value in a record's raw JSON text `raw` can match, without reading its
    /// fields: the needle occurs nowhere in the text, which has no escape (so every value's
    /// text is a piece of it). False when that cannot be told this way.
    pub(super) fn absent_from(&self, raw: &str) -> bool {
        let Kind::Contains(_, finder) = &self.kind else {
            return false;
        };
        self.raw_safe
            && finder.find(raw.as_bytes()).is_none()
            && memchr::memchr(b'\\', raw.as_bytes()).is_none()
    }

    /// Whether `text` matches (a NULL never does: the caller gives none).
    pub(super) fn matches(&self, text: &str, scratch: &mut Scratch) -> bool {
        let text = if self.fold && self.needs_folding(text) {
            scratch.folded.clear();
            scratch
                .folded
                .extend(text.chars().flat_map(char::to_lowercase));
            scratch.folded.as_str()
        } else {
            text
        };
        match &self.kind {
            Kind::Contains(_, finder) => finder.find(text.as_bytes()).is_some(),
            Kind::Like(tokens) => {
                scratch.chars.clear();
                scratch.chars.extend(text.chars());
                like(tokens, &scratch.chars)
            }
        }
    }

    /// Whether lowercasing `text` could change whether it matches: not when `text` has
    /// nothing to lowercase, nor when the pattern is ASCII without letters (a ticket
    /// number): lowercasing maps letters and non-ASCII characters only, and those can
    /// never be part of such a match.
    fn needs_folding(&self, text: &str) -> bool {
        let foldless = match &self.kind {
            Kind::Contains(needle, _) => needle
                .bytes()
                .all(|b| b.is_ascii() && !b.is_ascii_alphabetic()),
            Kind::Like(_) => false,
        };
        !foldless && (!text.is_ascii() || text.bytes().any(|b| b.is_ascii_uppercase()))
    }
}

impl Kind {
    fn contains(needle: String) -> Self {
        let finder = Box::new(Finder::new(needle.as_bytes()).into_owned());
        Kind::Contains(needle, finder)
    }
}

/// `LIKE` over characters: `_` takes one, `%` any run, with one backtracking point (the
/// last `%`), which is enough for a pattern of single-character tokens.
fn like(pattern: &[Token], text: &[char]) -> bool {
    let (mut p, mut s) = (0, 0);
    let mut retry: Option<(usize, usize)> = None;
    while s < text.len() {
        match pattern.get(p) {
            Some(Token::One) => {
                p += 1;
                s += 1;
            }
            Some(Token::Char(c)) if *c == text[s] => {
                p += 1;
                s += 1;
            }
            Some(Token::Any) => {
                retry = Some((p, s));
                p += 1;
            }
            _ => match retry {
                Some((at, from)) => {
                    p = at + 1;
                    s = from + 1;
                    retry = Some((at, from + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|t| *t == Token::Any)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIKE: TextMatch = TextMatch {
        case_sensitive: true,
        wildcards: true,
    };
    const ILIKE_QUOTED: TextMatch = TextMatch {
        case_sensitive: false,
        wildcards: false,
    };

    fn hit(query: &str, rules: TextMatch, text: &str) -> bool {
        Pattern::new(query, rules).matches(text, &mut Scratch::default())
    }

    #[test]
    fn like_is_a_case_sensitive_substring() {
        assert!(hit("Ticket", LIKE, "Test Ticket #1"));
        assert!(!hit("ticket", LIKE, "Test Ticket #1"));
        assert!(hit("", LIKE, "anything"));
        assert!(hit("", LIKE, ""));
    }

    #[test]
    fn like_keeps_the_meaning_of_its_wildcards_and_escape() {
        assert!(hit("T_st", LIKE, "Test"));
        assert!(hit("Te%1", LIKE, "Test Ticket #1"));
        assert!(!hit("T_st", LIKE, "Tst"));
        assert!(hit("50\\%", LIKE, "up 50% off"));
        assert!(!hit("50\\%", LIKE, "up 500 off"));
        // A trailing backslash escapes the closing `%`: the text must end with the query.
        assert!(hit("off\\", LIKE, "50% off%"));
        assert!(!hit("off\\", LIKE, "50% off% now"));
    }

    #[test]
    fn ilike_over_a_quoted_query_is_a_case_insensitive_plain_substring() {
        assert!(hit("ticket", ILIKE_QUOTED, "Test TICKET #1"));
        assert!(hit("ÄRGER", ILIKE_QUOTED, "großer ärger"));
        assert!(!hit("T_st", ILIKE_QUOTED, "Test"));
        assert!(hit("50%", ILIKE_QUOTED, "up 50% off"));
        assert!(hit("34147470", ILIKE_QUOTED, "Ticket#34147470 É"));
    }

    #[test]
    fn a_record_text_without_the_needle_or_an_escape_holds_no_match() {
        let number = Pattern::new("34147470", ILIKE_QUOTED);
        assert!(number.absent_from(r#"{"title":"x","body":"34147471"}"#));
        assert!(!number.absent_from(r#"{"title":"x","body":"34147470"}"#));
        assert!(!number.absent_from(r#"{"title":"x\u0033"}"#), "an escape");
        // A needle with letters under ILIKE, or with wildcards, is read field by field.
        assert!(!Pattern::new("printer", ILIKE_QUOTED).absent_from(r#"{"t":"x"}"#));
        assert!(!Pattern::new("a_c", LIKE).absent_from(r#"{"t":"x"}"#));
        assert!(Pattern::new("Printer", LIKE).absent_from(r#"{"t":"printer"}"#));
        assert!(!Pattern::new("", LIKE).absent_from(r#"{"t":"x"}"#));
    }

    #[test]
    fn field_syntax_is_matched_literally() {
        assert!(!hit("number:34147470", ILIKE_QUOTED, "34147470"));
        assert!(hit("number:34147470", ILIKE_QUOTED, "see number:34147470"));
        assert!(!hit("number:34147470", LIKE, "34147470"));
    }
}
