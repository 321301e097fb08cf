//! The workbench's static files: embedded at build time (`build.rs` over `ui/dist`) or, for
//! UI development, read from a directory (`wsdeck ui --assets ui/dist`) on every request.
//!
//! Only `GET` of known files; every answer carries a Content-Security-Policy that lets the
//! page load nothing but its own files and talk to nothing but its own server, so a
//! message that smuggles markup into the log cannot run code or send data elsewhere.

use std::path::PathBuf;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/ui_assets.rs"));

/// Where the page's files come from.
#[derive(Debug, Clone)]
pub(crate) enum AssetSource {
    Embedded,
    Directory(PathBuf),
}

impl AssetSource {
    /// Whether the page can be served: an `index.html` exists.
    pub(crate) fn has_index(&self) -> bool {
        match self {
            AssetSource::Embedded => UI_ASSETS.iter().any(|(p, _)| *p == "index.html"),
            AssetSource::Directory(dir) => dir.join("index.html").is_file(),
        }
    }

    fn read(&self, rel: &str) -> Option<Vec<u8>> {
        match self {
            AssetSource::Embedded => UI_ASSETS
                .iter()
                .find(|(p, _)| *p == rel)
                .map(|(_, b)| b.to_vec()),
            AssetSource::Directory(dir) => std::fs::read(dir.join(rel)).ok(),
        }
    }
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
base-uri 'none'; form-action 'none'; object-src 'none'";

/// The routes serving the page: `/` is `index.html`; other paths are files of the build.
pub(crate) fn router(source: AssetSource) -> Router {
    Router::new().fallback(move |method: axum::http::Method, uri: Uri| {
        let source = source.clone();
        async move {
            if method != axum::http::Method::GET && method != axum::http::Method::HEAD {
                return (StatusCode::METHOD_NOT_ALLOWED, "only GET\n").into_response();
            }
            serve(&source, uri.path())
        }
    })
}

fn serve(source: &AssetSource, path: &str) -> Response {
    let rel = match path.trim_start_matches('/') {
        "" | "index.html" => "index.html",
        other => other,
    };
    // Paths come from the build's own file list; refuse anything that could leave it.
    if rel
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
        || rel.contains('\\')
    {
        return not_found();
    }
    let Some(body) = source.read(rel) else {
        return not_found();
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime(rel)));
    // Vite names built files by content hash; index.html must always be fetched anew.
    let cache = if rel.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "not found\n",
    )
        .into_response()
}

fn mime(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_build_are_not_found() {
        let dir = std::env::temp_dir().join(format!("wsdeck-assets-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("assets")).expect("mkdir");
        std::fs::write(dir.join("index.html"), "<!doctype html>").expect("write");
        std::fs::write(dir.join("assets/app.js"), "1").expect("write");
        let source = AssetSource::Directory(dir.join("assets"));
        for bad in ["/../index.html", "/a//b", "/./app.js", "/..\\index.html"] {
            assert_eq!(serve(&source, bad).status(), StatusCode::NOT_FOUND, "{bad}");
        }
        assert_eq!(serve(&source, "/app.js").status(), StatusCode::OK);
        let root = AssetSource::Directory(dir.clone());
        let page = serve(&root, "/");
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(page.headers()[header::CACHE_CONTROL], "no-cache");
        assert!(
            page.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .expect("ascii")
                .contains("connect-src 'self'")
        );
        let js = serve(&root, "/assets/app.js");
        assert_eq!(
            js.headers()[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
