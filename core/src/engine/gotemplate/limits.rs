//! Bounds on what one template may make the engine allocate or recurse into.
//!
//! Helm has none of these: `until 100000000000`, a gigabyte `repeat` or
//! printing a map that contains itself (`set $d "self" $d`) make the Go
//! process die (out of memory, or a fatal stack overflow that no `recover`
//! catches). No chart that renders under Helm comes near these bounds, so
//! hoist turns such runaway work into a template error instead of aborting
//! the whole program, and renders everything Helm can render the same.

use super::exec::GoError;
use std::cell::Cell;

/// Longest string (in bytes) a function may build, and the most output one
/// template execution may write. Kubernetes refuses objects over ~1.5 MiB,
/// so real charts stay orders of magnitude below.
pub const MAX_STRING: usize = 16 << 20;

/// Most elements a function may put in one list (`until`, `seq`...).
pub const MAX_LIST: usize = 4 << 20;

/// Deepest nesting of maps and lists that printing, copying, comparing or
/// serialising walks. Values this deep only arise from a map that contains
/// itself, which Go also cannot print, copy or encode.
pub const MAX_NESTING: usize = 10_000;

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    static TOO_DEEP: Cell<bool> = const { Cell::new(false) };
}

/// One level of a recursive walk over a value; leaving the level is dropping
/// the guard.
pub(crate) struct Level(());

