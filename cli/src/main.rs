//! The `hoist` command line: parses flags, calls `hoist_core::action`, prints.

fn main() {
    println!("hoist {}", env!("CARGO_PKG_VERSION"));
}
