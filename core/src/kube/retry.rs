//! Retries with exponential backoff for idempotent API calls (get, list,
//! apply, update, delete). Creates are never retried: a create that timed out
//! may have succeeded, and resending it would turn its success into
//! `AlreadyExists`.

use crate::kube::error::KubeError;
use std::future::Future;
use std::time::Duration;

/// How often and how long to retry.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    /// Attempts in total, the first included.
    pub attempts: u32,
    /// Wait before the second attempt; doubles after each failure.
    pub initial: Duration,
    /// Longest wait between attempts.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            attempts: 5,
            initial: Duration::from_millis(200),
            max: Duration::from_secs(5),
        }
    }
}

impl Backoff {
    /// The wait after the `failures`-th failed attempt (1-based).
    pub fn delay(&self, failures: u32) -> Duration {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1));
        self.initial.saturating_mul(factor).min(self.max)
    }
}

/// Runs `call` until it succeeds, fails with a non-transient error
/// ([`KubeError::is_transient`]), or runs out of attempts.
pub async fn with_backoff<T, F, Fut>(backoff: Backoff, mut call: F) -> Result<T, KubeError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, KubeError>>,
{
    let mut failures = 0;
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_transient() && failures + 1 < backoff.attempts => {
                failures += 1;
                let wait = backoff.delay(failures);
                tracing::debug!(error = %e, ?wait, "retrying after a transient API error");
                tokio::time::sleep(wait).await;
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn api(code: u16) -> KubeError {
        KubeError::Api {
            operation: Box::default(),
            code,
            reason: String::new(),
            message: String::new(),
        }
    }

    fn fast() -> Backoff {
        Backoff {
            attempts: 3,
            initial: Duration::from_millis(1),
            max: Duration::from_millis(2),
        }
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn delays_double_up_to_the_cap() {
        let b = Backoff::default();
        assert_eq!(b.delay(1), Duration::from_millis(200));
        assert_eq!(b.delay(2), Duration::from_millis(400));
        assert_eq!(b.delay(10), Duration::from_secs(5));
    }

    #[test]
    fn transient_errors_are_retried_until_attempts_run_out() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = rt().block_on(with_backoff(fast(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(api(503))
        }));
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn success_after_throttling_and_no_retry_on_client_errors() {
        let calls = AtomicU32::new(0);
        let result = rt().block_on(with_backoff(fast(), || async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 => Err(api(429)),
                n => Ok(n),
            }
        }));
        assert_eq!(result.unwrap(), 1);
        calls.store(0, Ordering::SeqCst);
        let result: Result<(), _> = rt().block_on(with_backoff(fast(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(api(422))
        }));
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
