//! A search's `condition` (spec §7.1, §11.6): Zammad's selector conditions as `selector2sql`
//! reads them (`app/models/ticket.rb` of the 5.0 era; the same rules in 6.5+'s
//! `Ticket::Selector::Sql` for these operators), for `ticket.<column>` with `is`, `is not`,
//! `contains` and `contains not`. Any other attribute (another table's, a ticket attribute
//! that is no column such as `ticket.tags`) makes the result empty; Zammad's other
//! operators are refused plainly; a condition Zammad cannot read gets its `RuntimeError`
//! text, as a 422 (spec §11.4).

use serde_json::Value;

use super::order::Columns;
use super::text::{Pattern, Scratch};
use crate::auth::Caller;
use crate::params::ruby_inspect;
use crate::refusal::TicketRefusal;
use crate::release::TextMatch;

/// What a condition asks of each ticket.
#[derive(Debug, Clone)]
pub(super) enum Condition {
    /// Nothing: no condition, or one `selector2sql` gives up on (a missing value).
    Everything,
    /// An attribute the mock keeps no column for: no ticket passes.
    Nothing,
    /// Every test must hold.
    All(Vec<Test>),
}

/// One column's test.
#[derive(Debug, Clone)]
pub(super) struct Test {
    /// The column of `tickets`.
    pub(super) column: String,
    check: Check,
}

#[derive(Debug, Clone)]
enum Check {
    /// `IN (values)`; a NULL column passes when `or_null` (`IS NULL` asked, or `''` listed).
    In {
        values: Vec<Option<String>>,
        or_null: bool,
    },
    /// `NOT IN (values)`; a NULL column passes when `or_null` (`IS NULL OR …`); a NULL in
    /// the list makes every other value fail, as SQL's `NOT IN` does.
    NotIn {
        values: Vec<Option<String>>,
        or_null: bool,
    },
    /// `IS NOT NULL`.
    NotNull,
    /// `ILIKE '%value%'`, or `NOT ILIKE` (a NULL column passes neither).
    Like {
        pattern: Box<Pattern>,
        negated: bool,
    },
}

/// The operators `selector2sql` knows that the mock does not evaluate.
const UNSUPPORTED: &[&str] = &[
    "contains all",
    "contains one",
    "contains all not",
    "contains one not",
    "before (absolute)",
    "after (absolute)",
    "within next (relative)",
    "within last (relative)",
    "before (relative)",
    "after (relative)",
    "till (relative)",
    "from (relative)",
    "is in working time",
    "is not in working time",
];

/// The attributes whose `not_set` means "NULL or the system user 1".
fn is_user_column(column: &str) -> bool {
    ["created_by", "updated_by", "owner", "customer", "user"]
        .iter()
        .any(|prefix| {
            column
                .strip_prefix(prefix)
                .is_some_and(|r| r.starts_with("_id"))
        })
}

impl Condition {
    /// The condition `value` holds (the body's `condition`), for `caller`, with `contains`
    /// compared as `ILIKE` under `text`'s wildcard rule.
    ///
    /// # Errors
    /// [`TicketRefusal::SelectorInvalid`] with `selector2sql`'s message, or
    /// [`TicketRefusal::SelectorUnsupported`].
    pub(super) fn parse(
        value: Option<&Value>,
        columns: &Columns,
        caller: &Caller,
        text: TextMatch,
        detailed: bool,
    ) -> Result<Self, TicketRefusal> {
        let invalid = |message: String| TicketRefusal::SelectorInvalid { message, detailed };
        let selectors = match value {
            None | Some(Value::Null) => return Ok(Self::Everything),
            Some(Value::Object(map)) => map,
            // `params[:condition].to_h` of a string or a list raises in Zammad.
            Some(other) => {
                return Err(invalid(format!("Invalid selector {}", ruby_inspect(other))));
            }
        };
        let like = TextMatch {
            case_sensitive: false,
            ..text
        };
        let mut tests = Vec::with_capacity(selectors.len());
        let mut nothing = false;
        for (attribute, selector) in selectors {
            let Value::Object(selector) = selector else {
                return Err(invalid(format!(
                    "Invalid selector {}",
                    ruby_inspect(selector)
                )));
            };
            let shown = || ruby_inspect(&Value::Object(selector.clone()));
            let operator = match selector.get("operator") {
                None | Some(Value::Null) => {
                    return Err(invalid(format!(
                        "Invalid selector, operator missing {}",
                        shown()
                    )))
                }
                Some(Value::String(op)) => op.as_str(),
                Some(other) => {
                    return Err(invalid(format!(
                        "Invalid selector, operator {} is invalid {}",
                        ruby_inspect(other),
                        shown()
                    )))
                }
            };
            let supported = matches!(operator, "is" | "is not" | "contains" | "contains not");
            if !supported {
                if UNSUPPORTED.contains(&operator) {
                    return Err(TicketRefusal::SelectorUnsupported {
                        operator: operator.to_owned(),
                    });
                }
                return Err(invalid(format!(
                    "Invalid selector, operator {operator} is invalid {}",
                    shown()
                )));
            }
            let pre_condition = selector.get("pre_condition").and_then(Value::as_str);
            let given = selector.get("value");
            // "validate value / allow blank but only if pre_condition exists and is not
            // specific": otherwise `selector2sql` returns nil and the search has no
            // condition at all.
            let blank = match given {
                None => true,
                Some(Value::Array(items)) => items.is_empty(),
                Some(Value::String(s)) => operator.starts_with("contains") && s.trim().is_empty(),
                Some(Value::Null) => operator.starts_with("contains"),
                Some(_) => false,
            };
            if blank && matches!(pre_condition, None | Some("") | Some("specific")) {
                return Ok(Self::Everything);
            }
            let pre_condition = pre_condition.filter(|p| !p.is_empty());
            if let Some(pre) = pre_condition {
                let known =
                    pre == "not_set" || pre == "specific" || pre.starts_with("current_user.");
                if !known {
                    return Ok(Self::Everything);
                }
            }
            let column = attribute
                .strip_prefix("ticket.")
                .filter(|c| !c.contains('.') && columns.has(c));
            let Some(column) = column else {
                // The mock has no other table to join (spec §11.6).
                nothing = true;
                continue;
            };
            let check = check(operator, pre_condition, given, column, caller, like);
            tests.push(Test {
                column: column.to_owned(),
                check,
            });
        }
        Ok(if nothing {
            Self::Nothing
        } else if tests.is_empty() {
            Self::Everything
        } else {
            Self::All(tests)
        })
    }

