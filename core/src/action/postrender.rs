//! `--post-renderer`: an executable that rewrites the rendered manifests
//! before they are stored and applied (CD pipelines run kustomize this way).
//!
//! hoist follows Helm 3's executable post-renderer (`pkg/postrender/exec.go`
//! and `renderResources` in `pkg/action/action.go`, v3.21): the manifest
//! block (`---\n# Source: PATH\n` + document, for every non-hook resource,
//! CRDs first when `template --include-crds`) goes to the program's stdin,
//! and its stdout replaces the block verbatim, so that is what the release
//! records and applies. Hooks and NOTES are not post-rendered. Helm v4 takes
//! a plugin name instead and also post-renders hooks; hoist keeps Helm 3's
//! contract so existing scripts keep working (see README, deviations).
//!
//! `--post-renderer NAME` where NAME is an installed `postrenderer/v1`
//! plugin runs that plugin instead (Helm v4's meaning of the flag): its
//! command with `--post-renderer-args` appended, `HELM_PLUGIN_NAME` and
//! `HELM_PLUGIN_DIR` set, the same manifest block in and out. Any other
//! value is a program path, as before.
//!
//! Two checks go beyond Helm 3, as Helm v4 does them: empty output for a
//! non-empty block is an error (Helm 3 would store an empty manifest, and
//! the next upgrade would then delete every object), and output that is not
//! YAML is rejected here, with the document and line at fault, before
//! anything is stored or applied.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use crate::release::manifest::{parse_head, split_manifests};

