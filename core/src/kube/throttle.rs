//! Client-side throttling of API requests: Helm's `--qps` and
//! `--burst-limit`.
//!
//! Helm (client-go) always throttles: a token bucket of 100 requests
//! refilled at 5 per second unless `--qps` says otherwise. hoist does not
//! throttle by default, since its commands make few requests and most of
//! them in parallel over one HTTP/2 connection; with `--qps` it throttles
//! the same way client-go does, for a user who must spare a busy API
//! server.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Helm's `--burst-limit` default.
pub const DEFAULT_BURST: u32 = 100;

/// client-go's burst when it is given as 0.
const CLIENT_GO_DEFAULT_BURST: u32 = 10;

/// A rate for API requests: `qps` per second on average, up to `burst`
/// at once after a quiet spell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Throttle {
    qps: f64,
    burst: u32,
}

/// Why `--qps` cannot be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ThrottleError {
    /// Not a number.
    #[error("--qps must be a number of requests per second, not {0}")]
    NotANumber(f32),
}

impl Throttle {
    /// The throttle that Helm's flags ask for, or `None` for none.
    ///
    /// `qps` unset, 0, negative or infinite: no throttling. Helm's 0
    /// means client-go's default of 5 per second and a negative or
    /// infinite value none; hoist does not throttle unless asked to.
    /// `burst` defaults to Helm's 100 and only matters with a positive
    /// `qps`; 0 is client-go's default of 10.
    pub fn from_flags(qps: Option<f32>, burst: Option<u32>) -> Result<Option<Self>, ThrottleError> {
        let Some(qps) = qps else { return Ok(None) };
        if qps.is_nan() {
            return Err(ThrottleError::NotANumber(qps));
        }
        if qps <= 0.0 || qps.is_infinite() {
            return Ok(None);
        }
        let burst = match burst.unwrap_or(DEFAULT_BURST) {
            0 => CLIENT_GO_DEFAULT_BURST,
            n => n,
        };
        Ok(Some(Throttle {
            qps: f64::from(qps),
            burst,
        }))
    }

    /// Requests per second.
    pub fn qps(&self) -> f64 {
        self.qps
    }

    /// Requests allowed at once.
    pub fn burst(&self) -> u32 {
        self.burst
    }
}

/// A token bucket shared by every clone of a client; full at the start,
/// as client-go's.
#[derive(Debug)]
struct Bucket {
    throttle: Throttle,
    state: Mutex<BucketState>,
}

#[derive(Debug)]
struct BucketState {
    /// Negative when requests have reserved tokens not yet refilled.
    tokens: f64,
    refilled: Instant,
}

impl Bucket {
    fn new(throttle: Throttle, now: Instant) -> Self {
        Bucket {
            throttle,
            state: Mutex::new(BucketState {
                tokens: f64::from(throttle.burst),
                refilled: now,
            }),
        }
    }

    /// Takes a token now and says how long to wait before it is really
    /// there: requests go out in the order they asked, each `1/qps`
    /// after the previous once the burst is spent.
    fn reserve(&self, now: Instant) -> Duration {
        // A poisoned lock only means another request panicked while
        // holding it; the counts are still usable.
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let elapsed = now.saturating_duration_since(state.refilled).as_secs_f64();
        state.tokens =
            (state.tokens + elapsed * self.throttle.qps).min(f64::from(self.throttle.burst));
        state.refilled = now;
        state.tokens -= 1.0;
        if state.tokens >= 0.0 {
            Duration::ZERO
        } else {
            // A rate so low that the wait does not fit a Duration waits
            // "forever", as client-go would.
            Duration::try_from_secs_f64(-state.tokens / self.throttle.qps).unwrap_or(Duration::MAX)
        }
    }
}

/// Tower layer that delays requests to keep within a [`Throttle`].
#[derive(Clone, Debug)]
pub struct ThrottleLayer {
    bucket: Arc<Bucket>,
}

impl ThrottleLayer {
    /// A layer with a full bucket.
    pub fn new(throttle: Throttle) -> Self {
        ThrottleLayer {
            bucket: Arc::new(Bucket::new(throttle, Instant::now())),
        }
    }
}

impl<S> tower::Layer<S> for ThrottleLayer {
    type Service = Throttled<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Throttled {
            inner,
            bucket: self.bucket.clone(),
            delay: None,
            reserved: false,
        }
    }
}

/// The service [`ThrottleLayer`] makes. It is not ready until the
/// request's token is there, so a queue in front of it (kube-rs's
/// buffer) waits in order, as client-go's requests do.
#[derive(Debug)]
pub struct Throttled<S> {
    inner: S,
    bucket: Arc<Bucket>,
    delay: Option<Pin<Box<tokio::time::Sleep>>>,
    /// A token is taken for the next call.
    reserved: bool,
}

