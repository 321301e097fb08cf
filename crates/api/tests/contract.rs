//! The generated documents are checked in and must match what the code makes: the OpenRPC
//! document (`docs/openrpc.json`, also `rpc.discover`'s answer) and the page's TypeScript
//! (`ui/src/api.gen.ts`). After changing a wire type, write them anew with
//! `WSDECK_BLESS=1 cargo test -p wsdeck-api --test contract` and commit them.

use std::path::PathBuf;

fn repo_file(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// Compares `made` with the checked-in file, or writes it when blessing.
fn check(path: &str, made: &str) {
    let file = repo_file(path);
    if std::env::var_os("WSDECK_BLESS").is_some() {
        std::fs::write(&file, made).expect("write the generated file");
        return;
    }
    let kept = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        kept == made,
        "{path} is stale: it differs from what the api crate's wire types make. Run \
         `WSDECK_BLESS=1 cargo test -p wsdeck-api --test contract` and commit the file."
    );
}

#[test]
fn the_openrpc_document_is_current() {
    let text = serde_json::to_string_pretty(&wsdeck_api::openrpc()).expect("JSON") + "\n";
    check("docs/openrpc.json", &text);
}

#[test]
fn the_typescript_of_the_page_is_current() {
    check("ui/src/api.gen.ts", &wsdeck_api::typescript());
}

#[test]
fn every_method_has_a_summary_and_by_name_params() {
    let doc = wsdeck_api::openrpc();
    for m in doc["methods"].as_array().expect("methods") {
        assert!(m["summary"].as_str().is_some_and(|s| !s.is_empty()), "{m}");
        for p in m["params"].as_array().expect("params") {
            assert!(p["name"].is_string() && p["schema"].is_object(), "{m}");
        }
    }
    let open = doc["methods"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["name"] == "wsdeck.open"))
        .expect("wsdeck.open");
    let url = open["params"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "url"))
        .expect("url param");
    assert_eq!(url["required"], true);

    let params_of = |name: &str| -> Vec<(String, bool)> {
        doc["methods"]
            .as_array()
            .and_then(|ms| ms.iter().find(|m| m["name"] == name))
            .and_then(|m| m["params"].as_array())
            .map(|ps| {
                ps.iter()
                    .map(|p| {
                        (
                            p["name"].as_str().unwrap_or("").to_owned(),
                            p["required"] == true,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    // What the handlers demand, the document says: both retention keys are required (null is
    // "no limit"), and minify takes no indent.
    assert_eq!(
        params_of("wsdeck.history.setRetention"),
        [("maxAgeDays".to_owned(), true), ("maxMib".to_owned(), true)]
    );
    assert_eq!(
        params_of("wsdeck.format.minify"),
        [("text".to_owned(), true), ("format".to_owned(), true)]
    );
}
