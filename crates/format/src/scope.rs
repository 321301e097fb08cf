//! Where a `{{name}}` is looked up, and in which order.
//!
//! Precedence, highest first: **request-local** variables (a saved request's own variables,
//! the CLI's `--var NAME=VALUE`), then the **active environment**, then the **globals**.
//! Within one scope, the *last enabled* entry with a name wins (so a repeated `--var` behaves
//! like other repeated flags). Disabled entries are skipped as if absent, so a disabled
//! environment variable lets a global of the same name through — as in Postman. Dynamic
//! variables (`$…`) come after all three: a scope may pin `$timestamp` to a fixed value for a
//! reproducible run.

use std::collections::{HashMap, HashSet};

use crate::environment::{Environment, Variable};

/// Where a variable (or a completion item) comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The request's own variables, or `--var` on the command line. Highest precedence.
    Local,
    /// The active environment.
    Environment,
    /// The globals.
    Global,
    /// A built-in dynamic variable such as `$randomUUID`. Lowest precedence.
    Dynamic,
}

impl Scope {
    /// A short lowercase word for display: `local`, `environment`, `global`, `dynamic`.
    pub fn label(self) -> &'static str {
        match self {
            Scope::Local => "local",
            Scope::Environment => "environment",
            Scope::Global => "global",
            Scope::Dynamic => "dynamic",
        }
    }
}

/// The variables in effect for one resolution: borrowed, cheap to copy, built with the
/// `with_*` methods. Any scope may be left out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scopes<'a> {
    local: &'a [Variable],
    environment: Option<&'a Environment>,
    globals: Option<&'a Environment>,
}

/// A variable found in a scope.
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    /// The variable (its `Debug` hides a secret's value).
    pub variable: &'a Variable,
    /// The scope it was found in (never [`Scope::Dynamic`]).
    pub scope: Scope,
}

impl<'a> Scopes<'a> {
    /// No variables at all.
    pub fn new() -> Self {
        Scopes::default()
    }

    /// Sets the request-local variables.
    #[must_use]
    pub fn with_local(mut self, variables: &'a [Variable]) -> Self {
        self.local = variables;
        self
    }

    /// Sets the active environment.
    #[must_use]
    pub fn with_environment(mut self, environment: &'a Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// Sets the globals.
    #[must_use]
    pub fn with_globals(mut self, globals: &'a Environment) -> Self {
        self.globals = Some(globals);
        self
    }

    fn layers(&self) -> [(Scope, &'a [Variable]); 3] {
        [
            (Scope::Local, self.local),
            (
                Scope::Environment,
                self.environment.map_or(&[][..], |e| &e.variables[..]),
            ),
            (
                Scope::Global,
                self.globals.map_or(&[][..], |e| &e.variables[..]),
            ),
        ]
    }

    /// Looks `name` up with the precedence described in the module docs; `None` when no
    /// enabled variable has that name (dynamic variables are not looked up here).
    pub fn lookup(&self, name: &str) -> Option<Found<'a>> {
        self.layers().into_iter().find_map(|(scope, vars)| {
            vars.iter()
                .rev()
                .find(|v| v.enabled && v.name == name)
                .map(|variable| Found { variable, scope })
        })
    }

    /// Whether a variable of that name exists but is turned off (so that "undefined" can say
    /// why).
    pub fn has_disabled(&self, name: &str) -> bool {
        self.layers()
            .into_iter()
            .any(|(_, vars)| vars.iter().any(|v| !v.enabled && v.name == name))
    }

    /// Every variable a template can reach, once per name: the one that [`Scopes::lookup`]
    /// would return. Ordered local, environment, global, and by first appearance within a
    /// scope, so a list built from it follows the user's own order.
    pub fn visible(&self) -> Vec<Found<'a>> {
        let mut out: Vec<Found<'a>> = Vec::new();
        let mut seen = HashSet::new();
        for (scope, vars) in self.layers() {
            // The last enabled entry of each name wins within a scope.
            let winners: HashMap<&str, &'a Variable> = vars
                .iter()
                .filter(|v| v.enabled)
                .map(|v| (v.name.as_str(), v))
                .collect();
            for v in vars {
                if v.enabled
                    && seen.insert(v.name.as_str())
                    && let Some(&variable) = winners.get(v.name.as_str())
                {
                    out.push(Found { variable, scope });
                }
            }
        }
        out
    }

    /// The values of all variables marked secret, enabled or not, in every scope: what a
    /// redacted text must never contain.
    pub fn secret_values(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.layers()
            .into_iter()
            .flat_map(|(_, vars)| vars.iter())
            .filter(|v| v.secret)
            .map(|v| v.value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_local_env_global() {
        let local = vec![Variable::new("a", "local")];
        let env = Environment::new("dev")
            .with(Variable::new("a", "env"))
            .with(Variable::new("b", "env"));
        let globals = Environment::new("globals")
            .with(Variable::new("a", "global"))
            .with(Variable::new("b", "global"))
            .with(Variable::new("c", "global"));
        let s = Scopes::new()
            .with_local(&local)
            .with_environment(&env)
            .with_globals(&globals);
        let get = |n: &str| s.lookup(n).map(|f| (f.variable.value.as_str(), f.scope));
        assert_eq!(get("a"), Some(("local", Scope::Local)));
        assert_eq!(get("b"), Some(("env", Scope::Environment)));
        assert_eq!(get("c"), Some(("global", Scope::Global)));
        assert_eq!(get("d"), None);
    }

    #[test]
    fn disabled_falls_through_and_last_enabled_wins() {
        let mut off = Variable::new("a", "env-off");
        off.enabled = false;
        let env = Environment::new("dev").with(off);
        let globals = Environment::new("g").with(Variable::new("a", "global"));
        let local = vec![
            Variable::new("x", "first"),
            Variable::new("x", "second"),
            Variable {
                enabled: false,
                ..Variable::new("x", "third-disabled")
            },
        ];
        let s = Scopes::new()
            .with_local(&local)
            .with_environment(&env)
            .with_globals(&globals);
        assert_eq!(s.lookup("a").unwrap().variable.value, "global");
        assert_eq!(s.lookup("x").unwrap().variable.value, "second");
        let names: Vec<_> = s
            .visible()
            .iter()
            .map(|f| (f.variable.name.as_str(), f.variable.value.as_str()))
            .collect();
        assert_eq!(names, vec![("x", "second"), ("a", "global")]);
    }

    #[test]
    fn secret_values_include_disabled() {
        let env = Environment::new("e")
            .with(Variable::secret("t", "tok"))
            .with(Variable {
                enabled: false,
                ..Variable::secret("u", "old")
            })
            .with(Variable::new("p", "plain"));
        let s = Scopes::new().with_environment(&env);
        assert_eq!(s.secret_values().collect::<Vec<_>>(), vec!["tok", "old"]);
    }
}