    /// The columns the tests read, in order.
    pub(super) fn columns(&self) -> impl Iterator<Item = &str> {
        let tests: &[Test] = match self {
            Self::All(tests) => tests,
            Self::Everything | Self::Nothing => &[],
        };
        tests.iter().map(|t| t.column.as_str())
    }
}

/// The check `selector2sql` writes for one supported operator.
fn check(
    operator: &str,
    pre_condition: Option<&str>,
    given: Option<&Value>,
    column: &str,
    caller: &Caller,
    like: TextMatch,
) -> Check {
    let negated = operator.ends_with("not");
    if operator.starts_with("contains") {
        let value = match given {
            Some(Value::String(s)) => s.clone(),
            Some(other) => ruby_inspect(other),
            None => String::new(),
        };
        return Check::Like {
            pattern: Box::new(Pattern::new(&value, like)),
            negated,
        };
    }
    let values: Option<Vec<Option<String>>> = match pre_condition {
        Some("not_set") => {
            let system = is_user_column(column).then(|| vec![Some("1".to_owned())]);
            return match (negated, system) {
                (false, Some(values)) => Check::In {
                    values,
                    or_null: true,
                },
                (false, None) => Check::In {
                    values: Vec::new(),
                    or_null: true,
                },
                (true, Some(values)) => Check::NotIn {
                    values,
                    or_null: false,
                },
                (true, None) => Check::NotNull,
            };
        }
        Some("current_user.id") => Some(vec![Some(caller.user_id().to_string())]),
        Some("current_user.organization_id") => Some(vec![caller
            .user
            .fields
            .organization_id
            .map(|id| id.to_string())]),
        _ => match given {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(items.iter().map(sql_text).collect()),
            Some(other) => Some(vec![sql_text(other)]),
        },
    };
    let Some(values) = values else {
        // `value: nil`: `IS NULL` for `is`, `IS NOT NULL` for `is not`.
        return if negated {
            Check::NotNull
        } else {
            Check::In {
                values: Vec::new(),
                or_null: true,
            }
        };
    };
    let lists_blank = values.iter().any(|v| v.as_deref() == Some(""));
    if negated {
        Check::NotIn {
            values,
            or_null: !lists_blank,
        }
    } else {
        Check::In {
            values,
            or_null: lists_blank,
        }
    }
}

/// A bound value as SQL compares it with a column's text.
fn sql_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

impl Test {
    /// Whether a column value (its text, `None` for NULL) passes.
    pub(super) fn holds(&self, value: Option<&str>, scratch: &mut Scratch) -> bool {
        match &self.check {
            Check::In { values, or_null } => match value {
                None => *or_null,
                Some(v) => values.iter().any(|x| x.as_deref() == Some(v)),
            },
            Check::NotIn { values, or_null } => match value {
                None => *or_null,
                Some(v) => values.iter().all(|x| x.as_deref().is_some_and(|x| x != v)),
            },
            Check::NotNull => value.is_some(),
            Check::Like { pattern, negated } => {
                value.is_some_and(|v| pattern.matches(v, scratch) != *negated)
            }
        }
    }
}
