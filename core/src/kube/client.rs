//! Connecting to a cluster the way Helm's `--kubeconfig`, `--kube-context`
//! and `--namespace` flags do.

use crate::kube::error::{KubeError, Operation};
use crate::kube::throttle::{Throttle, ThrottleLayer};
use ::kube::config::{KubeConfigOptions, Kubeconfig};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Where to find the cluster; every field is optional and defaults as Helm does.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// `--kubeconfig`: one file, used instead of `KUBECONFIG` and `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// `--kube-context`: a context other than the file's `current-context`.
    pub context: Option<String>,
    /// `--namespace`: overrides the namespace of the context.
    pub namespace: Option<String>,
    /// Helm's flags that override the kubeconfig (client-go's
    /// `ConfigFlags`): `--kube-apiserver`, `--kube-token`...
    pub overrides: ConnectionOverrides,
    /// `--qps` / `--burst-limit`: throttle requests (none by default).
    pub throttle: Option<Throttle>,
}

/// What Helm's `--kube-*` flags override in the loaded configuration. With
/// `api_server` set, no kubeconfig is needed at all (a CD job with only a
/// server address and a service account token).
#[derive(Clone, Debug, Default)]
pub struct ConnectionOverrides {
    /// `--kube-apiserver`: the API server's address and port.
    pub api_server: Option<String>,
    /// `--kube-token`: a bearer token, used instead of the kubeconfig
    /// user's credentials.
    pub token: Option<String>,
    /// `--kube-as-user`: the user to impersonate.
    pub as_user: Option<String>,
    /// `--kube-as-group`: groups to impersonate (repeatable).
    pub as_groups: Vec<String>,
    /// `--kube-ca-file`: the certificate authority to trust for the server.
    pub ca_file: Option<PathBuf>,
    /// `--kube-insecure-skip-tls-verify`: do not check the server's
    /// certificate.
    pub insecure_skip_tls_verify: bool,
    /// `--kube-tls-server-name`: the name to check the server's
    /// certificate against, instead of the server's host.
    pub tls_server_name: Option<String>,
}

impl ConnectionOverrides {
    /// Applies the overrides to a loaded configuration.
    fn apply(&self, config: &mut ::kube::Config) -> Result<(), KubeError> {
        if let Some(server) = &self.api_server {
            config.cluster_url = parse_server(server)?;
        }
        if let Some(token) = &self.token {
            // A token given on the command line is who the user means to
            // be: the kubeconfig user's other credentials step aside (as
            // client-go's bearer token takes precedence over exec plugins).
            let auth = &mut config.auth_info;
            auth.token = Some(secrecy::SecretString::from(token.clone()));
            auth.token_file = None;
            auth.exec = None;
            auth.auth_provider = None;
            auth.username = None;
            auth.password = None;
        }
        if let Some(user) = &self.as_user {
            config.auth_info.impersonate = Some(user.clone());
        }
        if !self.as_groups.is_empty() {
            config.auth_info.impersonate_groups = Some(self.as_groups.clone());
        }
        if let Some(path) = &self.ca_file {
            config.root_cert = Some(read_ca_file(path)?);
            config.root_cert_file = None;
        }
        if self.insecure_skip_tls_verify {
            config.accept_invalid_certs = true;
        }
        if let Some(name) = &self.tls_server_name {
            config.tls_server_name = Some(name.clone());
        }
        Ok(())
    }
}

/// `--kube-apiserver` as a URL: a bare `host:port` means HTTPS, as in
/// client-go.
fn parse_server(server: &str) -> Result<http::Uri, KubeError> {
    let with_scheme = if server.contains("://") {
        server.to_string()
    } else {
        format!("https://{server}")
    };
    with_scheme
        .parse::<http::Uri>()
        .ok()
        .filter(|uri| uri.host().is_some())
        .ok_or_else(|| KubeError::Config {
            reason: format!("invalid --kube-apiserver {server:?}: not a URL or host:port"),
        })
}

