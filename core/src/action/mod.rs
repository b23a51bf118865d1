//! User-level operations (Helm's pkg/action): plain functions over the
//! chart, values, engine and release modules that the CLI calls.
