//! Prometheus metrics for `GET /metrics` (`--enable-metrics`): requests by
//! route, method and status code, a latency histogram by route, and the
//! number of charts and chart versions served.

use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    charts: Gauge,
    versions: Gauge,
    /// Encoding needs exclusive access to nothing but a buffer; a mutex
    /// keeps concurrent scrapes from interleaving gauge updates.
    scrape: Mutex<()>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("hoist_repo");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ])
        });
        let charts = Gauge::default();
        let versions = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests by route, method and status code",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        registry.register("charts", "Chart names served", charts.clone());
        registry.register("chart_versions", "Chart versions served", versions.clone());
        Self {
            registry,
            requests,
            latency,
            charts,
            versions,
            scrape: Mutex::new(()),
        }
    }

    /// Records one finished request; `route` is the route pattern, not the
    /// path, so label values stay few.
    pub fn observe(&self, route: &str, method: &str, code: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                method: method.to_string(),
                code: code.to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// The text exposition, with the chart gauges set to the given counts.
    pub fn render(&self, charts: usize, versions: usize) -> String {
        let _guard = self.scrape.lock().unwrap_or_else(|p| p.into_inner());
        self.charts.set(i64::try_from(charts).unwrap_or(i64::MAX));
        self.versions
            .set(i64::try_from(versions).unwrap_or(i64::MAX));
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_has_counters_histogram_and_gauges() {
        let m = Metrics::new();
        m.observe("/index.yaml", "GET", 200, 0.002);
        m.observe("/index.yaml", "GET", 200, 0.2);
        m.observe("/api/charts", "POST", 409, 0.01);
        let text = m.render(3, 7);
        assert!(text.contains(
            "hoist_repo_http_requests_total{route=\"/index.yaml\",method=\"GET\",code=\"200\"} 2"
        ), "{text}");
        assert!(text.contains("code=\"409\"} 1"), "{text}");
        assert!(text.contains(
            "hoist_repo_http_request_duration_seconds_bucket{le=\"0.0025\",route=\"/index.yaml\"} 1"
        ), "{text}");
        assert!(text.contains("hoist_repo_charts 3\n"), "{text}");
        assert!(text.contains("hoist_repo_chart_versions 7\n"), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }
}