/// Why a post-renderer could not be used or failed.
#[derive(Debug, thiserror::Error)]
pub enum PostRenderError {
    /// The program does not exist or is not executable.
    #[error("unable to find binary at {program}: {reason}")]
    NotFound {
        /// The program as the user gave it.
        program: String,
        /// What the lookup found instead.
        reason: String,
    },
    /// The program could not be started.
    #[error("error while running post render on files: could not start {}: {source}", .program.display())]
    Spawn {
        /// The resolved program path.
        program: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The manifests could not be written to the program's stdin.
    #[error("error while running post render on files: writing the manifests to {}: {source}", .program.display())]
    Stdin {
        /// The resolved program path.
        program: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The program exited unsuccessfully (Helm 3's message, stderr included).
    #[error("error while running post render on files: error while running command {}. error output:\n{stderr}: {status}", .program.display())]
    Failed {
        /// The resolved program path.
        program: PathBuf,
        /// `exit status N` or `signal: N`, as Go prints them.
        status: String,
        /// Everything the program wrote to stderr.
        stderr: String,
    },
    /// The program printed nothing but whitespace.
    #[error("error while running post render on files: post-renderer {:?} produced empty output", .program.display().to_string())]
    EmptyOutput {
        /// The resolved program path.
        program: PathBuf,
    },
    /// A post-renderer plugin has no command for this platform.
    #[error("post-renderer plugin {name:?}: {message}")]
    Plugin {
        /// The plugin's name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The program's output is not UTF-8 text.
    #[error("error while parsing post rendered output of {}: it is not UTF-8 text ({source})", .program.display())]
    NotUtf8 {
        /// The resolved program path.
        program: PathBuf,
        /// Where the first invalid byte is.
        source: std::string::FromUtf8Error,
    },
    /// A document of the output is not a YAML map.
    #[error("error while parsing post rendered output of {}: document {document} (line {line}): {message}", .program.display())]
    InvalidOutput {
        /// The resolved program path.
        program: PathBuf,
        /// 1-based document number in the output.
        document: usize,
        /// 1-based line of the output where that document starts.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
}

/// A post-renderer: a program (resolved to an absolute path when created)
/// and the arguments it is run with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostRenderer {
    program: PathBuf,
    args: Vec<String>,
    /// Variables set for the program (a plugin's `HELM_PLUGIN_*`).
    env: Vec<(String, String)>,
    /// The plugin's name, for a post-renderer plugin.
    plugin: Option<String>,
}

impl PostRenderer {
    /// Resolves `program` as Helm's `exec.LookPath` does: a name without a
    /// `/` is searched in `$PATH`, anything else is taken relative to the
    /// working directory; either way it must be an executable file. The
    /// result is made absolute so that it does not depend on where it runs.
    pub fn new(program: &str, args: Vec<String>) -> Result<Self, PostRenderError> {
        let not_found = |reason: String| PostRenderError::NotFound {
            program: program.to_string(),
            reason,
        };
        if program.is_empty() {
            return Err(not_found("no program given".into()));
        }
        let found = which::which(program).map_err(|_| not_found(lookup_failure(program)))?;
        let absolute = if found.is_absolute() {
            found
        } else {
            std::env::current_dir()
                .map_err(|e| not_found(format!("cannot read the working directory: {e}")))?
                .join(found)
        };
        Ok(PostRenderer {
            program: absolute,
            args,
            env: Vec::new(),
            plugin: None,
        })
    }

    /// What `--post-renderer NAME` means: the `postrenderer/v1` plugin
    /// named NAME when one is installed (Helm v4), else the program NAME
    /// (Helm 3, [`PostRenderer::new`]).
    pub fn from_flag(name: &str, args: Vec<String>) -> Result<Self, PostRenderError> {
        let mut plugins_unreadable = None;
        if crate::plugin::is_valid_name(name) {
            match crate::plugin::find_plugins(
                &crate::plugin::plugin_dirs(),
                Some(crate::plugin::PluginType::PostRenderer),
            ) {
                Ok(found) => {
                    if let Some(plugin) = found.get(name, None) {
                        return Self::from_plugin(plugin, args);
                    }
                }
                Err(e) => plugins_unreadable = Some(e.to_string()),
            }
        }
        // No program either: say why no plugin was found, which is the
        // likelier meaning of a bare name.
        Self::new(name, args).map_err(|e| match (e, plugins_unreadable) {
            (PostRenderError::NotFound { program, reason }, Some(why)) => {
                PostRenderError::NotFound {
                    program,
                    reason: format!(
                        "{reason}; and no post-renderer plugin could be looked up: {why}"
                    ),
                }
            }
            (e, _) => e,
        })
    }

    /// A post-renderer plugin's command, with `args` after its own.
    pub fn from_plugin(
        plugin: &crate::plugin::Plugin,
        args: Vec<String>,
    ) -> Result<Self, PostRenderError> {
        let env = crate::plugin::run::PluginEnv::new(plugin, &[]);
        let (program, args) =
            crate::plugin::run::main_command(plugin, &env, &args).map_err(|e| {
                PostRenderError::Plugin {
                    name: plugin.name().to_string(),
                    message: e.to_string(),
                }
            })?;
        Ok(PostRenderer {
            program: PathBuf::from(program),
            args,
            env: env.vars().to_vec(),
            plugin: Some(plugin.name().to_string()),
        })
    }

    /// The plugin's name, when this is a post-renderer plugin.
    pub fn plugin(&self) -> Option<&str> {
        self.plugin.as_deref()
    }

    /// The program's absolute path.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// The arguments passed to the program (`--post-renderer-args`).
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// Runs the program on a blocking thread (see [`PostRenderer::run_blocking`]).
    pub async fn run(&self, manifests: String) -> Result<String, PostRenderError> {
        let this = self.clone();
        let program = self.program.clone();
        tokio::task::spawn_blocking(move || this.run_blocking(&manifests))
            .await
            .unwrap_or_else(|e| {
                Err(PostRenderError::Spawn {
                    program,
                    source: io::Error::other(format!("the post-render thread failed: {e}")),
                })
            })
    }

    /// Pipes `manifests` through the program and returns its output, checked
    /// to be non-empty YAML. Stdin is written from its own thread while
    /// stdout and stderr are read, so a program that writes a lot before it
    /// has read everything cannot deadlock with hoist.
    pub fn run_blocking(&self, manifests: &str) -> Result<String, PostRenderError> {
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| PostRenderError::Spawn {
                program: self.program.clone(),
                source,
            })?;
        let stdin = child.stdin.take();
        let input = manifests.as_bytes().to_vec();
        let writer = std::thread::spawn(move || {
            crate::process::block_sigpipe_in_this_thread();
            match stdin {
                // Dropping the handle closes the pipe: the program sees EOF.
                Some(mut pipe) => pipe.write_all(&input),
                None => Ok(()),
            }
        });
        let output = child
            .wait_with_output()
            .map_err(|source| PostRenderError::Spawn {
                program: self.program.clone(),
                source,
            })?;
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the stdin writer thread panicked")));
        if !output.status.success() {
            return Err(PostRenderError::Failed {
                program: self.program.clone(),
                status: go_exit_status(output.status),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            });
        }
        // A program may succeed without reading all its input (it closed
        // stdin early); only other write errors are worth reporting.
        if let Err(source) = written
            && source.kind() != io::ErrorKind::BrokenPipe
        {
            return Err(PostRenderError::Stdin {
                program: self.program.clone(),
                source,
            });
        }
        let text = String::from_utf8(output.stdout).map_err(|source| PostRenderError::NotUtf8 {
            program: self.program.clone(),
            source,
        })?;
        // Empty output for a non-empty block would record and apply a
        // release without objects; a chart with only hooks has nothing to
        // lose, so nothing in may come back as nothing.
        if text.trim().is_empty() && !manifests.trim().is_empty() {
            return Err(PostRenderError::EmptyOutput {
                program: self.program.clone(),
            });
        }
        check_documents(&text).map_err(|(document, line, message)| {
            PostRenderError::InvalidOutput {
                program: self.program.clone(),
                document,
                line,
                message,
            }
        })?;
        Ok(text)
    }
}

/// Runs `renderer`, when there is one, over a manifest block.
pub async fn post_render(
    renderer: Option<&PostRenderer>,
    manifests: String,
) -> Result<String, PostRenderError> {
    match renderer {
        Some(r) => r.run(manifests).await,
        None => Ok(manifests),
    }
}

/// Why `which` found nothing, in the words of Go's `exec.LookPath`.
fn lookup_failure(program: &str) -> String {
    if !program.contains('/') {
        return format!("exec: {program:?}: executable file not found in $PATH");
    }
    match std::fs::metadata(program) {
        Err(e) => format!("stat {program}: {}", io_reason(&e)),
        Ok(m) if m.is_dir() => format!("exec: {program:?}: is a directory"),
        Ok(_) => format!("exec: {program:?}: permission denied (not executable)"),
    }
}

/// An I/O error without Rust's `(os error N)` suffix, as Go prints it.
fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// `exit status 1` or `signal: 9`, the way Go's `ExitError` reads.
fn go_exit_status(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("signal: {signal}");
        }
    }
    status.to_string()
}

/// Checks that every document of the output is a YAML map (or empty), as
/// the apply step needs; returns `(document, line, message)` for the first
/// one that is not.
fn check_documents(text: &str) -> Result<(), (usize, usize, String)> {
    let mut cursor = 0;
    for (i, doc) in split_manifests(text).iter().enumerate() {
        // Documents are slices of the text in order, so the next match is
        // this one: its offset gives the line a user can look at.
        let at = text[cursor..]
            .find(doc.as_str())
            .map_or(cursor, |p| cursor + p);
        cursor = at + doc.len();
        if let Err(message) = parse_head(doc) {
            let line = text[..at].matches('\n').count() + 1;
            return Err((i + 1, line, message));
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// Writes an executable shell script into `dir`.
    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        let path = dir.join(name);
        crate::process::write_test_script(&path, body);
        path
    }

    const INPUT: &str = "---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";

    fn renderer(path: &Path, args: &[&str]) -> PostRenderer {
        PostRenderer::new(
            path.to_str().unwrap(),
            args.iter().map(|a| a.to_string()).collect(),
        )
        .unwrap()
    }

    #[test]
    fn output_replaces_the_input_verbatim() {
        let dir = tempfile::tempdir().unwrap();
        let p = script(
            dir.path(),
            "label.sh",
            "sed 's/^  name: a$/  name: a\\n  labels:\\n    team: web/'",
        );
        let out = renderer(&p, &[]).run_blocking(INPUT).unwrap();
        assert_eq!(
            out,
            "---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    team: web\n"
        );
    }

    #[test]
    fn arguments_are_passed_in_order_and_unsplit() {
        let dir = tempfile::tempdir().unwrap();
        let p = script(
            dir.path(),
            "args.sh",
            "cat >/dev/null\nprintf 'kind: A\\nmetadata:\\n  name: x\\n'\nfor a in \"$@\"; do printf '# [%s]\\n' \"$a\"; done",
        );
        let out = renderer(&p, &["a,b", "", "c d"])
            .run_blocking(INPUT)
            .unwrap();
        assert!(out.ends_with("# [a,b]\n# []\n# [c d]\n"), "{out}");
    }

    #[test]
    fn a_failing_program_reports_its_status_and_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let p = script(
            dir.path(),
            "fail.sh",
            "cat >/dev/null\necho 'patch not found' >&2\nexit 3",
        );
        let err = renderer(&p, &[]).run_blocking(INPUT).unwrap_err();
        assert!(matches!(err, PostRenderError::Failed { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "error while running post render on files: error while running command {}. error output:\npatch not found\n: exit status 3",
                p.display()
            )
        );
    }

    #[test]
    fn a_program_killed_by_a_signal_says_which() {
        let dir = tempfile::tempdir().unwrap();
        let p = script(dir.path(), "kill.sh", "kill -9 $$");
        let err = renderer(&p, &[]).run_blocking(INPUT).unwrap_err();
        assert!(err.to_string().ends_with(": signal: 9"), "{err}");
    }

    #[test]
    fn empty_output_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = script(dir.path(), "empty.sh", "cat >/dev/null\necho '  '");
        let err = renderer(&p, &[]).run_blocking(INPUT).unwrap_err();
        assert!(matches!(err, PostRenderError::EmptyOutput { .. }));
        assert!(err.to_string().contains("produced empty output"), "{err}");
    }

    #[test]
    fn nothing_in_may_come_back_as_nothing() {
        // A chart with only hooks has an empty manifest block.
        let dir = tempfile::tempdir().unwrap();
        let p = script(dir.path(), "empty.sh", "cat >/dev/null");
        assert_eq!(renderer(&p, &[]).run_blocking("").unwrap(), "");
    }

    #[test]
    fn invalid_yaml_names_the_document_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = script(
            dir.path(),
            "bad.sh",
            "cat\nprintf -- '---\\nkind: [unclosed\\n'",
        );
        let err = renderer(&p, &[]).run_blocking(INPUT).unwrap_err();
        let PostRenderError::InvalidOutput { document, line, .. } = &err else {
            panic!("{err}");
        };
        assert_eq!((*document, *line), (2, 8));
    }

