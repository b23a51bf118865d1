//! Plumbing shared by the child processes hoist runs: post-renderers and
//! Docker credential helpers.

/// Turns the SIGPIPE a write to a child's closed stdin raises into a
/// plain `EPIPE` error, for the calling thread only (call it on a thread
/// of its own that only writes to the child). The CLI restores SIGPIPE's
/// default action (so that `hoist list | head` ends quietly), which would
/// otherwise kill hoist when a post-renderer or a credential helper exits
/// without reading all its input; Go's runtime gives Helm `EPIPE` there. The
/// signal a write raises is directed at the writing thread, so while it
/// is blocked it only stays pending on that thread and goes when the
/// thread ends.
pub(crate) fn block_sigpipe_in_this_thread() {
    #[cfg(unix)]
    // SAFETY: the set is initialised by `sigemptyset` before use, and
    // `pthread_sigmask` changes only the calling thread's mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Writes an executable shell script with `body` at `path`, for tests.
///
/// The file is written by a child `sh`, not by this process: a test that
/// writes a script while other test threads start programs would otherwise
/// let their forked children inherit the open file for a moment, and
/// running the script then fails with "Text file busy" (ETXTBSY).
#[cfg(all(test, unix))]
pub(crate) fn write_test_script(path: &std::path::Path, body: &str) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sh")
        .args(["-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh"])
        .arg(path)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("#!/bin/sh\n{body}\n").as_bytes())
        .unwrap();
    drop(stdin);
    assert!(
        child.wait().unwrap().success(),
        "writing {}",
        path.display()
    );
}
