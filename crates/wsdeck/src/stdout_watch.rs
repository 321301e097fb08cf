//! The watch on stdout's reader in the pipe mode.
//!
//! `| head -1` on a server that then goes quiet: the next write would find the pipe closed,
//! but none may come. So a thread waits for the reader of stdout to go away (poll reports an
//! error on a pipe with no reader, a hang-up on a socket) and closes the connection then;
//! the printer ends as for `| head` (exit 0). A terminal or a file never reports either.

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use tokio::runtime::Handle;
use wsdeck_engine::Session;

use crate::session_config::CloseFrame;

/// Starts the watch: once stdout's reader has gone, `session` is closed with `close`.
pub fn spawn(close: CloseFrame, session: Session, rt: Handle) {
    std::thread::spawn(move || {
        let stdout = std::io::stdout();
        let mut fds = [PollFd::new(
            std::os::fd::AsFd::as_fd(&stdout),
            PollFlags::empty(),
        )];
        loop {
            match poll(&mut fds, PollTimeout::NONE) {
                Err(nix::errno::Errno::EINTR) => continue,
                // poll(2) itself failed: nothing to watch with; the next write still tells.
                Err(_) => return,
                Ok(_) => break,
            }
        }
        let gone = PollFlags::POLLERR | PollFlags::POLLHUP;
        if fds[0].revents().is_some_and(|r| r.intersects(gone)) {
            session.log().set_pacing(0);
            let _ = rt.block_on(session.close(close.code, &close.reason));
        }
    });
}