/// The DER certificates of a PEM file, with an error that names the file.
fn read_ca_file(path: &std::path::Path) -> Result<Vec<Vec<u8>>, KubeError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let invalid = |reason: String| KubeError::Config {
        reason: format!("--kube-ca-file {}: {reason}", path.display()),
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| invalid(e.to_string()))?
        .map(|cert| cert.map(|c| c.to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(e.to_string()))?;
    if certs.is_empty() {
        return Err(invalid("no PEM certificate in the file".to_string()));
    }
    Ok(certs)
}

/// A connected client plus what hoist needs to know about it: the namespace
/// releases go to by default and the server, for messages.
#[derive(Clone)]
pub struct KubeClient {
    client: ::kube::Client,
    namespace: String,
    server: String,
    context: Option<String>,
    /// Set once a server-side apply request was answered 415: the server
    /// lacks server-side apply, and clones of this client (other
    /// namespaces, later steps of one operation) apply client-side.
    ssa_unavailable: Arc<AtomicBool>,
}

impl std::fmt::Debug for KubeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeClient")
            .field("server", &self.server)
            .field("context", &self.context)
            .field("namespace", &self.namespace)
            .finish()
    }
}

impl KubeClient {
    /// Loads the configuration and builds a client. The kubeconfig is the
    /// explicit file if given, else `KUBECONFIG` (a list of files, merged),
    /// else `~/.kube/config`; with none of those and inside a pod, the
    /// in-cluster service account. The namespace is `options.namespace`, else
    /// the context's, else `default` (in a pod: the service account's).
    pub async fn connect(options: &ClientOptions) -> Result<Self, KubeError> {
        let kube_options = KubeConfigOptions {
            context: options.context.clone(),
            ..Default::default()
        };
        let (config, context) = if let Some(path) = &options.kubeconfig {
            let file = Kubeconfig::read_from(path).map_err(|e| KubeError::Config {
                reason: format!("{}: {e}", path.display()),
            })?;
            let context = selected_context(&file, options);
            let config = ::kube::Config::from_custom_kubeconfig(file, &kube_options)
                .await
                .map_err(|e| KubeError::Config {
                    reason: format!("{}: {e}", path.display()),
                })?;
            (config, context)
        } else if kubeconfig_available() {
            let file = Kubeconfig::read().map_err(|e| KubeError::Config {
                reason: format!("{}: {e}", kubeconfig_source()),
            })?;
            let context = selected_context(&file, options);
            let config = ::kube::Config::from_custom_kubeconfig(file, &kube_options)
                .await
                .map_err(|e| KubeError::Config {
                    reason: format!("{}: {e}", kubeconfig_source()),
                })?;
            (config, context)
        } else if let Some(server) = &options.overrides.api_server {
            // Helm needs no kubeconfig when the flags say where to go.
            (::kube::Config::new(parse_server(server)?), None)
        } else if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
            let config = ::kube::Config::incluster().map_err(|e| KubeError::Config {
                reason: format!("in-cluster configuration: {e}"),
            })?;
            (config, None)
        } else {
            return Err(KubeError::Config {
                reason: "no kubeconfig: KUBECONFIG is not set, ~/.kube/config does not exist \
                         and this is not a pod (KUBERNETES_SERVICE_HOST is not set); \
                         pass --kubeconfig, set KUBECONFIG or give --kube-apiserver"
                    .to_string(),
            });
        };
        let mut config = config;
        options.overrides.apply(&mut config)?;
        Self::from_config(
            config,
            context,
            options.namespace.as_deref(),
            options.throttle,
        )
    }

    /// A client over an already loaded configuration; `namespace` overrides
    /// the configuration's default namespace.
    pub fn from_config(
        mut config: ::kube::Config,
        context: Option<String>,
        namespace: Option<&str>,
        throttle: Option<Throttle>,
    ) -> Result<Self, KubeError> {
        if let Some(ns) = namespace.filter(|ns| !ns.is_empty()) {
            config.default_namespace = ns.to_string();
        }
        // Retries are hoist's (`crate::kube::retry`), for idempotent calls only: kube's
        // own layer would also resend creates, which must fail exactly once
        // when they race (the release lock relies on it).
        config.default_retry = false;
        let server = config.cluster_url.to_string();
        let namespace = config.default_namespace.clone();
        let build = |config, throttle| {
            build_client(config, throttle).map_err(|e| KubeError::Config {
                reason: format!("cannot build a client for {server}: {e}"),
            })
        };
        let client = build(config, throttle)?;
        Ok(KubeClient {
            client,
            namespace,
            server,
            context,
            ssa_unavailable: Arc::default(),
        })
    }

    /// The namespace releases and namespaced objects default to.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The API server URL.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The kubeconfig context in use, when the configuration came from a file.
    pub fn context(&self) -> Option<&str> {
        self.context.as_deref()
    }

    /// The underlying kube-rs client.
    pub fn raw(&self) -> &::kube::Client {
        &self.client
    }

    /// True once the server answered a server-side apply with 415
    /// Unsupported Media Type (see [`KubeClient::note_ssa_unavailable`]).
    pub fn ssa_unavailable(&self) -> bool {
        self.ssa_unavailable.load(Ordering::Relaxed)
    }

    /// Remembers that the server lacks server-side apply; true the first
    /// time, so that the fallback is reported once.
    pub fn note_ssa_unavailable(&self) -> bool {
        !self.ssa_unavailable.swap(true, Ordering::Relaxed)
    }

    /// The same cluster with another default namespace.
    pub fn with_namespace(&self, namespace: &str) -> Self {
        KubeClient {
            namespace: namespace.to_string(),
            ..self.clone()
        }
    }

    /// Fails unless the server answers `/version` (Helm's `IsReachable`).
    pub async fn check_reachable(&self) -> Result<(), KubeError> {
        self.client
            .apiserver_version()
            .await
            .map(|_| ())
            .map_err(|e| self.error(e, Operation::new("get", "/version", "", "")))
    }

    /// Classifies a kube-rs error of `operation` against this server.
    pub fn error(&self, error: ::kube::Error, operation: Operation) -> KubeError {
        KubeError::from_kube(error, operation, &self.server)
    }
}

