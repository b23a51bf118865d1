//! Docker credential helpers (`docker-credential-NAME get|store|erase`),
//! which `credHelpers` and `credsStore` in the registry config file name.
//!
//! The protocol: `get` and `erase` read the server address on stdin; `store`
//! reads `{"ServerURL","Username","Secret"}`; `get` prints the same object.
//! A helper that knows nothing about the server exits non-zero and prints
//! `credentials not found in native keychain` on stdout.

use super::{Credentials, RegistryError};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use wait_timeout::ChildExt;

/// What helpers print when they hold nothing for the server.
const NOT_FOUND: &str = "credentials not found in native keychain";

/// The user name with which a helper hands over an identity token (OAuth2
/// refresh token) instead of a password.
const TOKEN_USERNAME: &str = "<token>";

/// How long output is still collected once the helper has exited: a
/// background process it started (gpg-agent, say) may hold the pipes open
/// forever, and what the helper itself wrote is already in them.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// How long a helper may run: they usually answer at once, but one that
/// waits for a locked keychain must not hang hoist forever.
pub const HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// One credential helper program.
#[derive(Debug, Clone)]
pub(crate) struct Helper {
    /// The `NAME` of `docker-credential-NAME`.
    name: String,
    /// Where the config file names it, for error messages.
    configured_in: String,
    /// What to run: `docker-credential-NAME`, found on PATH.
    program: std::path::PathBuf,
    timeout: Duration,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct HelperCredentials {
    #[serde(rename = "ServerURL", default)]
    server_url: String,
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

/// Why a helper run did not produce output.
enum Failure {
    /// The helper said it has no credentials for the server.
    NotFound,
    /// The program is not installed.
    Missing,
    /// Anything else, already worded for the user.
    Other(String),
}

impl Helper {
    /// The helper `docker-credential-NAME`; `configured_in` says where the
    /// setting came from (`credHelpers of FILE`).
    pub fn new(name: &str, configured_in: String) -> Helper {
        Helper {
            name: name.to_string(),
            configured_in,
            program: format!("docker-credential-{name}").into(),
            timeout: HELPER_TIMEOUT,
        }
    }

    /// The program's file name, as users know it.
    pub fn program(&self) -> String {
        format!("docker-credential-{}", self.name)
    }

    fn error(&self, action: &str, message: String) -> RegistryError {
        RegistryError::CredentialHelper {
            helper: self.program(),
            action: action.to_string(),
            message,
        }
    }

    /// The error for a run that failed otherwise than "not found".
    fn failed(&self, action: &str, failure: Failure) -> RegistryError {
        match failure {
            Failure::NotFound => self.error(action, NOT_FOUND.into()),
            Failure::Missing => RegistryError::HelperNotInstalled {
                helper: self.program(),
                action: action.to_string(),
                name: self.name.clone(),
                configured_in: self.configured_in.clone(),
            },
            Failure::Other(m) => self.error(action, m),
        }
    }

    /// The credentials the helper holds for `server`, `None` when it has none.
    pub fn get(&self, server: &str) -> Result<Option<Credentials>, RegistryError> {
        let out = match self.run("get", server.as_bytes()) {
            Ok(out) => out,
            Err(Failure::NotFound) => return Ok(None),
            Err(f) => return Err(self.failed("get", f)),
        };
        let creds: HelperCredentials = serde_json::from_slice(&out).map_err(|e| {
            self.error(
                "get",
                format!("its output is not the JSON credentials object ({e})"),
            )
        })?;
        if creds.username.is_empty() && creds.secret.is_empty() {
            return Ok(None);
        }
        if creds.username == TOKEN_USERNAME {
            return Err(RegistryError::IdentityToken {
                host: server.to_string(),
                found_in: format!("{} ({})", self.program(), self.configured_in),
            });
        }
        Ok(Some(Credentials {
            username: creds.username,
            password: creds.secret,
        }))
    }

    /// Hands `creds` for `server` to the helper.
    pub fn store(&self, server: &str, creds: &Credentials) -> Result<(), RegistryError> {
        let input = serde_json::to_vec(&HelperCredentials {
            server_url: server.to_string(),
            username: creds.username.clone(),
            secret: creds.password.clone(),
        })
        .map_err(|e| self.error("store", e.to_string()))?;
        match self.run("store", &input) {
            Ok(_) => Ok(()),
            Err(f) => Err(self.failed("store", f)),
        }
    }

    /// Asks the helper to forget `server`; false when it held nothing.
    pub fn erase(&self, server: &str) -> Result<bool, RegistryError> {
        match self.run("erase", server.as_bytes()) {
            Ok(_) => Ok(true),
            Err(Failure::NotFound) => Ok(false),
            Err(f) => Err(self.failed("erase", f)),
        }
    }

    /// Runs `docker-credential-NAME ACTION` with `input` on stdin and
    /// returns its stdout, killing it after the timeout.
    fn run(&self, action: &str, input: &[u8]) -> Result<Vec<u8>, Failure> {
        if self.name.is_empty() || self.name.contains(['/', '\\']) {
            return Err(Failure::Other(format!(
                "{:?} (from {}) is not a helper name",
                self.name, self.configured_in
            )));
        }
        let program = self.program();
        let mut child = Command::new(&self.program)
            .arg(action)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    Failure::Missing
                } else {
                    Failure::Other(format!("cannot start {program}: {e}"))
                }
            })?;
        let started = Instant::now();
        if let Some(mut stdin) = child.stdin.take() {
            // A helper may exit before reading everything; its exit status
            // and output then tell what happened. The write runs on a thread
            // of its own so that the SIGPIPE it may raise stays there.
            std::thread::scope(|scope| {
                scope.spawn(|| {
                    crate::process::block_sigpipe_in_this_thread();
                    let _ = stdin.write_all(input);
                });
            });
        }
        // Read both pipes on threads so a chatty helper cannot block on a
        // full pipe while we wait for it. The threads hand their output over
        // a channel, so waiting for it has a deadline: a pipe a background
        // process keeps open would otherwise block a join forever (the
        // thread is then left behind, blocked on a pipe nobody writes).
        let (tx, rx) = mpsc::channel::<(Stream, Option<Vec<u8>>)>();
        let mut open = 0;
        if let Some(s) = child.stdout.take() {
            read_on_thread(s, Stream::Out, tx.clone());
            open += 1;
        }
        if let Some(s) = child.stderr.take() {
            read_on_thread(s, Stream::Err, tx.clone());
            open += 1;
        }
        drop(tx);
        let status = match child.wait_timeout(self.timeout) {
            Ok(Some(status)) => status,
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Failure::Other(format!(
                    "{program} {action} did not answer within {} s; it was stopped",
                    self.timeout.as_secs_f64()
                )));
            }
            Err(e) => {
                let _ = child.kill();
                return Err(Failure::Other(format!("waiting for {program}: {e}")));
            }
        };
        let deadline = (started + self.timeout).min(Instant::now() + EXIT_GRACE);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        while open > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok((Stream::Out, Some(chunk))) => out.extend(chunk),
                Ok((Stream::Err, Some(chunk))) => err.extend(chunk),
                Ok((_, None)) => open -= 1,
                // A pipe still open now is held by someone else: judge the
                // exit status and what the helper wrote.
                Err(_) => break,
            }
        }
        if status.success() {
            return Ok(out);
        }
        let said = String::from_utf8_lossy(&out).trim().to_string();
        if said == NOT_FOUND {
            return Err(Failure::NotFound);
        }
        let said = if said.is_empty() {
            String::from_utf8_lossy(&err).trim().to_string()
        } else {
            said
        };
        Err(Failure::Other(if said.is_empty() {
            format!("{program} {action} failed ({status})")
        } else {
            format!("{program} {action} failed ({status}): {said}")
        }))
    }
}

