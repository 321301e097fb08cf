//! Completing `{{variable}}` names as the user types, for the workbench's editors.
//!
//! [`complete`] looks at the text and the cursor: when the cursor is inside an open `{{` on
//! its line (not escaped as `\{{`), it returns the variables whose names match what has been
//! typed since the `{{`, and the byte range to replace with the chosen item's
//! [`Item::insert_text`]. Matching ignores case; names that *start* with the typed text come
//! first, then names that merely contain it. Dynamic variables are offered when the typed
//! text starts with `$`. Each name appears once, from the scope that would win
//! ([`crate::scope`]); previews show `****` for secrets.

use std::ops::Range;

use crate::dynamic;
use crate::scope::{Scope, Scopes};

/// How many characters of a value a preview shows before it is cut with `…`.
pub const PREVIEW_CHARS: usize = 100;

/// What to offer at a cursor position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The byte range of the text to replace by the chosen item's `insert_text`: the part of
    /// the name already typed, including any name characters after the cursor. Equal to
    /// `cursor..cursor` when the cursor is not inside `{{`.
    pub replace_range: Range<usize>,
    /// The matches, best first; empty when the cursor is not inside `{{` or nothing matches.
    pub items: Vec<Item>,
}

/// One completion candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The variable's name (with `$` for dynamic variables).
    pub name: String,
    /// Where it comes from.
    pub scope: Scope,
    /// The value (cut to [`PREVIEW_CHARS`]), `****` for a secret, or an example value for a
    /// dynamic variable.
    pub preview: String,
    /// What a dynamic variable produces; `None` for user variables.
    pub description: Option<&'static str>,
    /// The text to put in `replace_range`: the name, followed by `}}` when the reference was
    /// not closed yet.
    pub insert_text: String,
}

/// The completions at byte offset `cursor` of `text` (see the module docs). A cursor past the
/// end or inside a multi-byte character gives no items rather than a panic.
pub fn complete(text: &str, cursor: usize, scopes: &Scopes<'_>) -> Completion {
    let none = Completion {
        replace_range: cursor..cursor,
        items: Vec::new(),
    };
    let Some(context) = open_reference(text, cursor) else {
        return none;
    };
    let typed = &text[context.name_start..cursor];
    let query = typed.to_lowercase();
    let suffix = if context.closed { "" } else { "}}" };

    let mut prefix_matches = Vec::new();
    let mut substring_matches = Vec::new();
    for found in scopes.visible() {
        let name = &found.variable.name;
        let lower = name.to_lowercase();
        let bucket = if lower.starts_with(&query) {
            &mut prefix_matches
        } else if lower.contains(&query) {
            &mut substring_matches
        } else {
            continue;
        };
        bucket.push(Item {
            name: name.clone(),
            scope: found.scope,
            preview: preview(found.variable.display_value()),
            description: None,
            insert_text: format!("{name}{suffix}"),
        });
    }
    if let Some(bare) = query.strip_prefix('$') {
        for d in dynamic::catalog() {
            if scopes.lookup(d.name).is_some() {
                continue; // shadowed by a user variable, listed above
            }
            let lower = d.name.to_lowercase();
            let bucket = if lower.starts_with(&query) {
                &mut prefix_matches
            } else if lower.trim_start_matches('$').contains(bare) {
                &mut substring_matches
            } else {
                continue;
            };
            bucket.push(Item {
                name: d.name.to_owned(),
                scope: Scope::Dynamic,
                preview: d.example.to_owned(),
                description: Some(d.description),
                insert_text: format!("{}{suffix}", d.name),
            });
        }
    }
    prefix_matches.extend(substring_matches);
    Completion {
        replace_range: context.name_start..context.name_end,
        items: prefix_matches,
    }
}

