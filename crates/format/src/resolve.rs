//! Substituting `{{variables}}`: templates in, text to send plus text to show out.
//!
//! A [`Resolver`] holds the [`Scopes`] (precedence: request-local, then the active
//! environment, then the globals, then dynamic variables — see [`crate::scope`]) and a
//! dynamic-value [`Source`]. Each field of a request (URL, a parameter, a header, a
//! subprotocol, a message) is resolved under a label the caller chooses (`"url"`,
//! `"header Authorization"`, `"message"`), so errors say where a problem is.
//!
//! - **Nothing is silently empty.** A name that no scope defines is an error (Postman would
//!   send `{{name}}` as is). [`Resolver::resolve_fields`] resolves every field before
//!   failing, so one [`ResolveError`] names every missing variable and each place it is used.
//! - **Values are templates too**, resolved with the same scopes (as in Postman), up to
//!   [`Limits::max_depth`] levels. A variable that refers back to itself, directly or
//!   through others, is a [`ProblemKind::Cycle`] naming the cycle (`a → b → a`). A local
//!   variable that refers to its own name is a cycle too: it does not reach the environment's
//!   value of that name.
//! - **Secrets stay out of what people see.** [`Resolved`] carries the real text (to send)
//!   and a redacted text (for logs, history, display) where each secret variable's value is
//!   `****` — the whole value, even when it came from nested variables. As a second line of
//!   defence the redacted text is also swept for every secret's value of at least 4
//!   characters that got in another way (typed literally, or inside a non-secret variable).
//! - **Dynamic values are fresh per occurrence**, drawn from the injected [`Source`].
//! - **Expansion is bounded** ([`Limits`]), so a "billion laughs" set of variables is an
//!   error rather than an out-of-memory.
//!
//! ```
//! use wsdeck_format::dynamic::FixedSource;
//! use wsdeck_format::environment::{Environment, Variable};
//! use wsdeck_format::resolve::Resolver;
//! use wsdeck_format::scope::Scopes;
//!
//! let env = Environment::new("staging")
//!     .with(Variable::new("host", "staging.example.com"))
//!     .with(Variable::secret("token", "s3cr3t"));
//! let local = [Variable::new("room", "lobby")];
//! let scopes = Scopes::new().with_local(&local).with_environment(&env);
//! let mut source = FixedSource::new(1_700_000_000_000, 1); // SystemSource::new() for real use
//! let mut resolver = Resolver::new(scopes, &mut source);
//!
//! let fields = resolver
//!     .resolve_fields([
//!         ("url", "wss://{{host}}/chat/{{room}}"),
//!         ("header Authorization", "Bearer {{token}}"),
//!         ("message", r#"{"sent":{{$timestamp}},"raw":"\{{not a variable}}"}"#),
//!     ])
//!     .unwrap();
//! assert_eq!(fields[0].text(), "wss://staging.example.com/chat/lobby");
//! assert_eq!(fields[1].text(), "Bearer s3cr3t");
//! assert_eq!(fields[1].redacted(), "Bearer ****");
//! assert_eq!(fields[2].text(), r#"{"sent":1700000000,"raw":"{{not a variable}}"}"#);
//!
//! let err = resolver.resolve("url", "wss://{{hots}}/{{path}}").unwrap_err();
//! assert_eq!(err.undefined_names(), ["hots", "path"]);
//! assert_eq!(
//!     err.to_string(),
//!     "2 problems with {{variables}}:\n  \
//!      url, line 1, column 7: undefined variable `hots`; did you mean `host`?\n  \
//!      url, line 1, column 16: undefined variable `path`"
//! );
//! ```

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use crate::dynamic::{self, Source};
use crate::environment::REDACTED;
use crate::error::Position;
use crate::scope::Scopes;
use crate::similar::close_matches;
use crate::template::{Segment, Template, TemplateError, TemplateErrorKind};

/// Bounds on one field's resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How many variables deep values may nest (`a` → `b` → `c` is 3). Default 16; values
    /// above 256 count as 256, to keep recursion shallow.
    pub max_depth: usize,
    /// How many variable references may be expanded in one field, nested ones included.
    /// Default 100,000.
    pub max_expansions: usize,
    /// How many bytes substitution may produce in one field (the field's own literal text
    /// is not counted). Default 16 MiB.
    pub max_expanded_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 16,
            max_expansions: 100_000,
            max_expanded_bytes: 16 << 20,
        }
    }
}

