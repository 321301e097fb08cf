//! `{{variables}}` for the CLI: `--var`, `--env` and `--globals` read into scopes, the
//! request's fields resolved before connecting, and the secrets kept out of what is printed.
//!
//! The format crate does the resolving (it does no I/O); this module reads the files and
//! words the errors for a command line.

use std::path::{Path, PathBuf};

use wsdeck_api::request_vars::{RequestField, resolve_request};
use wsdeck_engine::RequestSpec;
use wsdeck_format::dynamic::SystemSource;
use wsdeck_format::environment::{
    EnvFileKind, Environment, Variable, parse_env_file, parse_var_arg,
};
use wsdeck_format::resolve::{ResolveError, Resolver};
use wsdeck_format::scope::Scopes;

/// The variables a command line defines, by scope.
#[derive(Debug, Default)]
pub struct Variables {
    /// `--var NAME=VALUE`, request-local: they win over everything.
    pub local: Vec<Variable>,
    /// `--env FILE`: the active environment.
    pub environment: Option<Environment>,
    /// `--globals FILE`: the lowest scope.
    pub globals: Option<Environment>,
    /// The environment's enabled secrets that have no value on this machine (a workspace's
    /// secret values live in the per-user data folder, so a fresh clone has none): left out
    /// of the scopes, so `{{name}}` is undefined rather than sent empty, and named with the
    /// way to set them in any error that meets them ([`Variables::explain`]).
    pub unset_secrets: Vec<String>,
}

