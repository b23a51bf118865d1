//! From `platformCommand` to a program and its arguments, as Helm's
//! `PrepareCommands` does it.
//!
//! - The command for this platform: an entry whose `os` and `arch` both
//!   match wins at once; else the first with a matching `os` and no
//!   `arch`; else the first with neither. An entry with an `arch` but no
//!   `os` never matches (Helm skips it). Names are Go's (`linux`,
//!   `darwin`, `amd64`, `arm64`...), compared without regard to case.
//! - `command` is split at single spaces: the first part is the program,
//!   the rest come before `args`.
//! - `$NAME` and `${NAME}` are replaced as Go's `os.Expand` does, in the
//!   program always and in the arguments when asked to.

use super::PlatformCommand;
use std::collections::HashMap;

/// Go's `runtime.GOOS` for this build.
pub fn go_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}

/// Go's `runtime.GOARCH` for this build.
pub fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "x86" => "386",
        "aarch64" => "arm64",
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        "powerpc64" => "ppc64",
        "loongarch64" => "loong64",
        "mips64" if cfg!(target_endian = "little") => "mips64le",
        "mips" if cfg!(target_endian = "little") => "mipsle",
        other => other,
    }
}

/// The entry of `cmds` that applies on `os`/`arch` (Go names), by Helm's
/// priority.
pub fn select<'a>(
    cmds: &'a [PlatformCommand],
    os: &str,
    arch: &str,
) -> Option<&'a PlatformCommand> {
    let mut found: Option<&PlatformCommand> = None;
    let mut found_os = false;
    for c in cmds {
        if c.os.eq_ignore_ascii_case(os) && c.arch.eq_ignore_ascii_case(arch) {
            return Some(c);
        }
        // An `arch` needs a matching `os`; another `os` never matches.
        if (!c.os.is_empty() && !c.os.eq_ignore_ascii_case(os)) || !c.arch.is_empty() {
            continue;
        }
        if !found_os && !c.os.is_empty() {
            found = Some(c);
            found_os = true;
        } else if found.is_none() {
            found = Some(c);
        }
    }
    found
}

/// Go's `os.Expand`: `$NAME`, `${NAME}` and `$` + one special character
/// (`*#$@!?-` or a digit) are replaced by `lookup`; `${}` and an unclosed
/// `${` are dropped; a `$` before anything else, or at the end, stays.
pub fn expand(text: &str, lookup: &dyn Fn(&str) -> String) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    let mut j = 0;
    while j < bytes.len() {
        if bytes[j] == b'$' && j + 1 < bytes.len() {
            out.push_str(&text[start..j]);
            let (name, width) = shell_name(&text[j + 1..]);
            match name {
                // Bad syntax: the characters are eaten.
                None if width > 0 => {}
                // No name: the `$` stays.
                None => out.push('$'),
                Some(name) => out.push_str(&lookup(name)),
            }
            j += width;
            start = j + 1;
        }
        j += 1;
    }
    out.push_str(&text[start.min(text.len())..]);
    out
}

fn is_special(c: u8) -> bool {
    matches!(c, b'*' | b'#' | b'$' | b'@' | b'!' | b'?' | b'-') || c.is_ascii_digit()
}

/// The variable name at the start of `s` (just after a `$`) and how many
/// bytes it takes; `(None, n > 0)` is bad syntax, `(None, 0)` no name.
fn shell_name(s: &str) -> (Option<&str>, usize) {
    let b = s.as_bytes();
    if b[0] == b'{' {
        if b.len() > 2 && is_special(b[1]) && b[2] == b'}' {
            return (Some(&s[1..2]), 3);
        }
        for i in 1..b.len() {
            if b[i] == b'}' {
                if i == 1 {
                    return (None, 2);
                }
                return (Some(&s[1..i]), i + 1);
            }
        }
        return (None, 1);
    }
    if is_special(b[0]) {
        return (Some(&s[0..1]), 1);
    }
    let n = b
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    if n == 0 {
        (None, 0)
    } else {
        (Some(&s[..n]), n)
    }
}

/// The program and arguments to run: the applicable entry of `cmds`, with
/// `$VAR`s of `env` replaced in the program (and in the arguments when
/// `expand_args`), then `extra` as given. `None` when no entry applies or
/// its command is empty (Helm: "no plugin command is applicable").
pub fn prepare(
    cmds: &[PlatformCommand],
    expand_args: bool,
    extra: &[String],
    env: &HashMap<String, String>,
) -> Option<(String, Vec<String>)> {
    prepare_for(cmds, go_os(), go_arch(), expand_args, extra, env)
}