/// Which pipe a reader thread drains.
#[derive(Clone, Copy)]
enum Stream {
    Out,
    Err,
}

/// Reads `pipe` on a new thread, sending each chunk to `tx` as it comes
/// (so output is not lost when the pipe never ends) and `None` at its end.
fn read_on_thread(
    mut pipe: impl Read + Send + 'static,
    which: Stream,
    tx: mpsc::Sender<(Stream, Option<Vec<u8>>)>,
) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if tx.send((which, Some(buf[..n].to_vec()))).is_err() {
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = tx.send((which, None));
    });
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::path::Path;

    /// Writes `docker-credential-NAME` as a shell script into `dir` and
    /// returns a helper running it by absolute path (tests run in parallel,
    /// so PATH is left alone).
    fn script(dir: &Path, name: &str, body: &str) -> Helper {
        let path = dir.join(format!("docker-credential-{name}"));
        crate::process::write_test_script(&path, body);
        Helper {
            program: path,
            ..Helper::new(name, "credHelpers of the test config".into())
        }
    }

    fn creds(u: &str, p: &str) -> Credentials {
        Credentials {
            username: u.into(),
            password: p.into(),
        }
    }

    #[test]
    fn get_store_and_erase_speak_the_protocol() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        // Records the action and stdin, answers like docker-credential-pass.
        let h = script(
            dir.path(),
            "rec",
            &format!(
                r#"input=$(cat); echo "$1 $input" >> {log}
case "$1" in
  get) if [ "$input" = "r.example:5000" ]; then
         printf '{{"ServerURL":"r.example:5000","Username":"u","Secret":"s3"}}'
       else echo "credentials not found in native keychain"; exit 1; fi ;;
  erase) if [ "$input" = "r.example:5000" ]; then exit 0; fi
         echo "credentials not found in native keychain"; exit 1 ;;
  store) exit 0 ;;
