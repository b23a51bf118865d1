//! Arbitrary text through the Go template lexer and parser: any input must
//! give trees or a parse error, never a panic or a stack overflow.
//!
//! Runs on libFuzzer's own thread (8 MiB stack), smaller than the engine's
//! render thread, so deep nesting shows up with short inputs.
#![no_main]

use hoist_core::engine::gotemplate::{funcs, parse};
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use std::sync::LazyLock;

/// Function names decide whether an identifier parses, so use Helm's table.
static FUNC_NAMES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    funcs::default_funcs()
        .keys()
        .map(|k| k.to_string())
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse::parse("fuzz.yaml", text, &|n| FUNC_NAMES.contains(n));
});
