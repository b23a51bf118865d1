//! hoist-repo-server: a ChartMuseum-compatible chart repository (issue 6; not built yet).

fn main() {
    eprintln!(
        "hoist-repo-server {}: not implemented yet",
        env!("CARGO_PKG_VERSION")
    );
    std::process::exit(2);
}