/// The kube-rs client for `config`, speaking HTTP/2 to HTTPS servers
/// that offer it (ALPN), as Go's client does, and HTTP/1.1 otherwise.
///
/// kube-rs's own client speaks HTTP/1.1 only, so every request in flight
/// needs a TLS connection of its own: discovery's dozens of parallel
/// requests and an install's parallel applies each paid a TLS handshake,
/// most of a short command's time on a busy machine. Over HTTP/2 they
/// share one connection. The layers are kube-rs's (base URL, credentials,
/// extra headers, timeouts); plain HTTP servers get HTTP/1.1 from the same
/// stack, and only through a proxy does kube-rs build the client itself.
fn build_client(
    config: ::kube::Config,
    throttle: Option<Throttle>,
) -> Result<::kube::Client, ::kube::Error> {
    use ::kube::client::ConfigExt;
    use tower::ServiceBuilder;

    let throttle = throttle.map(ThrottleLayer::new);
    if config.proxy_url.is_some() {
        let builder = ::kube::client::ClientBuilder::try_from(config)?;
        return Ok(match throttle {
            // kube-rs's stack is a boxed service, which cannot be cloned
            // as the throttle needs; a buffer in front of it can.
            Some(layer) => builder
                .with_layer(
                    &ServiceBuilder::new()
                        .layer(layer)
                        .layer(tower::buffer::BufferLayer::new(1024)),
                )
                .build(),
            None => builder.build(),
        });
    }
    // The provider kube-rs selects; a no-op when one is installed already.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    // kube-rs runs an exec credential plugin once for the TLS identity (in
    // case it hands out a client certificate) and once more for the
    // request credentials; plugins such as `aws eks get-token` take a
    // second or so each. The credentials are built first: a plugin that
    // gave a token has no certificate to give, so the TLS side is built
    // without it. Only a certificate plugin still runs twice.
    let auth = config.auth_layer()?;
    let tls = if config.auth_info.exec.is_some() && auth.is_some() {
        let mut without_plugin = config.clone();
        without_plugin.auth_info.exec = None;
        without_plugin.rustls_client_config()?
    } else {
        config.rustls_client_config()?
    };
    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
    http.enforce_http(false);
    // HTTP/2 writes a request's HEADERS and DATA frames separately; with
    // Nagle's algorithm the second waits for the server's delayed ACK
    // (40 ms on Linux) on every request. Go's client sets it too.
    http.set_nodelay(true);
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    let builder = match &config.tls_server_name {
        Some(name) => {
            let name = rustls::pki_types::ServerName::try_from(name.clone()).map_err(|e| {
                ::kube::Error::Service(format!("invalid tls-server-name {name:?}: {e}").into())
            })?;
            builder.with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(name))
        }
        None => builder,
    };
    let https = builder.enable_http1().enable_http2().wrap_connector(http);
    let mut connector = hyper_timeout::TimeoutConnector::new(https);
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    let client: hyper_util::client::legacy::Client<_, ::kube::client::Body> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build(connector);
    let service = ServiceBuilder::new()
        // Outermost, so that it sees paths before the base path is put in
        // front ([`crate::kube::throttle::is_discovery_path`]).
        .option_layer(throttle)
        .layer(config.base_uri_layer())
        .option_layer(auth)
        .layer(config.extra_headers_layer()?)
        .map_err(|e: hyper_util::client::legacy::Error| -> tower::BoxError { Box::new(e) })
        .service(client);
    Ok(::kube::Client::new(service, config.default_namespace))
}