/// Secrets shorter than this are redacted where they are substituted, but not searched for
/// elsewhere in the redacted text (a 1-character secret would blank out half a message).
pub const MIN_SWEPT_SECRET_CHARS: usize = 4;

/// A resolved field: the text to send, and the same text with secrets redacted.
///
/// `Debug` and `Display` show only the redacted text, so logging a `Resolved` by accident
/// does not leak a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Resolved {
    text: String,
    redacted: String,
    has_secrets: bool,
}

impl Resolved {
    /// The real text, with secrets' values: send this, never show it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text with each secret replaced by `****`: for logs, history and display.
    pub fn redacted(&self) -> &str {
        &self.redacted
    }

    /// Whether any secret was substituted or swept out (then `text` and `redacted` differ).
    pub fn has_secrets(&self) -> bool {
        self.has_secrets
    }

    /// `(text, redacted)`.
    pub fn into_parts(self) -> (String, String) {
        (self.text, self.redacted)
    }
}

impl fmt::Debug for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolved")
            .field("redacted", &self.redacted)
            .field("has_secrets", &self.has_secrets)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

/// One problem found while resolving, and where: the field label and the position of the
/// `{{` in that field (for a problem inside a variable's value, the reference in the field
/// that led there; [`ProblemKind`] names the chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The caller's label for the field ("url", "header Authorization", "message").
    pub field: String,
    /// Byte range of the reference (or the syntax error) in the field's text.
    pub span: Range<usize>,
    /// Line and column of `span.start`.
    pub position: Position,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, line {}, column {}: {}",
            self.field, self.position.line, self.position.column, self.kind
        )
    }
}

/// What went wrong with one reference. `via` lists the variables whose values led to the
/// problem, outermost first (empty when the field refers to it directly).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The field is not a valid template.
    Syntax(TemplateErrorKind),
    /// No scope defines the name.
    Undefined {
        /// The name.
        name: String,
        /// Variables whose values led here.
        via: Vec<String>,
        /// Defined names that are close (a typo?), best first.
        suggestions: Vec<String>,
        /// A variable of that name exists but is turned off.
        disabled: bool,
    },
    /// A `$name` that is neither defined in a scope nor a dynamic variable.
    UnknownDynamic {
        /// The name, with `$`.
        name: String,
        /// Variables whose values led here.
        via: Vec<String>,
        /// Close dynamic variable names, best first.
        suggestions: Vec<String>,
    },
    /// Variables refer to each other in a cycle.
    Cycle {
        /// The cycle, starting and ending with the same name: `["a", "b", "a"]`.
        cycle: Vec<String>,
    },
    /// Values nest deeper than [`Limits::max_depth`].
    TooDeep {
        /// The chain of names, outermost first.
        chain: Vec<String>,
        /// The limit in force.
        limit: usize,
    },
    /// A variable's value is not a valid template (its position is within the value).
    ValueSyntax {
        /// The variable whose value is broken.
        variable: String,
        /// Variables whose values led to it.
        via: Vec<String>,
        /// The syntax error, positioned in the value.
        error: TemplateError,
    },
    /// More than [`Limits::max_expansions`] references expanded in one field.
    TooManyExpansions {
        /// The limit in force.
        limit: usize,
    },
    /// Substitution produced more than [`Limits::max_expanded_bytes`] in one field.
    TooLarge {
        /// The limit in force.
        limit: usize,
    },
}

fn via_text(via: &[String]) -> String {
    match via {
        [] => String::new(),
        [only] => format!(", used in the value of `{only}`"),
        [outer @ .., last] => {
            let chain: Vec<String> = outer.iter().map(|n| format!("`{n}`")).collect();
            format!(
                ", used in the value of `{last}` (reached via {})",
                chain.join(" → ")
            )
        }
    }
}