impl Drop for Level {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Enters one more level of nesting, or `None` (and a note for
/// [`take_too_deep`]) past [`MAX_NESTING`]: the walker then stops
/// descending, and the executor reports the error.
pub(crate) fn enter() -> Option<Level> {
    DEPTH.with(|d| {
        if d.get() >= MAX_NESTING {
            TOO_DEEP.with(|t| t.set(true));
            None
        } else {
            d.set(d.get() + 1);
            Some(Level(()))
        }
    })
}

/// True (once) when a walk since the last call stopped at [`MAX_NESTING`].
pub(crate) fn take_too_deep() -> bool {
    TOO_DEEP.with(|t| t.replace(false))
}

/// The error for a value walk that stopped at [`MAX_NESTING`].
pub(crate) fn too_deep_error() -> GoError {
    GoError::plain(format!(
        "value nests more than {MAX_NESTING} levels deep (a map that contains itself?); \
         Go would overflow its stack on it"
    ))
}

/// Refuses a string result of `len` bytes over [`MAX_STRING`].
pub(crate) fn check_string(len: u128) -> Result<(), GoError> {
    if len > MAX_STRING as u128 {
        return Err(GoError::plain(format!(
            "result of {len} bytes exceeds hoist's limit of {MAX_STRING} bytes \
             (Helm would run out of memory)"
        )));
    }
    Ok(())
}

/// Refuses a list result of `len` elements over [`MAX_LIST`].
pub(crate) fn check_list(len: u128) -> Result<(), GoError> {
    if len > MAX_LIST as u128 {
        return Err(GoError::plain(format!(
            "result of {len} elements exceeds hoist's limit of {MAX_LIST} elements \
             (Helm would run out of memory)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_stops_at_the_limit_and_reports_once() {
        let mut guards = Vec::new();
        while let Some(g) = enter() {
            guards.push(g);
        }
        assert_eq!(guards.len(), MAX_NESTING);
        assert!(take_too_deep());
        assert!(!take_too_deep());
        guards.clear();
        assert!(enter().is_some());
    }

    #[test]
    fn sizes_over_the_limits_are_refused() {
        assert!(check_string(MAX_STRING as u128).is_ok());
        assert!(check_string(MAX_STRING as u128 + 1).is_err());
        assert!(check_list(MAX_LIST as u128 + 1).is_err());
        assert!(check_list(0).is_ok());
    }
}

/// Runaway templates end in a template error, not an abort (inputs the
/// fuzzer found, or that Go itself cannot survive).
#[cfg(test)]
mod runaway_tests {
    use crate::engine::gotemplate::render_text;
    use crate::values::Value as In;

    /// Renders on a thread with the engine's stack, as the walks of a
    /// self-containing map go 10 000 levels deep before they stop.
    fn render(t: &str) -> Result<String, String> {
        let t = t.to_string();
        std::thread::Builder::new()
            .stack_size(super::super::RENDER_STACK)
            .spawn(move || render_text("t", &t, &In::Map(Default::default())))
            .unwrap()
            .join()
            .unwrap()
    }

    fn err(t: &str) -> String {
        render(t).expect_err(t)
    }

    const CYCLE: &str = r#"{{ $d := dict }}{{ $_ := set $d "self" $d }}"#;

    #[test]
    fn a_map_that_contains_itself_is_an_error_where_go_dies() {
        for use_ in ["{{ $d }}", "{{ deepCopy $d }}", "{{ printf \"%v\" $d }}"] {
            let e = err(&format!("{CYCLE}{use_}"));
            assert!(e.contains("nests more than 10000 levels"), "{use_}: {e}");
        }
        // TOML table headers spell the whole key path: the size bound comes first.
        let e = err(&format!("{CYCLE}{{{{ toToml $d }}}}"));
        assert!(e.contains("exceeds hoist's limit"), "{e}");
        // Go's encoding/json refuses cycles; Helm's toJson/toYaml swallow it.
        assert_eq!(
            render(&format!("{CYCLE}[{{{{ toJson $d }}}}]")).unwrap(),
            "[]"
        );
        assert_eq!(
            render(&format!("{CYCLE}[{{{{ toYaml $d }}}}]")).unwrap(),
            "[]"
        );
        assert!(err(&format!("{CYCLE}{{{{ mustToJson $d }}}}")).contains("encountered a cycle"));
        // Reading through the cycle is fine, as in Go.
        assert_eq!(
            render(&format!("{CYCLE}{{{{ len $d.self.self }}}}")).unwrap(),
            "1"
        );
    }

    #[test]
    fn huge_counts_and_sizes_are_refused_before_allocating() {
        for t in [
            "{{ until 100000000000 }}",
            "{{ untilStep 0 100000000000 1 }}",
            "{{ seq 100000000000 }}",
            "{{ repeat 100000000000 \"ab\" }}",
            "{{ indent 100000000000 \"a\" }}",
            "{{ nindent 10000000 \"a\\nb\\nc\" }}",
            "{{ randAlphaNum 100000000000 }}",
            "{{ randBytes 100000000000 }}",
            "{{ replace \"\" (repeat 4000 \"x\") (repeat 10000 \"a\") }}",
            "{{ regexReplaceAll \"\" (repeat 10000 \"a\") (repeat 4000 \"x\") }}",
            "{{ wrapWith 1 (repeat 4000 \"x\") (repeat 10000 \"a \") }}",
            "{{ $x := repeat 10000000 \"a\" }}{{ cat $x $x }}",
            "{{ $x := repeat 10000000 \"a\" }}{{ print $x $x }}",
            "{{ $x := repeat 10000000 \"a\" }}{{ printf \"%s%s\" $x $x }}",
            "{{ $x := repeat 10000000 \"a\" }}{{ join \"\" (list $x $x) }}",
            "{{ $l := until 3000000 }}{{ concat $l $l }}",
            "{{ splitList \"\" (repeat 5000000 \"ab\") }}",
            "{{ split \"a\" (repeat 5000000 \"ab\") }}",
        ] {
            let e = err(t);
            assert!(e.contains("exceeds hoist's limit"), "{t}: {e}");
        }
        let e = err("{{ $x := repeat 10000000 \"a\" }}{{ $x }}{{ $x }}");
        assert!(e.contains("output exceeds hoist's limit"), "{e}");
    }

    #[test]
    fn counts_that_wrap_go_ints_stay_in_range() {
        // Go's `end + 1` wraps to the smallest int: an empty sequence.
        assert_eq!(render("{{ seq 9223372036854775807 }}").unwrap(), "");
        assert_eq!(
            render("{{ untilStep 0 9223372036854775807 4611686018427387904 }}").unwrap(),
            "[0 4611686018427387904]"
        );
        assert_eq!(
            render("{{ untilStep 10 0 -4 }} {{ until -3 }}").unwrap(),
            "[10 6 2] [0 -1 -2]"
        );
    }
}
