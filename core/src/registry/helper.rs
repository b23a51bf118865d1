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
use std::time::Duration;
use wait_timeout::ChildExt;

/// What helpers print when they hold nothing for the server.
const NOT_FOUND: &str = "credentials not found in native keychain";

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

    /// The credentials the helper holds for `server`, `None` when it has none.
    pub fn get(&self, server: &str) -> Result<Option<Credentials>, RegistryError> {
        let out = match self.run("get", server.as_bytes()) {
            Ok(out) => out,
            Err(Failure::NotFound) => return Ok(None),
            Err(Failure::Other(m)) => return Err(self.error("get", m)),
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
            Err(Failure::NotFound) => Err(self.error("store", NOT_FOUND.into())),
            Err(Failure::Other(m)) => Err(self.error("store", m)),
        }
    }

    /// Asks the helper to forget `server`; false when it held nothing.
    pub fn erase(&self, server: &str) -> Result<bool, RegistryError> {
        match self.run("erase", server.as_bytes()) {
            Ok(_) => Ok(true),
            Err(Failure::NotFound) => Ok(false),
            Err(Failure::Other(m)) => Err(self.error("erase", m)),
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
                Failure::Other(if e.kind() == std::io::ErrorKind::NotFound {
                    format!(
                        "{program} is not on PATH ({} names the helper {:?}); install it, or remove the setting to use the credentials in the file",
                        self.configured_in, self.name
                    )
                } else {
                    format!("cannot start {program}: {e}")
                })
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            // A helper may exit before reading everything; its exit status
            // and output then tell what happened.
            let _ = stdin.write_all(input);
        }
        // Read both pipes on threads so a chatty helper cannot block on a
        // full pipe while we wait for it.
        let stdout = child.stdout.take().map(|mut s| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = s.read_to_end(&mut buf);
                buf
            })
        });
        let stderr = child.stderr.take().map(|mut s| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = s.read_to_end(&mut buf);
                buf
            })
        });
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
        let out = stdout.and_then(|t| t.join().ok()).unwrap_or_default();
        let err = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::path::Path;

    /// Writes `docker-credential-NAME` as a shell script into `dir` and
    /// returns a helper running it by absolute path (tests run in parallel,
    /// so PATH is left alone).
    fn script(dir: &Path, name: &str, body: &str) -> Helper {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(format!("docker-credential-{name}"));
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
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
}