esac"#,
                log = log.display()
            ),
        );
        assert_eq!(h.get("r.example:5000").unwrap(), Some(creds("u", "s3")));
        assert_eq!(h.get("other").unwrap(), None);
        h.store("r.example:5000", &creds("me", "pw")).unwrap();
        assert!(h.erase("r.example:5000").unwrap());
        assert!(!h.erase("other").unwrap());
        let seen = std::fs::read_to_string(&log).unwrap();
        let lines: Vec<&str> = seen.lines().collect();
        assert_eq!(lines[0], "get r.example:5000");
        let (action, json) = lines[2].split_once(' ').unwrap();
        assert_eq!(action, "store");
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"ServerURL":"r.example:5000","Username":"me","Secret":"pw"})
        );
    }

    #[test]
    fn failures_name_the_helper_and_what_it_said() {
        let dir = tempfile::tempdir().unwrap();
        let h = script(dir.path(), "broken", "echo 'keychain is locked'; exit 3");
        let e = h.get("h").unwrap_err().to_string();
        assert!(
            e.contains("docker-credential-broken") && e.contains("keychain is locked"),
            "{e}"
        );
        let h = script(dir.path(), "garbage", "echo not-json");
        let e = h.get("h").unwrap_err().to_string();
        assert!(e.contains("not the JSON credentials"), "{e}");
        let missing = Helper::new("hoist-test-absent", "credsStore of /x/config.json".into());
        let e = missing.get("h").unwrap_err().to_string();
        assert!(
            e.contains("docker-credential-hoist-test-absent is not on PATH")
                && e.contains("credsStore of /x/config.json"),
            "{e}"
        );
        let bad = Helper::new("../evil", "credsStore of f".into());
        assert!(bad.get("h").is_err());
    }

    #[test]
    fn a_hanging_helper_is_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let h = Helper {
            timeout: Duration::from_millis(300),
            ..script(dir.path(), "slow", "exec sleep 30")
        };
        let start = std::time::Instant::now();
        let e = h.get("h").unwrap_err().to_string();
        assert!(e.contains("did not answer"), "{e}");
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_background_process_holding_the_pipes_does_not_hang_get() {
        let dir = tempfile::tempdir().unwrap();
        // The helper answers and exits, leaving a child that keeps its
        // stdout and stderr open far longer than the test waits.
        let h = Helper {
            timeout: Duration::from_secs(20),
            ..script(
                dir.path(),
                "daemon",
                r#"printf '{"ServerURL":"h","Username":"u","Secret":"s"}'; sleep 15 &"#,
            )
        };
        let start = std::time::Instant::now();
        assert_eq!(h.get("h").unwrap(), Some(creds("u", "s")));
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn a_token_username_is_an_identity_token_error() {
        let dir = tempfile::tempdir().unwrap();
        let h = script(
            dir.path(),
            "oauth",
            r#"printf '{"ServerURL":"h","Username":"<token>","Secret":"refresh"}'"#,
        );
        let e = h.get("r.example").unwrap_err();
        assert!(matches!(e, RegistryError::IdentityToken { .. }), "{e}");
        let e = e.to_string();
        assert!(
            e.contains("not supported yet for r.example") && e.contains("docker-credential-oauth"),
            "{e}"
        );
    }
}