fn chain_text(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" → ")
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::Syntax(kind) => write!(f, "{kind}"),
            ProblemKind::Undefined {
                name,
                via,
                disabled: true,
                ..
            } => write!(
                f,
                "variable `{name}`{} is disabled; enable it or give another value",
                via_text(via)
            ),
            ProblemKind::Undefined {
                name,
                via,
                suggestions,
                disabled: false,
            } => write!(
                f,
                "undefined variable `{name}`{}{}",
                via_text(via),
                dynamic::suggestion_text(suggestions)
            ),
            ProblemKind::UnknownDynamic {
                name,
                via,
                suggestions,
            } => write!(
                f,
                "unknown dynamic variable `{name}`{}{}",
                via_text(via),
                dynamic::suggestion_text(suggestions)
            ),
            ProblemKind::Cycle { cycle } => write!(
                f,
                "variables refer to each other in a cycle: {}",
                chain_text(cycle)
            ),
            ProblemKind::TooDeep { chain, limit } => write!(
                f,
                "variables nest more than {limit} levels deep: {}",
                chain_text(chain)
            ),
            ProblemKind::ValueSyntax {
                variable,
                via,
                error,
            } => write!(
                f,
                "the value of variable `{variable}`{} is not a valid template: {error}",
                if via.is_empty() {
                    String::new()
                } else {
                    format!(" (reached via {})", chain_text(via))
                }
            ),
            ProblemKind::TooManyExpansions { limit } => write!(
                f,
                "more than {limit} variable references to expand; do variables repeat each other many times?"
            ),
            ProblemKind::TooLarge { limit } => write!(
                f,
                "substituting variables produces more than {limit} bytes; do variables repeat each other many times?"
            ),
        }
    }
}

/// The problems found in the fields resolved together (never empty): each distinct problem
/// once, at most [`MAX_PROBLEMS`] of them (a variable that expands into thousands of copies of
/// the same mistake would otherwise print thousands of identical lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveError {
    problems: Vec<Problem>,
    /// Distinct problems beyond [`MAX_PROBLEMS`], counted but not kept.
    omitted: usize,
}

/// The most problems one error keeps.
pub const MAX_PROBLEMS: usize = 50;

impl ResolveError {
    fn new(all: Vec<Problem>) -> Self {
        let mut seen = std::collections::HashSet::new();
        let mut problems = Vec::new();
        let mut omitted = 0;
        for p in all {
            if !seen.insert(p.to_string()) {
                continue;
            }
            if problems.len() < MAX_PROBLEMS {
                problems.push(p);
            } else {
                omitted += 1;
            }
        }
        ResolveError { problems, omitted }
    }

    /// How many more distinct problems there were than [`ResolveError::problems`] holds.
    pub fn omitted(&self) -> usize {
        self.omitted
    }

    /// The problems, in field order and, within a field, in order of appearance.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The problems, owned.
    pub fn into_problems(self) -> Vec<Problem> {
        self.problems
    }

