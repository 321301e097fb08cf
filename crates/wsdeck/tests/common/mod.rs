//! Shared by the binary's black-box tests: an in-process echo server on 127.0.0.1.

use wsdeck_echo::{EchoConfig, EchoServer};

/// An in-process echo server on its own runtime, stopped when dropped.
pub struct Echo {
    /// `None` while a test has taken it down (to restart it on the same address).
    pub server: Option<EchoServer>,
    pub rt: tokio::runtime::Runtime,
}

impl Echo {
    pub fn start() -> Echo {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime for the echo server");
        let server = rt
            .block_on(EchoServer::start(EchoConfig::default()))
            .expect("echo server on 127.0.0.1:0");
        Echo {
            server: Some(server),
            rt,
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.server.as_ref().expect("server running").url(path)
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.rt.block_on(server.shutdown());
        }
    }
}