    #[test]
    fn a_document_that_is_not_a_map_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let p = script(dir.path(), "list.sh", "cat >/dev/null\necho '- a'");
        let err = renderer(&p, &[]).run_blocking(INPUT).unwrap_err();
        assert!(matches!(
            err,
            PostRenderError::InvalidOutput {
                document: 1,
                line: 1,
                ..
            }
        ));
    }

    #[test]
    fn non_utf8_output_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let p = script(
            dir.path(),
            "bin.sh",
            "cat >/dev/null\nprintf 'kind: \\377\\n'",
        );
        let err = renderer(&p, &[]).run_blocking(INPUT).unwrap_err();
        assert!(matches!(err, PostRenderError::NotUtf8 { .. }), "{err}");
    }

    #[test]
    fn big_input_and_output_do_not_deadlock() {
        // Far more than a pipe buffer (64 KiB) each way: `cat` writes back
        // while hoist is still writing.
        let dir = tempfile::tempdir().unwrap();
        let p = script(dir.path(), "cat.sh", "cat");
        let mut big = String::new();
        for i in 0..20_000 {
            big.push_str(&format!(
                "---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n"
            ));
        }
        let out = renderer(&p, &[]).run_blocking(&big).unwrap();
        assert_eq!(out, big);
    }

    #[test]
    fn a_program_that_ignores_its_input_may_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let p = script(dir.path(), "fixed.sh", "echo 'kind: Fixed'");
        let big = INPUT.repeat(50_000);
        assert_eq!(
            renderer(&p, &[]).run_blocking(&big).unwrap(),
            "kind: Fixed\n"
        );
    }

    #[test]
    fn missing_programs_are_reported_as_helm_does() {
        let err = PostRenderer::new("hoist-no-such-post-renderer", vec![]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unable to find binary at hoist-no-such-post-renderer: exec: \"hoist-no-such-post-renderer\": executable file not found in $PATH"
        );
        let err = PostRenderer::new("./no/such/file", vec![]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unable to find binary at ./no/such/file: stat ./no/such/file: no such file or directory"
        );
    }

    #[test]
    fn a_file_that_is_not_executable_is_not_a_post_renderer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plain.sh");
        std::fs::write(&path, "#!/bin/sh\ncat\n").unwrap();
        let err = PostRenderer::new(path.to_str().unwrap(), vec![]).unwrap_err();
        assert!(err.to_string().contains("not executable"), "{err}");
    }

    #[test]
    fn relative_paths_become_absolute() {
        let r = PostRenderer::new("sh", vec![]).unwrap();
        assert!(r.program().is_absolute());
        assert!(r.program().ends_with("sh"));
    }

    #[test]
    fn a_post_renderer_plugin_runs_its_command_with_the_arguments_after() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("plugin.yaml"),
            "apiVersion: v1\nname: stamp\ntype: postrenderer/v1\nruntime: subprocess\nversion: 1.0.0\nruntimeConfig:\n  platformCommand:\n  - command: $HELM_PLUGIN_DIR/stamp.sh --own\n",
        )
        .unwrap();
        script(
            dir.path(),
            "stamp.sh",
            "cat\nprintf '# %s in %s:' \"$HELM_PLUGIN_NAME\" \"$(basename \"$HELM_PLUGIN_DIR\")\"\nprintf ' [%s]' \"$@\"\necho",
        );
        let plugin = crate::plugin::load_dir(dir.path()).unwrap();
        let r = PostRenderer::from_plugin(&plugin, vec!["a b".into()]).unwrap();
        assert_eq!(r.plugin(), Some("stamp"));
        let out = r.run_blocking(INPUT).unwrap();
        let base = dir.path().file_name().unwrap().to_string_lossy();
        assert_eq!(out, format!("{INPUT}# stamp in {base}: [--own] [a b]\n"));
        // Not a plugin name: a program path, as before.
        let e = PostRenderer::from_flag("./no/such/stamp", vec![]).unwrap_err();
        assert!(matches!(e, PostRenderError::NotFound { .. }), "{e}");
    }

    #[tokio::test]
    async fn post_render_without_a_renderer_is_the_identity() {
        assert_eq!(post_render(None, INPUT.into()).await.unwrap(), INPUT);
        let dir = tempfile::tempdir().unwrap();
        let p = script(dir.path(), "up.sh", "tr a-z A-Z");
        let r = renderer(&p, &[]);
        let out = post_render(Some(&r), "kind: a\n".into()).await.unwrap();
        assert_eq!(out, "KIND: A\n");
    }
}
