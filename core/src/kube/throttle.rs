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

/// The rate of Helm's discovery client (genericclioptions' default).
const DISCOVERY_QPS: f64 = 50.0;

/// The burst of Helm's discovery client unless `--burst-limit` is given
/// a value other than its default.
const DISCOVERY_BURST: u32 = 300;

/// A rate for API requests: `qps` per second on average, up to `burst`
/// at once after a quiet spell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Throttle {
    qps: f64,
    burst: u32,
    /// API discovery's own burst, at [`DISCOVERY_QPS`].
    discovery_burst: u32,
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
        let given = burst.unwrap_or(DEFAULT_BURST);
        let burst = match given {
            0 => CLIENT_GO_DEFAULT_BURST,
            n => n,
        };
        // Helm gives discovery the --burst-limit too, but only when it is
        // not the default.
        let discovery_burst = if given == DEFAULT_BURST {
            DISCOVERY_BURST
        } else {
            burst
        };
        Ok(Some(Throttle {
            qps: f64::from(qps),
            burst,
            discovery_burst,
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

    /// The limits of API discovery, which has its own bucket as Helm's
    /// discovery client does: 50 per second, a burst of 300 unless
    /// `--burst-limit` says otherwise.
    pub fn discovery(&self) -> Throttle {
        Throttle {
            qps: DISCOVERY_QPS,
            burst: self.discovery_burst,
            discovery_burst: self.discovery_burst,
        }
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

impl Bucket {
    /// Returns the token of a request that gave up waiting (its caller
    /// timed out or went away), as client-go's limiter does when a wait
    /// is cancelled.
    fn give_back(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.tokens = (state.tokens + 1.0).min(f64::from(self.throttle.burst));
    }
}

/// A token taken for a request still waiting for it; dropped before the
/// wait ends, it goes back to the bucket.
struct Reservation {
    bucket: Arc<Bucket>,
    waited: bool,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.waited {
            self.bucket.give_back();
        }
    }
}

/// Tower layer that delays requests to keep within a [`Throttle`].
#[derive(Clone, Debug)]
pub struct ThrottleLayer {
    bucket: Arc<Bucket>,
    discovery: Arc<Bucket>,
}

impl ThrottleLayer {
    /// A layer with full buckets.
    pub fn new(throttle: Throttle) -> Self {
        let now = Instant::now();
        ThrottleLayer {
            bucket: Arc::new(Bucket::new(throttle, now)),
            discovery: Arc::new(Bucket::new(throttle.discovery(), now)),
        }
    }
}

impl<S> tower::Layer<S> for ThrottleLayer {
    type Service = Throttled<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Throttled {
            inner,
            bucket: self.bucket.clone(),
            discovery: self.discovery.clone(),
        }
    }
}

/// The service [`ThrottleLayer`] makes. Each request takes a token when
/// it is sent and waits for it in its response future, so requests go
/// out in the order they were made, as client-go's do.
///
/// API discovery (`/version`, `/api`, `/apis` and their group/version
/// documents) takes its tokens from a bucket of its own, as Helm's
/// discovery client has its own, far higher limits (50 per second, burst
/// 300), so that discovery's dozens of requests do not spend a small
/// `--burst-limit` before the command's own first request. Telling them
/// apart by path lets one client (one set of credentials, one exec plugin
/// run) serve both.
#[derive(Clone, Debug)]
pub struct Throttled<S> {
    inner: S,
    bucket: Arc<Bucket>,
    discovery: Arc<Bucket>,
}

/// True for the paths of API discovery documents, as the client's
/// requests carry them before the server's base path is put in front.
pub fn is_discovery_path(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["version"] | ["api"] | ["apis"] => true,
        ["api", version] => !version.is_empty(),
        ["apis", group] | ["apis", group, _] => !group.is_empty(),
        ["openapi", ..] => true,
        _ => false,
    }
}

impl<S, B> tower::Service<http::Request<B>> for Throttled<S>
where
    S: tower::Service<http::Request<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let bucket = if is_discovery_path(request.uri().path()) {
            &self.discovery
        } else {
            &self.bucket
        };
        let wait = bucket.reserve(Instant::now());
        let reservation = Reservation {
            bucket: bucket.clone(),
            waited: wait.is_zero(),
        };
        if wait.is_zero() {
            return Box::pin(self.inner.call(request));
        }
        // The service polled ready is the one that must take the call;
        // a fresh clone stays behind for the next request.
        let fresh = self.inner.clone();
        let mut ready = std::mem::replace(&mut self.inner, fresh);
        Box::pin(async move {
            // The whole reservation moves in (a field assignment alone
            // would capture only the field, and the guard would drop now).
            let mut reservation = reservation;
            tokio::time::sleep(wait).await;
            reservation.waited = true;
            ready.call(request).await
        })
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
        // Discovery: 50 per second, burst 300 unless --burst-limit is not
        // Helm's default.
        let d = Throttle::from_flags(Some(5.0), None)
            .unwrap()
            .unwrap()
            .discovery();
        assert_eq!((d.qps(), d.burst()), (50.0, 300));
        let d = Throttle::from_flags(Some(5.0), Some(100))
            .unwrap()
            .unwrap()
            .discovery();
        assert_eq!(d.burst(), 300);
        let d = Throttle::from_flags(Some(5.0), Some(7))
            .unwrap()
            .unwrap()
            .discovery();
        assert_eq!((d.qps(), d.burst()), (50.0, 7));
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
                discovery_burst: 3,
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
                discovery_burst: 2,
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
    async fn the_layer_delays_calls_beyond_the_burst_but_not_discovery() {
        let layer = ThrottleLayer::new(Throttle {
            qps: 20.0,
            burst: 2,
            discovery_burst: 300,
        });
        let mut service = tower::Layer::layer(
            &layer,
            tower::service_fn(|r: http::Request<u32>| async move {
                Ok::<_, std::convert::Infallible>(*r.body() * 2)
            }),
        );
        let request = |path: &str, n: u32| http::Request::builder().uri(path).body(n).unwrap();
        let start = Instant::now();
        // Discovery first: many requests, none of them spends the burst.
        for path in ["/version", "/api", "/apis", "/api/v1", "/apis/apps/v1"] {
            for _ in 0..20 {
                service
                    .ready()
                    .await
                    .unwrap()
                    .call(request(path, 0))
                    .await
                    .unwrap();
            }
        }
        assert!(
            start.elapsed() < Duration::from_millis(50),
            "{:?}",
            start.elapsed()
        );
        let mut answers = Vec::new();
        for n in 0..6 {
            let path = "/api/v1/namespaces/default/secrets";
            answers.push(
                service
                    .ready()
                    .await
                    .unwrap()
                    .call(request(path, n))
                    .await
                    .unwrap(),
            );
        }
        // 2 at once, then 4 more at 20 per second: at least 200 ms.
        assert!(
            start.elapsed() >= Duration::from_millis(190),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(answers, vec![0, 2, 4, 6, 8, 10]);
    }

    #[test]
    fn discovery_paths_and_resource_paths() {
        for path in [
            "/version",
            "/api",
            "/apis",
            "/api/v1",
            "/apis/apps",
            "/apis/apps/v1",
            "/openapi/v2",
        ] {
            assert!(is_discovery_path(path), "{path}");
        }
        for path in [
            "/api/v1/namespaces",
            "/api/v1/namespaces/default/secrets",
            "/apis/apps/v1/deployments",
            "/apis/apps/v1/namespaces/x/deployments/y",
            "/",
            "/api/",
            "/healthz",
        ] {
            assert!(!is_discovery_path(path), "{path}");
        }
    }
}

#[cfg(test)]
mod discovery_bucket_tests {
    use super::*;
    use tower::{Service, ServiceExt};

    #[tokio::test]
    async fn discovery_has_its_own_bucket_and_is_not_queued_behind_other_calls() {
        // One token for calls, then 2 per second; discovery: burst 3 at 50/s.
        let layer = ThrottleLayer::new(Throttle::from_flags(Some(2.0), Some(1)).unwrap().unwrap());
        let mut service = tower::Layer::layer(
            &layer,
            tower::service_fn(|r: http::Request<()>| async move {
                Ok::<_, std::convert::Infallible>(r.uri().path().to_string())
            }),
        );
        let request = |path: &str| http::Request::builder().uri(path).body(()).unwrap();
        let start = Instant::now();
        // Two calls: the second waits half a second in its future...
        let first = service.ready().await.unwrap().call(request("/api/v1/pods"));
        let second = service
            .ready()
            .await
            .unwrap()
            .call(request("/api/v1/secrets"));
        // ...while discovery goes at once.
        let discovered = service
            .ready()
            .await
            .unwrap()
            .call(request("/apis/apps/v1"));
        assert_eq!(discovered.await.unwrap(), "/apis/apps/v1");
        assert!(
            start.elapsed() < Duration::from_millis(100),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(first.await.unwrap(), "/api/v1/pods");
        assert_eq!(second.await.unwrap(), "/api/v1/secrets");
        assert!(
            start.elapsed() >= Duration::from_millis(450),
            "{:?}",
            start.elapsed()
        );
        // A burst of 1 given: discovery's burst is 1 too, then 50 per second.
        let start = Instant::now();
        for _ in 0..4 {
            service
                .ready()
                .await
                .unwrap()
                .call(request("/api"))
                .await
                .unwrap();
        }
        assert!(
            start.elapsed() >= Duration::from_millis(55),
            "{:?}",
            start.elapsed()
        );
    }
}

#[cfg(test)]
mod cancellation_tests {
    use super::*;
    use tower::{Service, ServiceExt};

    fn tokens(bucket: &Bucket) -> f64 {
        bucket.state.lock().unwrap().tokens
    }

    #[tokio::test]
    async fn a_request_dropped_while_it_waits_gives_its_token_back() {
        let layer =
            ThrottleLayer::new(Throttle::from_flags(Some(0.001), Some(1)).unwrap().unwrap());
        let mut service = tower::Layer::layer(
            &layer,
            tower::service_fn(|_: http::Request<()>| async {
                Ok::<_, std::convert::Infallible>(())
            }),
        );
        let request = || {
            http::Request::builder()
                .uri("/api/v1/pods")
                .body(())
                .unwrap()
        };
        // The burst's one token.
        service
            .ready()
            .await
            .unwrap()
            .call(request())
            .await
            .unwrap();
        let after_first = tokens(&layer.bucket);
        // The next waits (about 1,000 s at this rate); it is given up.
        let waiting = service.ready().await.unwrap().call(request());
        assert!(tokens(&layer.bucket) < after_first - 0.5);
        let gave_up = tokio::time::timeout(Duration::from_millis(10), waiting).await;
        assert!(gave_up.is_err(), "it should still have been waiting");
        assert!(
            (tokens(&layer.bucket) - after_first).abs() < 0.01,
            "the token came back: {} vs {after_first}",
            tokens(&layer.bucket)
        );
        // A request that went out keeps its token.
        let before = tokens(&layer.discovery);
        service
            .ready()
            .await
            .unwrap()
            .call(http::Request::builder().uri("/api").body(()).unwrap())
            .await
            .unwrap();
        assert!(tokens(&layer.discovery) < before - 0.5);
    }
}
