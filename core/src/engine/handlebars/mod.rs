//! The handlebars engine, opted into with the `hoist.dev/engine: handlebars` annotation.