    /// The undefined names (including unknown `$…` names), each once, in order of first
    /// appearance: for a one-line summary.
    pub fn undefined_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for p in &self.problems {
            if let ProblemKind::Undefined { name, .. } | ProblemKind::UnknownDynamic { name, .. } =
                &p.kind
                && !names.contains(&name.as_str())
            {
                names.push(name);
            }
        }
        names
    }
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [only] if self.omitted == 0 => write!(f, "{only}"),
            problems => {
                let total = problems.len() + self.omitted;
                write!(f, "{total} problems with {{{{variables}}}}:")?;
                for p in problems {
                    write!(f, "\n  {p}")?;
                }
                if self.omitted > 0 {
                    write!(f, "\n  … and {} more", self.omitted)?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ResolveError {}

/// Resolves templates against scopes and a dynamic-value source. Cheap to create; create one
/// per request (it remembers suggestions for misspelled names).
pub struct Resolver<'r, 'a> {
    scopes: Scopes<'a>,
    source: &'r mut dyn Source,
    limits: Limits,
    secrets: Vec<&'a str>,
    suggestions: HashMap<String, Vec<String>>,
}

impl fmt::Debug for Resolver<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolver")
            .field("scopes", &self.scopes)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// Text being built: real and redacted side by side.
#[derive(Default)]
struct Piece {
    text: String,
    redacted: String,
    /// Resolved values of secret variables, for the final sweep.
    secrets: Vec<String>,
    has_secret: bool,
}

impl Piece {
    fn literal(s: &str) -> Piece {
        Piece {
            text: s.to_owned(),
            redacted: s.to_owned(),
            ..Piece::default()
        }
    }

    fn push_literal(&mut self, s: &str) {
        self.text.push_str(s);
        self.redacted.push_str(s);
    }

    fn append(&mut self, other: Piece) {
        self.text.push_str(&other.text);
        self.redacted.push_str(&other.redacted);
        self.secrets.extend(other.secrets);
        self.has_secret |= other.has_secret;
    }
}

struct Budget {
    expansions: usize,
    bytes: usize,
    exhausted: bool,
    /// False when only checking: dynamic values are validated, not generated.
    generate: bool,
}

impl Budget {
    fn new(generate: bool) -> Self {
        Budget {
            expansions: 0,
            bytes: 0,
            exhausted: false,
            generate,
        }
    }

    /// Counts `n` produced bytes; false (with the problem recorded) past the limit.
    fn add(&mut self, n: usize, limits: &Limits, problems: &mut Vec<ProblemKind>) -> bool {
        self.bytes = self.bytes.saturating_add(n);
        if self.bytes > limits.max_expanded_bytes {
            self.exhausted = true;
            problems.push(ProblemKind::TooLarge {
                limit: limits.max_expanded_bytes,
            });
            return false;
        }
        true
    }
}

impl<'r, 'a> Resolver<'r, 'a> {
    /// A resolver over `scopes`, drawing dynamic values from `source`, with default
    /// [`Limits`].
    pub fn new(scopes: Scopes<'a>, source: &'r mut dyn Source) -> Self {
        Resolver {
            secrets: scopes.secret_values().collect(),
            scopes,
            source,
            limits: Limits::default(),
            suggestions: HashMap::new(),
        }
    }

    /// Replaces the limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Resolves one field. `field` labels it in errors ("url", "message").
    pub fn resolve(&mut self, field: &str, text: &str) -> Result<Resolved, ResolveError> {
        let mut problems = Vec::new();
        match self.run(field, text, true, &mut problems) {
            Some(resolved) => Ok(resolved),
            None => Err(ResolveError::new(problems)),
        }
    }

    /// Resolves an already parsed template (for example one kept by an editor).
    pub fn resolve_template(
        &mut self,
        field: &str,
        template: &Template,
    ) -> Result<Resolved, ResolveError> {
        let mut problems = Vec::new();
        match self.run_template(field, template, true, &mut problems) {
            Some(resolved) => Ok(resolved),
            None => Err(ResolveError::new(problems)),
        }
    }

    /// Resolves several `(label, text)` fields — everything a request sends — and returns
    /// their results in order, or one error listing the problems of *every* field.
    pub fn resolve_fields<F, T>(
        &mut self,
        fields: impl IntoIterator<Item = (F, T)>,
    ) -> Result<Vec<Resolved>, ResolveError>
    where
        F: AsRef<str>,
        T: AsRef<str>,
    {
        let mut problems = Vec::new();
        let mut out = Vec::new();
        for (field, text) in fields {
            if let Some(resolved) = self.run(field.as_ref(), text.as_ref(), true, &mut problems) {
                out.push(resolved);
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(ResolveError::new(problems))
        }
    }

    /// The problems resolving `text` would have, without generating dynamic values (their
    /// names are still checked): for an editor that underlines undefined variables as the
    /// user types. Empty when the field would resolve.
    pub fn check(&mut self, field: &str, text: &str) -> Vec<Problem> {
        let mut problems = Vec::new();
        self.run(field, text, false, &mut problems);
        problems
    }

    fn run(
        &mut self,
        field: &str,
        text: &str,
        generate: bool,
        problems: &mut Vec<Problem>,
    ) -> Option<Resolved> {
        match Template::parse(text) {
            Ok(template) => self.run_template(field, &template, generate, problems),
            Err(e) => {
                problems.push(Problem {
                    field: field.to_owned(),
                    span: e.span,
                    position: e.position,
                    kind: ProblemKind::Syntax(e.kind),
                });
                None
            }
        }
    }

    fn run_template(
        &mut self,
        field: &str,
        template: &Template,
        generate: bool,
        problems: &mut Vec<Problem>,
    ) -> Option<Resolved> {
        let mut budget = Budget::new(generate);
        let mut out = Piece::default();
        let mut failed = false;
        for segment in template.segments() {
            match segment {
                Segment::Literal(s) => out.push_literal(s),
                Segment::Variable(reference) => {
                    let mut kinds = Vec::new();
                    let mut stack = Vec::new();
                    match self.expand(&reference.name, &mut stack, &mut kinds, &mut budget) {
                        Some(piece) => out.append(piece),
                        None => {
                            failed = true;
                            problems.extend(kinds.into_iter().map(|kind| Problem {
                                field: field.to_owned(),
                                span: reference.span.clone(),
                                position: reference.position,
                                kind,
                            }));
                        }
                    }
                    if budget.exhausted {
                        break;
                    }
                }
            }
        }
        if failed {
            return None;
        }
        let swept = self.sweep(&mut out.redacted, &out.secrets);
        Some(Resolved {
            text: out.text,
            redacted: out.redacted,
            has_secrets: out.has_secret || swept,
        })
    }

    /// Replaces any secret value (of at least [`MIN_SWEPT_SECRET_CHARS`]) left in `redacted`;
    /// true if something was replaced.
    fn sweep(&self, redacted: &mut String, resolved_secrets: &[String]) -> bool {
        let mut secrets: Vec<&str> = self
            .secrets
            .iter()
            .copied()
            .chain(resolved_secrets.iter().map(String::as_str))
            .filter(|s| s.chars().count() >= MIN_SWEPT_SECRET_CHARS && *s != REDACTED)
            .collect();
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        secrets.dedup();
        let mut swept = false;
        for secret in secrets {
            if redacted.contains(secret) {
                *redacted = redacted.replace(secret, REDACTED);
                swept = true;
            }
        }
        swept
    }

    fn expand(
        &mut self,
        name: &str,
        stack: &mut Vec<String>,
        problems: &mut Vec<ProblemKind>,
        budget: &mut Budget,
    ) -> Option<Piece> {
        if budget.exhausted {
            return None;
        }
        budget.expansions += 1;
        if budget.expansions > self.limits.max_expansions {
            budget.exhausted = true;
            problems.push(ProblemKind::TooManyExpansions {
                limit: self.limits.max_expansions,
            });
            return None;
        }
        let Some(found) = self.scopes.lookup(name) else {
            return self.undefined_or_dynamic(name, stack, problems, budget);
        };
        if let Some(start) = stack.iter().position(|n| n == name) {
            let mut cycle = stack[start..].to_vec();
            cycle.push(name.to_owned());
            problems.push(ProblemKind::Cycle { cycle });
            return None;
        }
        let max_depth = self.limits.max_depth.min(256);
        if stack.len() >= max_depth {
            let mut chain = stack.clone();
            chain.push(name.to_owned());
            problems.push(ProblemKind::TooDeep {
                chain,
                limit: max_depth,
            });
            return None;
        }
        let variable = found.variable;
        let mut piece = if !variable.value.contains("{{") {
            // Without `{{` a value parses to itself; skip the parser.
            if !budget.add(variable.value.len(), &self.limits, problems) {
                return None;
            }
            Piece::literal(&variable.value)
        } else {
            let template = match Template::parse(&variable.value) {
                Ok(t) => t,
                Err(error) => {
                    problems.push(ProblemKind::ValueSyntax {
                        variable: name.to_owned(),
                        via: stack.clone(),
                        error,
                    });
                    return None;
                }
            };
            stack.push(name.to_owned());
            let mut piece = Piece::default();
            let mut ok = true;
            for segment in template.segments() {
                match segment {
                    Segment::Literal(s) => {
                        if !budget.add(s.len(), &self.limits, problems) {
                            ok = false;
                            break;
                        }
                        piece.push_literal(s);
                    }
                    Segment::Variable(r) => match self.expand(&r.name, stack, problems, budget) {
                        Some(inner) => piece.append(inner),
                        None => {
                            ok = false;
                            if budget.exhausted {
                                break;
                            }
                        }
                    },
                }
            }
            stack.pop();
            if !ok {
                return None;
            }
            piece
        };
        if variable.secret {
            piece.secrets.push(piece.text.clone());
            piece.redacted = REDACTED.to_owned();
            piece.has_secret = true;
        }
        Some(piece)
    }

    fn undefined_or_dynamic(
        &mut self,
        name: &str,
        stack: &[String],
        problems: &mut Vec<ProblemKind>,
        budget: &mut Budget,
    ) -> Option<Piece> {
        if name.starts_with('$') {
            if let Some(d) = dynamic::lookup(name) {
                if !budget.generate {
                    return Some(Piece::default());
                }
                let value = d.generate(self.source);
                if !budget.add(value.len(), &self.limits, problems) {
                    return None;
                }
                return Some(Piece::literal(&value));
            }
            problems.push(ProblemKind::UnknownDynamic {
                name: name.to_owned(),
                via: stack.to_vec(),
                suggestions: dynamic::suggestions(name)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
            });
            return None;
        }
        let suggestions = match self.suggestions.get(name) {
            Some(s) => s.clone(),
            None => {
                let visible = self.scopes.visible();
                let s: Vec<String> =
                    close_matches(name, visible.iter().map(|f| f.variable.name.as_str()), 3)
                        .into_iter()
                        .map(str::to_owned)
                        .collect();
                self.suggestions.insert(name.to_owned(), s.clone());
                s
            }
        };
        problems.push(ProblemKind::Undefined {
            name: name.to_owned(),
            via: stack.to_vec(),
            suggestions,
            disabled: self.scopes.has_disabled(name),
        });
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamic::FixedSource;
    use crate::environment::{Environment, Variable};

    const NOW: i64 = 1_591_737_036_177;

    fn env() -> Environment {
        Environment::new("staging")
            .with(Variable::new("host", "staging.example.com"))
            .with(Variable::new("scheme", "wss"))
            .with(Variable::new("base", "{{scheme}}://{{host}}"))
            .with(Variable::secret("token", "s3cr3t-token"))
            .with(Variable::new("auth", "Bearer {{token}}"))
            .with(Variable::secret("pair", "{{host}}:{{token}}"))
    }

    fn resolve_with(scopes: Scopes<'_>, text: &str) -> Result<Resolved, ResolveError> {
        let mut source = FixedSource::new(NOW, 1);
        Resolver::new(scopes, &mut source).resolve("url", text)
    }

    #[test]
    fn substitutes_and_nests() {
        let e = env();
        let s = Scopes::new().with_environment(&e);
        let r = resolve_with(s, "{{base}}/chat?x={{ host }}").unwrap();
        assert_eq!(
            r.text(),
            "wss://staging.example.com/chat?x=staging.example.com"
        );
        assert_eq!(r.redacted(), r.text());
        assert!(!r.has_secrets());
    }

    #[test]
    fn secrets_are_redacted_whole() {
        let e = env();
        let s = Scopes::new().with_environment(&e);
        let r = resolve_with(s, "{{auth}} | {{pair}}").unwrap();
        assert_eq!(
            r.text(),
            "Bearer s3cr3t-token | staging.example.com:s3cr3t-token"
        );
        assert_eq!(r.redacted(), "Bearer **** | ****");
        assert!(r.has_secrets());
        let debug = format!("{r:?}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
        assert_eq!(r.to_string(), "Bearer **** | ****");
    }

    #[test]
    fn secret_typed_literally_is_swept() {
        let e = env();
        let s = Scopes::new().with_environment(&e);
        let r = resolve_with(s, "token=s3cr3t-token").unwrap();
        assert_eq!(r.text(), "token=s3cr3t-token");
        assert_eq!(r.redacted(), "token=****");
        assert!(r.has_secrets());
    }

    #[test]
    fn precedence() {
        let local = vec![Variable::new("host", "local.test")];
        let e = env();
        let g = Environment::new("globals")
            .with(Variable::new("host", "global.test"))
            .with(Variable::new("only_global", "g"));
        let all = Scopes::new()
            .with_local(&local)
            .with_environment(&e)
            .with_globals(&g);
        assert_eq!(
            resolve_with(all, "{{host}} {{only_global}} {{scheme}}")
                .unwrap()
                .text(),
            "local.test g wss"
        );
        let no_local = Scopes::new().with_environment(&e).with_globals(&g);
        assert_eq!(
            resolve_with(no_local, "{{host}}").unwrap().text(),
            "staging.example.com"
        );
        // Nested values see the whole chain too: `base` comes from the environment, `host`
        // inside it from the local scope.
        assert_eq!(
            resolve_with(all, "{{base}}").unwrap().text(),
            "wss://local.test"
        );
    }

    #[test]
    fn a_scope_can_pin_a_dynamic_name() {
        let local = vec![Variable::new("$timestamp", "42")];
        let s = Scopes::new().with_local(&local);
        assert_eq!(resolve_with(s, "{{$timestamp}}").unwrap().text(), "42");
        assert_eq!(
            resolve_with(Scopes::new(), "{{$timestamp}}")
                .unwrap()
                .text(),
            "1591737036"
        );
    }

    #[test]
    fn dynamic_values_are_fresh_per_occurrence() {
        let r = resolve_with(Scopes::new(), "{{$randomUUID}} {{$randomUUID}}").unwrap();
        let (a, b) = r.text().split_once(' ').unwrap();
        assert_eq!(a.len(), 36);
        assert_ne!(a, b);
        // Deterministic with a fixed source.
        assert_eq!(
            resolve_with(Scopes::new(), "{{$randomUUID}} {{$randomUUID}}").unwrap(),
            r
        );
    }

    #[test]
    fn every_undefined_variable_is_named_with_its_place() {
        let e = env();
        let mut source = FixedSource::new(NOW, 1);
        let mut resolver = Resolver::new(Scopes::new().with_environment(&e), &mut source);
        let err = resolver
            .resolve_fields([
                ("url", "wss://{{hots}}/{{path}}"),
                ("header Authorization", "Bearer {{token}}"),
                ("message", "{\n  \"user\": {{user}},\n  \"id\": {{path}}\n}"),
            ])
            .unwrap_err();
        assert_eq!(err.undefined_names(), vec!["hots", "path", "user"]);
        assert_eq!(
            err.to_string(),
            "4 problems with {{variables}}:\n  \
             url, line 1, column 7: undefined variable `hots`; did you mean `host`?\n  \
             url, line 1, column 16: undefined variable `path`\n  \
             message, line 2, column 11: undefined variable `user`\n  \
             message, line 3, column 9: undefined variable `path`"
        );
        assert_eq!(err.problems()[0].span, 6..14);
    }

    #[test]
    fn undefined_inside_a_value_names_the_chain() {
        let e = Environment::new("e")
            .with(Variable::new("a", "x{{b}}"))
            .with(Variable::new("b", "{{c}}"));
        let err = resolve_with(Scopes::new().with_environment(&e), "{{a}}").unwrap_err();
        assert_eq!(
            err.to_string(),
            "url, line 1, column 1: undefined variable `c`, used in the value of `b` (reached via `a`)"
        );
    }

    #[test]
    fn cycles_are_named() {
        let e = Environment::new("e")
            .with(Variable::new("a", "{{b}}"))
            .with(Variable::new("b", "x{{c}}"))
            .with(Variable::new("c", "{{a}}"))
            .with(Variable::new("self", "<{{self}}>"));
        let s = Scopes::new().with_environment(&e);
        let err = resolve_with(s, "{{a}}").unwrap_err();
        assert_eq!(
            err.problems()[0].kind,
            ProblemKind::Cycle {
                cycle: vec!["a".into(), "b".into(), "c".into(), "a".into()]
            }
        );
        assert_eq!(
            err.to_string(),
            "url, line 1, column 1: variables refer to each other in a cycle: `a` → `b` → `c` → `a`"
        );
        let err = resolve_with(s, "{{self}}").unwrap_err();
        assert!(err.to_string().ends_with("`self` → `self`"), "{err}");
    }

    #[test]
    fn depth_limit() {
        let mut e = Environment::new("deep");
        for i in 0..20 {
            e.variables.push(Variable::new(
                format!("v{i}"),
                format!("{{{{v{}}}}}", i + 1),
            ));
        }
        e.variables.push(Variable::new("v20", "end"));
        let s = Scopes::new().with_environment(&e);
        let err = resolve_with(s, "{{v0}}").unwrap_err();
        assert!(
            matches!(&err.problems()[0].kind, ProblemKind::TooDeep { chain, limit: 16 } if chain.len() == 17),
            "{err}"
        );
        let mut source = FixedSource::new(NOW, 1);
        let deeper = Limits {
            max_depth: 32,
            ..Limits::default()
        };
        let r = Resolver::new(s, &mut source)
            .with_limits(deeper)
            .resolve("url", "{{v0}}")
            .unwrap();
        assert_eq!(r.text(), "end");
    }

    #[test]
    fn billion_laughs_is_bounded() {
        let mut e = Environment::new("lol").with(Variable::new("l0", "lol"));
        for i in 1..12 {
            let value = format!("{{{{l{}}}}}", i - 1).repeat(10);
            e.variables.push(Variable::new(format!("l{i}"), value));
        }
        let s = Scopes::new().with_environment(&e);
        let err = resolve_with(s, "{{l11}}").unwrap_err();
        assert!(
            matches!(
                err.problems()[0].kind,
                ProblemKind::TooManyExpansions { .. } | ProblemKind::TooLarge { .. }
            ),
            "{err}"
        );
        assert_eq!(err.problems().len(), 1);

        let big = Environment::new("big").with(Variable::new("x", "y".repeat(1000)));
        let mut source = FixedSource::new(NOW, 1);
        let small = Limits {
            max_expanded_bytes: 2500,
            ..Limits::default()
        };
        let err = Resolver::new(Scopes::new().with_environment(&big), &mut source)
            .with_limits(small)
            .resolve("message", "{{x}}{{x}}{{x}}{{x}}")
            .unwrap_err();
        assert_eq!(
            err.problems()[0].kind,
            ProblemKind::TooLarge { limit: 2500 }
        );
        assert_eq!(err.problems()[0].position.column, 11);
    }

    #[test]
    fn syntax_errors_in_fields_and_values() {
        let e = Environment::new("e").with(Variable::secret("bad", "ab{{c"));
        let s = Scopes::new().with_environment(&e);
        let err = resolve_with(s, "x {{y").unwrap_err();
        assert_eq!(
            err.problems()[0].kind,
            ProblemKind::Syntax(TemplateErrorKind::Unterminated)
        );
        assert!(
            err.to_string()
                .starts_with("url, line 1, column 3: `{{` is not closed")
        );
        let err = resolve_with(s, "{{bad}}").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("url, line 1, column 1: the value of variable `bad` is not a valid template: line 1, column 3:"),
            "{msg}"
        );
        assert!(!msg.contains("ab{{c"), "{msg}");
    }

    #[test]
    fn unknown_dynamic_suggests() {
        let err = resolve_with(Scopes::new(), "{{$randomUuid}}").unwrap_err();
        assert!(
            err.to_string().starts_with(
                "url, line 1, column 1: unknown dynamic variable `$randomUuid`; did you mean `$randomUUID`"
            ),
            "{err}"
        );
        assert_eq!(err.undefined_names(), vec!["$randomUuid"]);
    }

    #[test]
    fn escapes_survive_resolution() {
        let e = Environment::new("e").with(Variable::new("lit", r"\{{not}}"));
        let s = Scopes::new().with_environment(&e);
        assert_eq!(
            resolve_with(s, r"\{{x}} {{lit}} \\{{lit}}").unwrap().text(),
            r"{{x}} {{not}} \{{not}}"
        );
    }

    #[test]
    fn check_reports_without_generating() {
        struct Counting(u64);
        impl Source for Counting {
            fn now_unix_millis(&mut self) -> i64 {
                0
            }
            fn next_u64(&mut self) -> u64 {
                self.0 += 1;
                self.0
            }
        }
        let mut source = Counting(0);
        let mut r = Resolver::new(Scopes::new(), &mut source);
        assert!(r.check("message", "{{$randomUUID}}").is_empty());
        let problems = r.check("message", "{{nope}} {{$nope}}");
        assert_eq!(problems.len(), 2);
        drop(r);
        assert_eq!(source.0, 0);
    }

    #[test]
    fn disabled_variables_are_undefined() {
        let e = Environment::new("e").with(Variable {
            enabled: false,
            ..Variable::new("x", "1")
        });
        let err = resolve_with(Scopes::new().with_environment(&e), "{{x}}")
            .expect_err("a disabled variable is not used");
        assert!(
            err.to_string().contains("variable `x` is disabled"),
            "it says why: {err}"
        );
    }

    #[test]
    fn repeated_problems_are_reported_once_and_the_list_is_capped() {
        let mut source = crate::dynamic::FixedSource::new(0, 1);
        let mut resolver = Resolver::new(Scopes::new(), &mut source);
        let err = resolver
            .resolve("message", &"{{same}}".repeat(1000))
            .expect_err("undefined");
        assert_eq!(err.problems().len(), MAX_PROBLEMS);
        assert_eq!(
            err.omitted(),
            1000 - MAX_PROBLEMS,
            "each position is its own problem"
        );
        assert!(
            err.to_string()
                .ends_with(&format!("… and {} more", 1000 - MAX_PROBLEMS))
        );
        let mut resolver = Resolver::new(Scopes::new(), &mut source);
        let err = resolver.resolve("message", "{{x}}").expect_err("undefined");
        assert_eq!(err.problems().len(), 1);
        assert!(!err.to_string().contains("problems"), "{err}");
    }
}