/// The namespace `options` would give a client, read from the kubeconfig
/// file alone, as Helm's `settings.Namespace()` reads the raw kubeconfig:
/// `-n`, else the selected context's namespace, else (in a pod without a
/// kubeconfig) the service account's, else `default`. No credentials are
/// built and nothing is contacted, so commands that only render pay
/// nothing for it; a file that cannot be read gives `default`.
pub fn kubeconfig_namespace(options: &ClientOptions) -> String {
    if let Some(ns) = options.namespace.clone().filter(|n| !n.is_empty()) {
        return ns;
    }
    let file = match &options.kubeconfig {
        Some(path) => Kubeconfig::read_from(path).ok(),
        None if kubeconfig_available() => Kubeconfig::read().ok(),
        None => None,
    };
    let from_file = file.as_ref().and_then(|file| {
        let name = selected_context(file, options)?;
        file.contexts
            .iter()
            .find(|c| c.name == name)?
            .context
            .as_ref()?
            .namespace
            .clone()
    });
    let in_pod = || {
        (file.is_none() && std::env::var_os("KUBERNETES_SERVICE_HOST").is_some())
            .then(|| {
                std::fs::read_to_string("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
                    .ok()
            })
            .flatten()
            .map(|ns| ns.trim().to_string())
    };
    from_file
        .or_else(in_pod)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".into())
}

fn selected_context(file: &Kubeconfig, options: &ClientOptions) -> Option<String> {
    options
        .context
        .clone()
        .or_else(|| file.current_context.clone())
}

fn kubeconfig_available() -> bool {
    if std::env::var_os("KUBECONFIG").is_some_and(|v| !v.is_empty()) {
        return true;
    }
    default_kubeconfig_path().is_some_and(|p| p.exists())
}

fn default_kubeconfig_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".kube").join("config"))
}

