//! `--wait` progress: a bar on a terminal, one JSON object per line with
//! `-o json`, nothing otherwise (pipelines get the final result only).

use crate::args::OutputFormat;
use hoist_core::action::deploy::Progress;
use hoist_core::kube::Readiness;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;

/// The progress sink for a command printing in `format`.
pub fn wait_progress(format: OutputFormat) -> Progress {
    match format {
        OutputFormat::Json => Progress::new(|event| {
            if let Ok(line) = serde_json::to_string(&serde_json::json!({ "wait": event })) {
                println!("{line}");
            }
        }),
        OutputFormat::Table if std::io::stderr().is_terminal() => {
            let bar = Mutex::new(None::<ProgressBar>);
            Progress::new(move |event| {
                let Ok(mut slot) = bar.lock() else { return };
                let bar = slot.get_or_insert_with(|| {
                    let bar = ProgressBar::new(event.total as u64);
                    if let Ok(style) =
                        ProgressStyle::with_template("{spinner} waiting {pos}/{len} ready {msg}")
                    {
                        bar.set_style(style);
                    }
                    bar.enable_steady_tick(std::time::Duration::from_millis(120));
                    bar
                });
                bar.set_position(event.ready as u64);
                match &event.readiness {
                    Readiness::Ready => {}
                    Readiness::Pending(reason) | Readiness::Failed(reason) => {
                        bar.set_message(reason.clone())
                    }
                }
                if event.ready == event.total {
                    bar.finish_and_clear();
                }
            })
        }
        _ => Progress::default(),
    }
}