impl Variables {
    /// Reads `--var` values and the `--env` / `--globals` files (wsdeck environment files or
    /// Postman exports, used as they are).
    pub fn load(
        vars: &[String],
        env: Option<&Path>,
        globals: Option<&Path>,
    ) -> Result<Variables, String> {
        let local = vars
            .iter()
            .map(|v| parse_var_arg(v).map_err(|e| format!("--var: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let environment = env.map(|p| read_environment("--env", p)).transpose()?;
        let globals = globals
            .map(|p| read_environment("--globals", p))
            .transpose()?;
        Ok(Variables {
            local,
            environment,
            globals,
            unset_secrets: Vec::new(),
        })
    }

    /// These variables with `env` as the environment, its unset secrets left out of it (see
    /// [`Variables::unset_secrets`]).
    pub fn with_environment(mut self, mut env: Environment) -> Variables {
        let (unset, kept) = std::mem::take(&mut env.variables)
            .into_iter()
            .partition(|v: &Variable| v.secret && v.value.is_empty());
        env.variables = kept;
        self.unset_secrets = unset
            .into_iter()
            .filter(|v| v.enabled)
            .map(|v| v.name)
            .collect();
        self.environment = Some(env);
        self
    }

    /// A resolution error in words, with the way to give a value to each unset secret it
    /// finds undefined.
    pub fn explain(&self, error: &ResolveError) -> String {
        let unset: Vec<&str> = error
            .undefined_names()
            .into_iter()
            .filter(|n| self.unset_secrets.iter().any(|s| s == n))
            .collect();
        let Some(example) = unset.first() else {
            return error.to_string();
        };
        let list = unset
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let env = self.environment.as_ref().map_or("", |e| e.name.as_str());
        format!(
            "{error}\n  {list}: secret of environment {env:?} with no value stored on this machine \
             (secret values live in wsdeck's data folder, not the workspace): set it in \
             `wsdeck ui` (Environments), or pass --var {example}=VALUE"
        )
    }

    /// The scopes, in precedence order: `--var`, then `--env`, then `--globals`.
    pub fn scopes(&self) -> Scopes<'_> {
        let mut scopes = Scopes::new().with_local(&self.local);
        if let Some(env) = &self.environment {
            scopes = scopes.with_environment(env);
        }
        if let Some(globals) = &self.globals {
            scopes = scopes.with_globals(globals);
        }
        scopes
    }

    /// The values of every secret variable, in every scope.
    pub fn secret_values(&self) -> Vec<&str> {
        self.scopes().secret_values().collect()
    }

    /// Resolves `{{…}}` in every field of the request — URL, params, headers, subprotocols —
    /// and reports every problem at once (each with its field and position).
    pub fn resolve_spec(&self, spec: &RequestSpec) -> Result<RequestSpec, String> {
        let mut source = SystemSource::new();
        let mut resolver = Resolver::new(self.scopes(), &mut source);
        resolve_request(spec, &mut resolver, |field| match field {
            RequestField::Url => "URL".into(),
            RequestField::ParamName(_, k) => format!("--param {k} (name)"),
            RequestField::ParamValue(_, k) => format!("--param {k}"),
            RequestField::HeaderName(_, k) => format!("header {k} (name)"),
            RequestField::HeaderValue(_, k) => format!("header {k}"),
            RequestField::Protocol(_) => "subprotocol".into(),
        })
        .map_err(|e| self.explain(&e))
    }
}

/// Reads an environment file for `flag`, with errors that name the file.
fn read_environment(flag: &str, path: &Path) -> Result<Environment, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "{flag} {}: cannot read the file: {e}",
            PathBuf::from(path).display()
        )
    })?;
    let loaded = parse_env_file(&text).map_err(|e| format!("{flag} {}: {e}", path.display()))?;
    if flag == "--env" && loaded.kind == EnvFileKind::PostmanGlobals {
        // Usable as it is, but the user may have meant --globals: say so once.
        eprintln!(
            "wsdeck: {flag} {}: this is a Postman globals export; using it as the environment (--globals FILE makes it the globals scope)",
            path.display()
        );
    }
    Ok(loaded.environment)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("wsdeck-vars-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        path
    }

    #[test]
    fn request_fields_resolve_with_precedence_var_env_globals() {
        let env = write(
            "env.json",
            r#"{"wsdeck_environment": 1, "name": "dev", "variables": [
                {"name": "host", "value": "127.0.0.1:9001"},
                {"name": "path", "value": "from-env"},
                {"name": "token", "value": "s3cret-token", "secret": true}]}"#,
        );
        let globals = write(
            "globals.json",
            r#"{"name": "g", "_postman_variable_scope": "globals",
                "values": [{"key": "path", "value": "from-globals", "enabled": true},
                           {"key": "proto", "value": "chat", "enabled": true}]}"#,
        );
        let vars = Variables::load(&["path=echo".into()], Some(&env), Some(&globals))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut spec = RequestSpec::new("ws://{{host}}/{{path}}");
        spec.headers = vec![("Authorization".into(), "Bearer {{token}}".into())];
        spec.params = vec![("v".into(), "{{path}}".into())];
        spec.protocols = vec!["{{proto}}".into()];
        let resolved = vars.resolve_spec(&spec).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(resolved.url, "ws://127.0.0.1:9001/echo");
        assert_eq!(resolved.params, vec![("v".to_owned(), "echo".to_owned())]);
        assert_eq!(resolved.headers[0].1, "Bearer s3cret-token");
        assert_eq!(resolved.protocols, vec!["chat".to_owned()]);
        assert_eq!(vars.secret_values(), vec!["s3cret-token"]);
    }

    #[test]
    fn an_unset_secret_is_undefined_and_its_error_says_how_to_set_it() {
        let mut env = Environment::new("Vault");
        let mut token = Variable::new("token", "");
        token.secret = true;
        env.variables = vec![token, Variable::new("host", "127.0.0.1:9")];
        let vars = Variables::default().with_environment(env);
        assert_eq!(vars.unset_secrets, ["token"]);
        let err = vars
            .resolve_spec(&RequestSpec::new("ws://{{host}}/?t={{token}}"))
            .expect_err("token is undefined, not empty");
        assert!(err.contains("undefined variable `token`"), "{err}");
        assert!(
            err.contains("secret of environment \"Vault\" with no value stored")
                && err.contains("--var token=VALUE"),
            "{err}"
        );
        // An error about another name says nothing of secrets.
        let err = vars
            .resolve_spec(&RequestSpec::new("ws://{{nope}}/"))
            .expect_err("undefined");
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn every_undefined_variable_is_named_with_its_field() {
        let vars = Variables::default();
        let mut spec = RequestSpec::new("ws://{{host}}/x");
        spec.headers = vec![("X-Key".into(), "{{key}}".into())];
        let err = vars.resolve_spec(&spec).expect_err("undefined");
        assert!(err.contains("URL") && err.contains("host"), "{err}");
        assert!(err.contains("header X-Key") && err.contains("key"), "{err}");
    }

    #[test]
    fn unreadable_and_corrupt_files_name_the_file() {
        let missing = Variables::load(&[], Some(Path::new("/nonexistent/env.json")), None)
            .expect_err("missing file");
        assert!(missing.contains("--env /nonexistent/env.json") && missing.contains("cannot read"));
        let corrupt = write("corrupt.json", "{\"wsdeck_environment\": 1, \"name\": ");
        let err = Variables::load(&[], Some(&corrupt), None).expect_err("corrupt");
        assert!(
            err.contains("corrupt.json") && err.contains("line"),
            "{err}"
        );
        let bad_var = Variables::load(&["novalue".into()], None, None).expect_err("no =");
        assert!(bad_var.starts_with("--var:"), "{bad_var}");
    }
}