fn kubeconfig_source() -> String {
    match std::env::var("KUBECONFIG") {
        Ok(v) if !v.is_empty() => format!("KUBECONFIG={v}"),
        _ => "~/.kube/config".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_namespace_comes_from_the_file_without_credentials() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        // The user's exec plugin does not exist: reading the namespace must
        // not run it.
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n\
             contexts:\n- name: a\n  context:\n    cluster: c\n    user: u\n    namespace: from-a\n\
             - name: b\n  context:\n    cluster: c\n    user: u\n\
             current-context: a\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /no/such/plugin\n",
        )
        .unwrap();
        let opts = |context: Option<&str>, namespace: Option<&str>| ClientOptions {
            kubeconfig: Some(path.clone()),
            context: context.map(str::to_string),
            namespace: namespace.map(str::to_string),
            ..ClientOptions::default()
        };
        assert_eq!(kubeconfig_namespace(&opts(None, None)), "from-a");
        assert_eq!(kubeconfig_namespace(&opts(Some("b"), None)), "default");
        assert_eq!(kubeconfig_namespace(&opts(None, Some("flag"))), "flag");
        let missing = ClientOptions {
            kubeconfig: Some(dir.path().join("none")),
            ..ClientOptions::default()
        };
        assert_eq!(kubeconfig_namespace(&missing), "default");
    }

    /// .cargo/config.toml builds AWS-LC without CPU jitter entropy, whose
    /// start-up tests cost every process about 20 ms of CPU before its
    /// first TLS handshake; a build without that setting fails here.
    #[test]
    fn the_tls_provider_seeds_from_the_kernel_not_cpu_jitter() {
        assert!(
            aws_lc_rs::try_fips_cpu_jitter_entropy().is_err(),
            "AWS-LC was built with CPU jitter entropy: is AWS_LC_SYS_NO_JITTER_ENTROPY set in .cargo/config.toml?"
        );
    }

    const CONFIG: &str = r#"
apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u1
  user: {token: abc}
contexts:
- name: one
  context: {cluster: c1, user: u1, namespace: team-one}
- name: two
  context: {cluster: c1, user: u1}
