//! Arbitrary text parsed and, when it parses, executed with Helm's function
//! table against a small fixed values tree: any input must render or give a
//! template error, never a panic or a stack overflow.
//!
//! Runaway allocation (`until 100000000000`, a gigabyte `repeat`, a map that
//! contains itself) ends in a template error from the engine's own bounds
//! (`gotemplate::limits`); only runaway time (`range` over a huge int, key
//! generation) is left to libFuzzer's `-timeout`.
#![no_main]

use hoist_core::engine::gotemplate::render_text;
use hoist_core::values::Value;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

/// Same as the engine's render thread: Helm allows deep `include`/`template`
/// recursion, which the engine only promises on a stack this large.
const RENDER_STACK: usize = 512 * 1024 * 1024;

static VALUES: LazyLock<Value> = LazyLock::new(|| {
    Value::from(serde_json::json!({
        "name": "demo",
        "replicas": 3,
        "ratio": 1.5,
        "enabled": true,
        "nothing": null,
        "list": [1, "two", false, {"k": "v"}],
        "map": {"a": "b", "nested": {"x": [1, 2]}, "empty": {}},
    }))
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let values: &Value = &VALUES;
    let outcome = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(RENDER_STACK)
            .spawn_scoped(scope, || render_text("fuzz.yaml", text, values).is_ok())
            .map(|h| h.join())
    });
    // A panic on the render thread must fail the run as a crash.
    if let Ok(Err(panic)) = outcome {
        std::panic::resume_unwind(panic);
    }
});