impl<S: Clone> Clone for Throttled<S> {
    fn clone(&self) -> Self {
        Throttled {
            inner: self.inner.clone(),
            bucket: self.bucket.clone(),
            delay: None,
            reserved: false,
        }
    }
}

impl<S, Request> tower::Service<Request> for Throttled<S>
where
    S: tower::Service<Request>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        if !self.reserved {
            self.reserved = true;
            let wait = self.bucket.reserve(Instant::now());
            if !wait.is_zero() {
                self.delay = Some(Box::pin(tokio::time::sleep(wait)));
            }
        }
        if let Some(delay) = self.delay.as_mut() {
            if delay.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.delay = None;
        }
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        self.reserved = false;
        self.inner.call(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::{Service, ServiceExt};

    #[test]
    fn flags_as_helm_users_pass_them() {
        assert_eq!(Throttle::from_flags(None, None), Ok(None));
        assert_eq!(Throttle::from_flags(None, Some(300)), Ok(None));
        assert_eq!(Throttle::from_flags(Some(0.0), Some(300)), Ok(None));
        assert_eq!(Throttle::from_flags(Some(-1.0), None), Ok(None));
        let t = Throttle::from_flags(Some(50.0), None).unwrap().unwrap();
        assert_eq!((t.qps(), t.burst()), (50.0, DEFAULT_BURST));
        let t = Throttle::from_flags(Some(2.5), Some(7)).unwrap().unwrap();
        assert_eq!((t.qps(), t.burst()), (2.5, 7));
        // client-go reads a burst of 0 as its default, 10.
        let t = Throttle::from_flags(Some(5.0), Some(0)).unwrap().unwrap();
        assert_eq!(t.burst(), 10);
        assert_eq!(Throttle::from_flags(Some(f32::INFINITY), Some(1)), Ok(None));
        assert!(matches!(
            Throttle::from_flags(Some(f32::NAN), None),
            Err(ThrottleError::NotANumber(_))
        ));
        // A rate too small to wait for still answers (no panic).
        let tiny = Throttle::from_flags(Some(1e-30), Some(1)).unwrap().unwrap();
        let t0 = Instant::now();
        let bucket = Bucket::new(tiny, t0);
        assert_eq!(bucket.reserve(t0), Duration::ZERO);
        assert_eq!(bucket.reserve(t0), Duration::MAX);
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn close(a: Duration, b: Duration) -> bool {
        a.abs_diff(b) < Duration::from_micros(10)
    }

    #[test]
    fn the_burst_is_free_then_requests_are_spaced_by_the_rate() {
        let t0 = Instant::now();
        let bucket = Bucket::new(
            Throttle {
                qps: 10.0,
                burst: 3,
            },
            t0,
        );
        for _ in 0..3 {
            assert_eq!(bucket.reserve(t0), Duration::ZERO);
        }
        // Queued behind each other: 1/10 s, then 2/10 s.
        assert!(close(bucket.reserve(t0), ms(100)));
        assert!(close(bucket.reserve(t0), ms(200)));
        // 50 ms later the queue is 50 ms shorter.
        assert!(close(bucket.reserve(t0 + ms(50)), ms(250)));
    }

    #[test]
    fn tokens_come_back_with_time_up_to_the_burst() {
        let t0 = Instant::now();
        let bucket = Bucket::new(
            Throttle {
                qps: 1000.0,
                burst: 2,
            },
            t0,
        );
        assert_eq!(bucket.reserve(t0), Duration::ZERO);
        assert_eq!(bucket.reserve(t0), Duration::ZERO);
        // 50 tokens' worth of time, but the bucket holds 2.
        let later = t0 + ms(50);
        assert_eq!(bucket.reserve(later), Duration::ZERO);
        assert_eq!(bucket.reserve(later), Duration::ZERO);
        assert!(close(bucket.reserve(later), ms(1)));
    }

    #[tokio::test]
    async fn the_layer_delays_calls_beyond_the_burst() {
        let layer = ThrottleLayer::new(Throttle {
            qps: 20.0,
            burst: 2,
        });
        let mut service = tower::Layer::layer(
            &layer,
            tower::service_fn(|n: u32| async move { Ok::<_, std::convert::Infallible>(n * 2) }),
        );
        let start = Instant::now();
        let mut answers = Vec::new();
        for n in 0..6 {
            answers.push(service.ready().await.unwrap().call(n).await.unwrap());
        }
        // 2 at once, then 4 more at 20 per second: at least 200 ms.
        assert!(
            start.elapsed() >= Duration::from_millis(190),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(answers, vec![0, 2, 4, 6, 8, 10]);
    }
}
