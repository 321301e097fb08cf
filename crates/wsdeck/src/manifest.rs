//! `--manifest FILE`: a Snaps-style manifest (`snap.manifest.json`) as the source of a
//! caller's permissions, so a snap's own manifest grants exactly what it declares.
//!
//! Only what decides access is read: the keys of `initialPermissions` become granted
//! permissions, and `source.location.npm.packageName` gives the caller's id (`npm:NAME`)
//! when no `--origin` is given. Everything else in the manifest is ignored.

use std::path::Path;

use serde_json::Value;

/// What a manifest grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The keys of `initialPermissions`, e.g. `endowment:network-access`.
    pub permissions: Vec<String>,
    /// `npm:<packageName>` when the manifest names its npm package.
    pub origin: Option<String>,
}

impl Manifest {
    /// Reads `path`; errors name the file and what is wrong.
    pub fn read(path: &Path) -> Result<Manifest, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--manifest {}: cannot read the file: {e}", path.display()))?;
        Manifest::parse(&text).map_err(|e| format!("--manifest {}: {e}", path.display()))
    }

    /// Parses a manifest's JSON text.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            format!(
                "not valid JSON at line {}, column {}: {e}",
                e.line(),
                e.column()
            )
        })?;
        let Some(object) = value.as_object() else {
            return Err("a snap manifest is a JSON object".into());
        };
        let permissions = match object.get("initialPermissions") {
            Some(Value::Object(map)) => map.keys().cloned().collect(),
            Some(_) => return Err("`initialPermissions` must be an object".into()),
            None => {
                return Err(
                    "no `initialPermissions`: is this a snap.manifest.json? (it grants nothing)"
                        .into(),
                );
            }
        };
        let origin = object
            .get("source")
            .and_then(|s| s.pointer("/location/npm/packageName"))
            .and_then(Value::as_str)
            .filter(|name| !name.is_empty())
            .map(|name| format!("npm:{name}"));
        Ok(Manifest {
            permissions,
            origin,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_permissions_and_the_package_name_are_read() {
        let manifest = Manifest::parse(
            r#"{"version": "1.0.0", "proposedName": "Example",
                "source": {"shasum": "x", "location": {"npm": {"filePath": "dist/bundle.js",
                           "packageName": "@metamask/example-snap", "registry": "https://registry.npmjs.org"}}},
                "initialPermissions": {"endowment:network-access": {}, "snap_dialog": {}},
                "manifestVersion": "0.1"}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            manifest.permissions,
            vec![
                "endowment:network-access".to_owned(),
                "snap_dialog".to_owned()
            ]
        );
        assert_eq!(
            manifest.origin.as_deref(),
            Some("npm:@metamask/example-snap")
        );
    }

    #[test]
    fn bad_manifests_say_what_is_wrong() {
        assert!(Manifest::parse("{").unwrap_err().contains("line 1"));
        assert!(Manifest::parse("[]").unwrap_err().contains("object"));
        assert!(
            Manifest::parse("{}")
                .unwrap_err()
                .contains("initialPermissions")
        );
        assert!(
            Manifest::parse(r#"{"initialPermissions": []}"#)
                .unwrap_err()
                .contains("must be an object")
        );
        let none =
            Manifest::parse(r#"{"initialPermissions": {}}"#).unwrap_or_else(|e| panic!("{e}"));
        assert!(none.permissions.is_empty() && none.origin.is_none());
    }
}
