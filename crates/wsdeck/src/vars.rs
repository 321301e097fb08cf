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

/// Where a command's variables come from: its `--var`, `--secret`, `--env`, `--globals` and
/// `--workspace` flags.
#[derive(Debug, Default, Clone, Copy)]
pub struct VariableFlags<'a> {
    /// `--var NAME=VALUE`: request-local.
    pub vars: &'a [String],
    /// `--secret NAME=VALUE`: request-local, and masked wherever it would be shown.
    pub secrets: &'a [String],
    /// `--env`: an environment file, or the name of one of the workspace's environments.
    pub env: Option<&'a str>,
    /// `--globals FILE`.
    pub globals: Option<&'a Path>,
    /// `--workspace DIR`, where `--env NAME` is looked up (else found as `wsdeck run` does).
    pub workspace: Option<&'a Path>,
}

impl Variables {
    /// Reads `--var` / `--secret` values, the `--env` environment (a wsdeck environment file,
    /// a Postman export, or a workspace environment by name) and the `--globals` file.
    pub fn load(flags: VariableFlags<'_>) -> Result<Variables, String> {
        let parse =
            |flag: &str, arg: &String| parse_var_arg(arg).map_err(|e| format!("{flag}: {e}"));
        let mut local = flags
            .vars
            .iter()
            .map(|v| parse("--var", v))
            .collect::<Result<Vec<_>, _>>()?;
        for arg in flags.secrets {
            let mut secret = parse("--secret", arg)?;
            secret.secret = true;
            local.push(secret);
        }
        let globals = flags
            .globals
            .map(|p| read_environment("--globals", p))
            .transpose()?;
        let loaded = Variables {
            local,
            environment: None,
            globals,
            unset_secrets: Vec::new(),
        };
        Ok(match flags.env {
            Some(env) => loaded.with_environment(environment_arg(env, flags.workspace)?),
            None => loaded.with_inherited_secrecy(),
        })
    }

    /// A request-local value of a variable that is secret in another scope is secret too:
    /// `--var token=…` overriding the environment's secret `token` must not print it.
    fn with_inherited_secrecy(mut self) -> Variables {
        let secret_elsewhere: Vec<String> = [&self.environment, &self.globals]
            .into_iter()
            .flatten()
            .flat_map(|env| env.variables.iter().filter(|v| v.secret))
            .map(|v| v.name.clone())
            .chain(self.unset_secrets.iter().cloned())
            .collect();
        for v in &mut self.local {
            v.secret |= secret_elsewhere.contains(&v.name);
        }
        self
    }

    /// These variables with `env` as the environment, its unset secrets left out of it (see
    /// [`Variables::unset_secrets`]).
    pub fn with_environment(self, env: Environment) -> Variables {
        self.with_environment_unchecked(env)
            .with_inherited_secrecy()
    }

    fn with_environment_unchecked(mut self, mut env: Environment) -> Variables {
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

/// The environment `--env` names: a file if there is one at that path, else the workspace's
/// environment of that name (its secrets from the data folder), with a "did you mean" when
/// neither exists.
fn environment_arg(value: &str, workspace: Option<&Path>) -> Result<Environment, String> {
    let path = Path::new(value);
    if path.is_file() || value.ends_with(".json") || value.contains(std::path::MAIN_SEPARATOR) {
        return read_environment("--env", path);
    }
    let workspace =
        crate::workspace_args::discover(workspace).map_err(|e| format!("--env {value}: {e}"))?;
    match workspace.load_environment(value) {
        Ok(env) => Ok(to_var_environment(&env)),
        Err(wsdeck_workspace::WorkspaceError::NotFound { .. }) => {
            let names = crate::workspace_args::environment_names(&workspace);
            let known = if names.is_empty() {
                "it has none".to_owned()
            } else {
                format!("it has {}", names.join(", "))
            };
            Err(format!(
                "--env {value}: no such file, and no environment {value:?} in the workspace {} ({known}){}",
                workspace.root().display(),
                crate::suggest::did_you_mean(value, names.iter().map(String::as_str))
            ))
        }
        Err(e) => Err(format!("--env {value}: {e}")),
    }
}

/// A workspace environment as the format crate resolves with it.
pub fn to_var_environment(env: &wsdeck_workspace::Environment) -> Environment {
    let mut out = Environment::new(env.name.clone());
    // The workspace keeps the format crate's own variables: no copy field by field.
    out.variables = env.variables.clone();
    out
}

/// Reads an environment file for `flag`, with errors that name the file.
fn read_environment(flag: &str, path: &Path) -> Result<Environment, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound if flag == "--env" => "no such file (give the path of an \
                environment file, or the name of one of the workspace's environments)"
                .to_owned(),
            std::io::ErrorKind::NotFound => "no such file".to_owned(),
            std::io::ErrorKind::PermissionDenied => {
                "permission denied (check who may read it)".to_owned()
            }
            std::io::ErrorKind::IsADirectory => "it is a folder, not a file".to_owned(),
            _ => e.to_string(),
        };
        format!(
            "{flag} {}: cannot read the file: {why}",
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
        let env = env.to_string_lossy();
        let vars = Variables::load(VariableFlags {
            vars: &["path=echo".into()],
            env: Some(&env),
            globals: Some(&globals),
            ..VariableFlags::default()
        })
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
    fn a_var_or_secret_flag_for_a_secret_name_is_secret_wherever_it_came_from() {
        let env = write(
            "secret-env.json",
            r#"{"wsdeck_environment": 1, "name": "dev", "variables": [
                {"name": "token", "value": "from-the-file-1", "secret": true},
                {"name": "host", "value": "h"}]}"#,
        );
        let env = env.to_string_lossy();
        let vars = Variables::load(VariableFlags {
            vars: &["token=given-on-the-line".into(), "host=plain-host".into()],
            secrets: &["api=key-on-the-line".into()],
            env: Some(&env),
            ..VariableFlags::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let secrets = vars.secret_values();
        for value in ["given-on-the-line", "from-the-file-1", "key-on-the-line"] {
            assert!(secrets.contains(&value), "{value} not secret: {secrets:?}");
        }
        assert!(!secrets.contains(&"plain-host"), "{secrets:?}");
        // An unset secret of a workspace environment, given with --var, is secret too.
        let mut vault = Environment::new("Vault");
        vault.variables = vec![Variable::secret("pw", "")];
        let vars = Variables {
            local: vec![Variable::new("pw", "typed-password")],
            ..Variables::default()
        }
        .with_environment(vault);
        assert_eq!(vars.secret_values(), vec!["typed-password"]);
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
        let env = |e| VariableFlags {
            env: Some(e),
            ..VariableFlags::default()
        };
        let missing = Variables::load(env("/nonexistent/env.json")).expect_err("missing file");
        assert!(missing.contains("--env /nonexistent/env.json") && missing.contains("cannot read"));
        let corrupt = write("corrupt.json", "{\"wsdeck_environment\": 1, \"name\": ");
        let err = Variables::load(env(&corrupt.to_string_lossy())).expect_err("corrupt");
        assert!(
            err.contains("corrupt.json") && err.contains("line"),
            "{err}"
        );
        let bad_var = Variables::load(VariableFlags {
            vars: &["novalue".into()],
            ..VariableFlags::default()
        })
        .expect_err("no =");
        assert!(bad_var.starts_with("--var:"), "{bad_var}");
    }
}