fn preview(value: &str) -> String {
    let mut chars = value.char_indices();
    match chars.nth(PREVIEW_CHARS) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

struct OpenReference {
    name_start: usize,
    name_end: usize,
    closed: bool,
}

fn is_name_char(c: char) -> bool {
    c != '{' && c != '}' && (!c.is_control() || c == '\t')
}

/// Finds the unescaped `{{` that the cursor is inside of, on the cursor's line.
fn open_reference(text: &str, cursor: usize) -> Option<OpenReference> {
    if cursor > text.len() || !text.is_char_boundary(cursor) {
        return None;
    }
    let before = &text[..cursor];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = &before[line_start..];
    let open = line_start + line.rfind("{{")?;
    let body = open + 2;
    if !text[body..cursor].chars().all(is_name_char) {
        return None;
    }
    // The run of braces this `{{` ends, and the backslashes before it.
    let bytes = text.as_bytes();
    let run_start = bytes[line_start..open]
        .iter()
        .rev()
        .take_while(|&&b| b == b'{')
        .count();
    let run_start = open - run_start;
    let backslashes = bytes[line_start..run_start]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count();
    if backslashes % 2 == 1 {
        return None;
    }
    let typed = &text[body..cursor];
    let name_start = body + (typed.len() - typed.trim_start().len());

    // After the cursor: the rest of the name, then maybe `}}`.
    let after = &text[cursor..];
    let rest_len = after
        .char_indices()
        .find(|&(_, c)| !is_name_char(c))
        .map_or(after.len(), |(i, _)| i);
    let closed = after[rest_len..].starts_with("}}");
    let name_end = if closed {
        cursor + after[..rest_len].trim_end().len()
    } else {
        // Not closed yet: only a name being typed continues after the cursor. Quotes,
        // commas and the like are the text around the reference (`"{{|"` in a JSON string):
        // replacing them would eat them, and editors filter on the replaced text.
        cursor
            + after
                .char_indices()
                .find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '$')))
                .map_or(after.len(), |(i, _)| i)
    };
    Some(OpenReference {
        name_start: name_start.min(cursor),
        name_end: name_end.max(cursor),
        closed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::environment::{Environment, Variable};

    fn fixture() -> (Vec<Variable>, Environment, Environment) {
        let local = vec![Variable::new("hostname", "local.test")];
        let env = Environment::new("dev")
            .with(Variable::new("host", "dev.example.com"))
            .with(Variable::secret("token", "s3cr3t"))
            .with(Variable::new("ghost", "boo"))
            .with(Variable::new("hostname", "shadowed"));
        let globals = Environment::new("g").with(Variable::new("HOST_G", "global"));
        (local, env, globals)
    }

    fn names(c: &Completion) -> Vec<&str> {
        c.items.iter().map(|i| i.name.as_str()).collect()
    }

    #[test]
    fn prefix_then_substring_with_scopes() {
        let (local, env, globals) = fixture();
        let s = Scopes::new()
            .with_local(&local)
            .with_environment(&env)
            .with_globals(&globals);
        let text = "wss://{{ho";
        let c = complete(text, text.len(), &s);
        assert_eq!(names(&c), vec!["hostname", "host", "HOST_G", "ghost"]);
        assert_eq!(c.replace_range, 8..10);
        assert_eq!(c.items[0].scope, Scope::Local);
        assert_eq!(c.items[0].preview, "local.test");
        assert_eq!(c.items[0].insert_text, "hostname}}");
        assert_eq!(c.items[2].scope, Scope::Global);
        assert_eq!(c.items[3].scope, Scope::Environment);
    }

    #[test]
    fn secrets_preview_redacted() {
        let (local, env, globals) = fixture();
        let s = Scopes::new()
            .with_local(&local)
            .with_environment(&env)
            .with_globals(&globals);
        let c = complete("{{tok}}", 5, &s);
        assert_eq!(names(&c), vec!["token"]);
        assert_eq!(c.items[0].preview, "****");
        // Closed reference: replace the whole name, insert without `}}`.
        assert_eq!(c.replace_range, 2..5);
        assert_eq!(c.items[0].insert_text, "token");
    }

    #[test]
    fn cursor_in_the_middle_of_a_closed_name() {
        let (local, env, _) = fixture();
        let s = Scopes::new().with_local(&local).with_environment(&env);
        let text = "a {{ ho st }} b";
        let c = complete(text, 7, &s);
        assert_eq!(c.replace_range, 5..10);
        assert_eq!(&text[c.replace_range.clone()], "ho st");
        assert_eq!(names(&c), vec!["hostname", "host", "ghost"]);
    }

    #[test]
    fn inside_a_json_string_the_quote_after_the_cursor_stays() {
        let (local, env, _) = fixture();
        let s = Scopes::new().with_local(&local).with_environment(&env);
        // `{"a": "{{ho|"}`: the editor closed the quote; the reference is not closed yet.
        let text = r#"{"a": "{{ho"}"#;
        let c = complete(text, 11, &s);
        assert_eq!(&text[c.replace_range.clone()], "ho");
        assert_eq!(names(&c), vec!["hostname", "host", "ghost"]);
        assert_eq!(c.items[0].insert_text, "hostname}}");
        // Right after `{{`, before the closing quote: nothing to replace yet.
        let text = r#"{"a": "{{"}"#;
        let c = complete(text, 9, &s);
        assert_eq!(c.replace_range, 9..9);
        assert!(!c.items.is_empty());
    }

    #[test]
    fn empty_prefix_lists_user_variables_only() {
        let (local, env, globals) = fixture();
        let s = Scopes::new()
            .with_local(&local)
            .with_environment(&env)
            .with_globals(&globals);
        let c = complete("{{", 2, &s);
        assert_eq!(
            names(&c),
            vec!["hostname", "host", "token", "ghost", "HOST_G"]
        );
        assert!(c.items.iter().all(|i| i.scope != Scope::Dynamic));
    }

    #[test]
    fn dynamic_after_dollar() {
        let c = complete("{{$randomIP", 11, &Scopes::new());
        assert_eq!(names(&c), vec!["$randomIP", "$randomIPV6"]);
        assert_eq!(c.items[0].scope, Scope::Dynamic);
        assert_eq!(c.items[0].description, Some("An IPv4 address"));
        let c = complete("{{$uuid", 7, &Scopes::new());
        assert_eq!(names(&c), vec!["$randomUUID"]);
        let c = complete("{{$", 3, &Scopes::new());
        assert_eq!(c.items.len(), dynamic::catalog().len());
        assert_eq!(c.items[0].name, "$guid");
        // A user variable shadows the dynamic one.
        let pinned = vec![Variable::new("$timestamp", "42")];
        let c = complete("{{$times", 8, &Scopes::new().with_local(&pinned));
        assert_eq!(names(&c), vec!["$timestamp", "$isoTimestamp"]);
        assert_eq!(c.items[0].scope, Scope::Local);
    }

    #[test]
    fn not_inside_a_reference() {
        let (local, env, _) = fixture();
        let s = Scopes::new().with_local(&local).with_environment(&env);
        for (text, cursor) in [
            ("host", 4),
            ("{{host}} x", 10),
            ("{{host}}", 8),
            (r"\{{ho", 5),
            ("{{ho\nst", 7),
            ("{{a}b", 5),
            ("é{{", 1),
            ("{{", 3),
        ] {
            let c = complete(text, cursor, &s);
            assert!(c.items.is_empty(), "{text:?} at {cursor}: {c:?}");
            assert_eq!(c.replace_range, cursor..cursor);
        }
        // An escaped backslash does not escape the braces.
        assert!(!complete(r"\\{{ho", 6, &s).items.is_empty());
        // Extra braces: the last two open.
        assert_eq!(complete("{{{ho", 5, &s).replace_range, 3..5);
    }

    #[test]
    fn long_previews_are_cut() {
        let env = Environment::new("e").with(Variable::new("big", "é".repeat(300)));
        let c = complete("{{b", 3, &Scopes::new().with_environment(&env));
        assert_eq!(c.items[0].preview.chars().count(), PREVIEW_CHARS + 1);
        assert!(c.items[0].preview.ends_with('…'));
    }
}