/// [`prepare`] for a given platform.
pub fn prepare_for(
    cmds: &[PlatformCommand],
    os: &str,
    arch: &str,
    expand_args: bool,
    extra: &[String],
    env: &HashMap<String, String>,
) -> Option<(String, Vec<String>)> {
    let chosen = select(cmds, os, arch)?;
    let lookup = |name: &str| env.get(name).cloned().unwrap_or_default();
    let mut parts = chosen.command.split(' ');
    let main = parts.next().filter(|m| !m.is_empty())?;
    let program = expand(main, &lookup);
    let arg = |a: &str| {
        if expand_args {
            expand(a, &lookup)
        } else {
            a.to_string()
        }
    };
    let mut args: Vec<String> = parts.map(arg).collect();
    args.extend(chosen.args.iter().map(|a| arg(a)));
    args.extend(extra.iter().cloned());
    Some((program, args))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pc(os: &str, arch: &str, command: &str) -> PlatformCommand {
        PlatformCommand {
            os: os.into(),
            arch: arch.into(),
            command: command.into(),
            args: vec![],
        }
    }

    #[test]
    fn platform_commands_are_chosen_by_helms_priority() {
        let cmds = [
            pc("", "", "any"),
            pc("linux", "", "linux-any"),
            pc("", "amd64", "arch-only"),
            pc("linux", "arm64", "linux-arm"),
            pc("darwin", "", "mac"),
        ];
        let pick = |os, arch| select(&cmds, os, arch).map(|c| c.command.as_str());
        assert_eq!(pick("linux", "arm64"), Some("linux-arm"));
        assert_eq!(pick("linux", "amd64"), Some("linux-any"));
        assert_eq!(pick("LINUX", "AMD64"), Some("linux-any"));
        assert_eq!(pick("darwin", "arm64"), Some("mac"));
        // An arch without an os never matches: the catch-all does.
        assert_eq!(pick("windows", "amd64"), Some("any"));
        assert_eq!(select(&cmds[2..3], "linux", "amd64"), None);
        // The first OS match beats a later one; an exact match beats all.
        let cmds = [
            pc("linux", "", "first"),
            pc("linux", "", "second"),
            pc("linux", "amd64", "exact"),
        ];
        assert_eq!(select(&cmds, "linux", "arm64").unwrap().command, "first");
        assert_eq!(select(&cmds, "linux", "amd64").unwrap().command, "exact");
        assert_eq!(select(&[], "linux", "amd64"), None);
    }

    #[test]
    fn expansion_follows_go_os_expand() {
        let env: HashMap<&str, &str> = [("A", "x"), ("LONG_NAME", "y"), ("1", "one")].into();
        let look = |k: &str| env.get(k).map(|v| v.to_string()).unwrap_or_default();
        let e = |s: &str| expand(s, &look);
        assert_eq!(e("$A/bin"), "x/bin");
        assert_eq!(e("${A}b"), "xb");
        assert_eq!(e("$Ab"), "");
        assert_eq!(e("$LONG_NAME-$A"), "y-x");
        assert_eq!(e("$1$A"), "onex");
        assert_eq!(e("${1}"), "one");
        assert_eq!(e("$UNSET."), ".");
        assert_eq!(e("a$"), "a$");
        assert_eq!(e("$ a"), "$ a");
        assert_eq!(e("$/x"), "$/x");
        assert_eq!(e("${}x"), "x");
        assert_eq!(e("${A"), "A");
        assert_eq!(e("no vars"), "no vars");
        assert_eq!(e("ünï$A©"), "ünïx©");
    }

    #[test]
    fn commands_are_split_expanded_and_extended() {
        let env: HashMap<String, String> = [
            ("HELM_PLUGIN_DIR".to_string(), "/p/d".to_string()),
            ("X".to_string(), "x".to_string()),
        ]
        .into();
        let cmds = [PlatformCommand {
            command: "$HELM_PLUGIN_DIR/run.sh --a=$X".into(),
            args: vec!["${X}y".into(), "two words".into()],
            ..Default::default()
        }];
        let extra = vec!["$X".to_string(), "--flag".to_string()];
        let (p, a) = prepare_for(&cmds, "linux", "amd64", true, &extra, &env).unwrap();
        assert_eq!(p, "/p/d/run.sh");
        // Extra arguments are never expanded.
        assert_eq!(a, ["--a=x", "xy", "two words", "$X", "--flag"]);
        let (p, a) = prepare_for(&cmds, "linux", "amd64", false, &[], &env).unwrap();
        assert_eq!(p, "/p/d/run.sh");
        assert_eq!(a, ["--a=$X", "${X}y", "two words"]);
        // Nothing applicable, or an empty command.
        let only_mac = [pc("darwin", "", "m")];
        assert_eq!(
            prepare_for(&only_mac, "linux", "amd64", true, &[], &env),
            None
        );
        assert_eq!(
            prepare_for(&[pc("", "", "")], "linux", "amd64", true, &[], &env),
            None
        );
        // Double spaces give empty arguments, as Go's strings.Split does.
        let (_, a) = prepare_for(&[pc("", "", "x  y")], "linux", "amd64", true, &[], &env).unwrap();
        assert_eq!(a, ["", "y"]);
    }

    #[test]
    fn this_platform_has_go_names() {
        assert!(!go_os().is_empty() && go_os() != "macos");
        assert!(!["x86_64", "aarch64"].contains(&go_arch()));
    }
}