current-context: one
"#;

    /// A self-signed certificate (openssl, P-256, CN=example).
    const TEST_CA: &str = "\
-----BEGIN CERTIFICATE-----
MIIBezCCASGgAwIBAgIUem/iYcvJKyZHW/8RlMtqSRz3gugwCgYIKoZIzj0EAwIw
EjEQMA4GA1UEAwwHZXhhbXBsZTAgFw0yNjExMjcyMjA4NDhaGA8yMTI2MTEwMzIy
MDg0OFowEjEQMA4GA1UEAwwHZXhhbXBsZTBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABBkLl2quOaH1CAhvl5odRPNypihxA5AC0/CWHx61wrM9c5nQFGB4JSbOA5GM
hHiaNp9OQP7yqQE0xAFP6nvo+CGjUzBRMB0GA1UdDgQWBBSDN3+ht1WuH/i67yvE
IjeeNkJA7TAfBgNVHSMEGDAWgBSDN3+ht1WuH/i67yvEIjeeNkJA7TAPBgNVHRMB
Af8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIDY299eZd2Hn2oRX5XUdKpGhZyL9
HibNEMbWajv0xg4UAiEA+f2orO7ZRP5dqPC6WEcYen/Ol6ojL3GVHUZCUAaeP/w=
-----END CERTIFICATE-----
";

    fn write_config() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config"), CONFIG).unwrap();
        dir
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn namespace_comes_from_flag_then_context_then_default() {
        let dir = write_config();
        let path = dir.path().join("config");
        let rt = runtime();
        let connect = |context: Option<&str>, namespace: Option<&str>| {
            rt.block_on(KubeClient::connect(&ClientOptions {
                kubeconfig: Some(path.clone()),
                context: context.map(str::to_string),
                namespace: namespace.map(str::to_string),
                ..Default::default()
            }))
            .unwrap()
        };
        let c = connect(None, None);
        assert_eq!((c.namespace(), c.context()), ("team-one", Some("one")));
        assert_eq!(c.server(), "https://127.0.0.1:1/");
        assert_eq!(connect(Some("two"), None).namespace(), "default");
        assert_eq!(connect(Some("two"), Some("x")).namespace(), "x");
    }

    #[test]
    fn missing_file_and_context_are_config_errors() {
        let dir = write_config();
        let rt = runtime();
        let err = rt
            .block_on(KubeClient::connect(&ClientOptions {
                kubeconfig: Some(dir.path().join("absent")),
                ..Default::default()
            }))
            .unwrap_err();
        assert!(matches!(err, KubeError::Config { .. }), "{err}");
        assert!(err.to_string().contains("absent"), "{err}");
        let err = rt
            .block_on(KubeClient::connect(&ClientOptions {
                kubeconfig: Some(dir.path().join("config")),
                context: Some("nope".into()),
                ..Default::default()
            }))
            .unwrap_err();
        assert!(matches!(err, KubeError::Config { .. }), "{err}");
    }

    #[test]
    fn flags_override_the_kubeconfig() {
        let dir = write_config();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, TEST_CA).unwrap();
        let overrides = ConnectionOverrides {
            api_server: Some("10.0.0.1:6443".into()),
            token: Some("t0ken".into()),
            as_user: Some("jane".into()),
            as_groups: vec!["dev".into(), "ops".into()],
            ca_file: Some(ca.clone()),
            insecure_skip_tls_verify: true,
            tls_server_name: Some("kubernetes".into()),
        };
        let file = Kubeconfig::read_from(dir.path().join("config")).unwrap();
        let rt = runtime();
        let mut config = rt
            .block_on(::kube::Config::from_custom_kubeconfig(
                file,
                &KubeConfigOptions::default(),
            ))
            .unwrap();
        overrides.apply(&mut config).unwrap();
        assert_eq!(config.cluster_url.to_string(), "https://10.0.0.1:6443/");
        use secrecy::ExposeSecret;
        assert_eq!(
            config.auth_info.token.as_ref().map(|t| t.expose_secret()),
            Some("t0ken")
        );
        assert_eq!(config.auth_info.impersonate.as_deref(), Some("jane"));
        assert_eq!(
            config.auth_info.impersonate_groups,
            Some(vec!["dev".to_string(), "ops".to_string()])
        );
        assert_eq!(config.root_cert.as_ref().map(Vec::len), Some(1));
        assert!(config.accept_invalid_certs);
        assert_eq!(config.tls_server_name.as_deref(), Some("kubernetes"));

        // No kubeconfig anywhere is fine with --kube-apiserver.
        let c = rt
            .block_on(KubeClient::connect(&ClientOptions {
                kubeconfig: None,
                overrides: ConnectionOverrides {
                    api_server: Some("https://127.0.0.1:1".into()),
                    ..Default::default()
                },
                ..Default::default()
            }))
            .map(|c| (c.server().to_string(), c.namespace().to_string()));
        // (Only when no KUBECONFIG is set in the test's environment.)
        if std::env::var_os("KUBECONFIG").is_none() {
            assert_eq!(
                c.unwrap(),
                ("https://127.0.0.1:1/".to_string(), "default".to_string())
            );
        }

        let bad = |o: ConnectionOverrides| {
            let mut config = ::kube::Config::new("https://127.0.0.1:1".parse().unwrap());
            o.apply(&mut config).unwrap_err().to_string()
        };
        let e = bad(ConnectionOverrides {
            api_server: Some("https://".into()),
            ..Default::default()
        });
        assert!(e.contains("invalid --kube-apiserver"), "{e}");
        let e = bad(ConnectionOverrides {
            ca_file: Some(dir.path().join("absent.pem")),
            ..Default::default()
        });
        assert!(
            e.contains("--kube-ca-file") && e.contains("absent.pem"),
            "{e}"
        );
        let e = bad(ConnectionOverrides {
            ca_file: Some(dir.path().join("config")),
            ..Default::default()
        });
        assert!(e.contains("no PEM certificate"), "{e}");
    }

    #[test]
    fn unreachable_server_is_reported_as_such() {
        let dir = write_config();
        let rt = runtime();
        let err = rt.block_on(async {
            let c = KubeClient::connect(&ClientOptions {
                kubeconfig: Some(dir.path().join("config")),
                ..Default::default()
            })
            .await
            .unwrap();
            c.check_reachable().await.unwrap_err()
        });
        assert!(matches!(err, KubeError::Unreachable { .. }), "{err:?}");
        assert!(
            err.to_string()
                .starts_with("Kubernetes cluster unreachable: https://127.0.0.1:1/")
        );
    }
}
