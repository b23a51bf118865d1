//! The function table. Each function declares its Go parameter types so the
//! executor can check and convert arguments as Go's reflection would; the
//! table is assembled from independent modules (Go builtins, Sprig, Helm), so
//! adding functions never touches the executor.
//!
//! To add a function: pick (or add) the module of its family, declare its Go
//! parameter types with `add` (fixed arity) or `add_var` (trailing
//! `...T`), and implement it over already-checked arguments. Go-typed
//! parameters (`string`, `int`...) get Go's argument errors for free; use
//! [`Param::Any`] where Sprig takes `interface{}` and convert as Sprig does
//! (`cast`-style helpers live in `sprig.rs`). Names Helm knows but hoist does
//! not implement yet are listed in `unsupported.rs` so charts still parse.

mod builtins;
pub(crate) mod helm;
pub(crate) mod helm_duration;
mod helm_toml;
mod sprig;
mod sprig_case;
mod sprig_cert;
mod sprig_crypto;
mod sprig_date;
mod sprig_extra;
mod sprig_math;
mod sprig_random;
mod sprig_url;
mod unsupported;

use super::exec::GoError;
use super::value::Value;
use std::collections::HashMap;

/// A Go parameter type, as far as argument checking needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// `interface{}`.
    Any,
    /// `reflect.Value` (text/template builtins): passed through untouched.
    Reflect,
    /// `string`.
    Str,
    /// `int`.
    Int,
    /// `int64`.
    Int64,
    /// `float64`.
    Float,
    /// `bool`.
    Bool,
    /// `map[string]interface{}`.
    Map,
    /// `[]interface{}`.
    List,
}

impl Param {
    /// The Go spelling, for error messages.
    pub fn go_type(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Reflect => "reflect.Value",
            Param::Str => "string",
            Param::Int => "int",
            Param::Int64 => "int64",
            Param::Float => "float64",
            Param::Bool => "bool",
            Param::Map => "map[string]interface {}",
            Param::List => "[]interface {}",
        }
    }
}

/// What functions may ask of the running template (Helm's closures).
pub trait Host {
    /// Renders a named template to a string (`include`).
    fn include(&mut self, name: &str, data: Value) -> Result<Value, GoError>;
    /// Parses and renders a string with the current template set (`tpl`).
    fn tpl(&mut self, text: &str, data: Value) -> Result<Value, GoError>;
    /// Helm lint mode.
    fn lint_mode(&self) -> bool;
    /// `getHostByName` may ask the resolver (`--enable-dns`).
    fn enable_dns(&self) -> bool;
    /// `lookup` against the cluster (an empty map without one).
    fn lookup(&self, api: &str, kind: &str, ns: &str, name: &str) -> Result<Value, GoError>;
}

/// A function's implementation: arguments already checked against `params`.
pub type FuncImpl = fn(&mut dyn Host, Vec<Value>) -> Result<Value, GoError>;

/// One template function.
#[derive(Clone, Copy)]
pub struct Func {
    /// Fixed parameters.
    pub params: &'static [Param],
    /// Element type of the trailing `...` parameter, if variadic.
    pub variadic: Option<Param>,
    /// The implementation.
    pub f: FuncImpl,
}

/// Function name → function.
pub type FuncTable = HashMap<&'static str, Func>;

/// Go's builtins, the Sprig subset, and Helm's functions, with Helm's
/// precedence (Helm's definitions override Sprig's).
pub fn default_funcs() -> FuncTable {
    let mut t = FuncTable::new();
    builtins::register(&mut t);
    sprig::register(&mut t);
    sprig_case::register(&mut t);
    sprig_date::register(&mut t);
    sprig_extra::register(&mut t);
    sprig_math::register(&mut t);
    sprig_random::register(&mut t);
    sprig_crypto::register(&mut t);
    sprig_cert::register(&mut t);
    sprig_url::register(&mut t);
    helm::register(&mut t);
    helm_duration::register(&mut t);
    helm_toml::register(&mut t);
    unsupported::register(&mut t);
    t
}

/// Registers a fixed-arity function.
pub(crate) fn add(t: &mut FuncTable, name: &'static str, params: &'static [Param], f: FuncImpl) {
    t.insert(
        name,
        Func {
            params,
            variadic: None,
            f,
        },
    );
}

/// Registers a variadic function.
pub(crate) fn add_var(
    t: &mut FuncTable,
    name: &'static str,
    params: &'static [Param],
    rest: Param,
    f: FuncImpl,
) {
    t.insert(
        name,
        Func {
            params,
            variadic: Some(rest),
            f,
        },
    );
}

/// The string inside an argument checked as `Param::Str`.
pub(crate) fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// The integer inside an argument checked as `Param::Int`/`Int64`.
pub(crate) fn i(v: &Value) -> i64 {
    v.as_int().unwrap_or_default()
}

/// Go's `panic` inside a function, as text/template reports a recovered one.
pub(crate) fn panic_err(msg: impl Into<String>) -> GoError {
    GoError::plain(msg)
}

/// Go's `t.Format(layout)` for a time parsed from a record (RFC 3339):
/// `secs`/`nanos` since the Unix epoch and the offset it was written with.
/// A zero offset is Go's UTC location (`MST` prints `UTC`); any other is an
/// unnamed fixed zone, which Go prints as `-0700`.
pub fn format_go_time(secs: i64, nanos: u32, offset: i32, layout: &str) -> String {
    let abbrev = if offset == 0 { "UTC" } else { "" };
    sprig_date::Time { secs, nanos }.format_at(layout, offset, abbrev)
}
