//! Errors of the cluster access layer.
//!
//! Raw kube-rs errors say little to a user (`ApiError: Unauthorized ...`), so
//! each failing call is classified here with what was being attempted
//! ([`Operation`]): an unreachable server, rejected credentials, a denied
//! verb on a resource in a namespace, a conflict, or anything else.

use std::fmt;

/// What a request was trying to do, for error messages: the verb (`get`,
/// `list`, `create`, `patch`, `delete`...), the resource (plural, with its
/// group: `deployments.apps`), the object's name and its namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Operation {
    /// The Kubernetes verb.
    pub verb: String,
    /// The resource, `plural` for the core group or `plural.group`.
    pub resource: String,
    /// The object name; empty for collection calls.
    pub name: String,
    /// The namespace; empty for cluster-scoped resources or all namespaces.
    pub namespace: String,
}

impl Operation {
    /// An operation on `resource` (`plural[.group]`) in `namespace`.
    pub fn new(verb: &str, resource: &str, name: &str, namespace: &str) -> Self {
        Operation {
            verb: verb.to_string(),
            resource: resource.to_string(),
            name: name.to_string(),
            namespace: namespace.to_string(),
        }
    }
}

impl Operation {
    /// The RBAC rule that would allow this operation, as a sentence for
    /// error messages: a Role in the namespace, or a ClusterRole for
    /// cluster-scoped resources and all-namespace calls.
    pub fn rbac_hint(&self) -> String {
        let (plural, group) = self
            .resource
            .split_once('.')
            .unwrap_or((self.resource.as_str(), ""));
        let rule = format!(
            "{{apiGroups: [{group:?}], resources: [{plural:?}], verbs: [{:?}]}}",
            self.verb
        );
        if self.namespace.is_empty() {
            format!(
                "a ClusterRole with the rule {rule}, bound to this user by a ClusterRoleBinding, would allow it"
            )
        } else {
            format!(
                "a Role in namespace {:?} with the rule {rule}, bound to this user by a RoleBinding, would allow it",
                self.namespace
            )
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.verb, self.resource)?;
        if !self.name.is_empty() {
            write!(f, " {:?}", self.name)?;
        }
        if !self.namespace.is_empty() {
            write!(f, " in namespace {:?}", self.namespace)?;
        }
        Ok(())
    }
}

/// Why talking to the cluster failed.
#[derive(Debug, thiserror::Error)]
pub enum KubeError {
    /// No kubeconfig could be loaded (and no in-cluster config either).
    #[error("could not load the Kubernetes configuration: {reason}")]
    Config {
        /// What failed, with the files and variables involved.
        reason: String,
    },
    /// The API server could not be reached at all.
    #[error("Kubernetes cluster unreachable: {server}: {reason}")]
    Unreachable {
        /// The server URL from the configuration.
        server: String,
        /// The connection error.
        reason: String,
    },
    /// The server's TLS certificate was refused (unknown authority, wrong
    /// name, expired): retrying cannot help.
    #[error(
        "Kubernetes cluster unreachable: {server}: its TLS certificate was refused: {reason} \
         (trust its CA with --kube-ca-file or the kubeconfig's certificate-authority, or \
         check the server name; --kube-insecure-skip-tls-verify turns the check off)"
    )]
    UntrustedServer {
        /// The server URL from the configuration.
        server: String,
        /// What the certificate check said.
        reason: String,
    },
    /// 401: the token or certificate is invalid or expired, or credentials
    /// could not be obtained (exec plugin, token file).
    #[error(
        "the server rejected the credentials (401 Unauthorized) while trying to {operation}: \
         the token or client certificate of the current kubeconfig user is invalid or expired; \
         refresh the credentials or pick another context: {message}"
    )]
    Unauthorized {
        /// What was being attempted.
        operation: Box<Operation>,
        /// The server's message.
        message: String,
    },
    /// 403: the user may not perform this verb on this resource.
    #[error(
        "forbidden: the current user may not {verb} {resource}{in_namespace}: {message}; {hint}",
        verb = operation.verb,
        resource = operation.resource,
        in_namespace = if operation.namespace.is_empty() {
            String::new()
        } else {
            format!(" in namespace {:?}", operation.namespace)
        },
        hint = operation.rbac_hint()
    )]
    Forbidden {
        /// What was being attempted.
        operation: Box<Operation>,
        /// The server's message.
        message: String,
    },
    /// 404.
    #[error("{operation}: not found: {message}")]
    NotFound {
        /// What was being attempted.
        operation: Box<Operation>,
        /// The server's message.
        message: String,
    },
    /// 409 with reason `AlreadyExists`.
    #[error("{operation}: already exists: {message}")]
    AlreadyExists {
        /// What was being attempted.
        operation: Box<Operation>,
        /// The server's message.
        message: String,
    },
    /// Any other status the API server answered with (409 conflicts,
    /// 422 invalid objects, 5xx...).
    #[error("{operation}: the server answered {code} {reason}: {message}")]
    Api {
        /// What was being attempted.
        operation: Box<Operation>,
        /// HTTP status code.
        code: u16,
        /// The status reason (`Conflict`, `Invalid`...).
        reason: String,
        /// The server's message.
        message: String,
    },
    /// The request failed on the way (timeouts, broken connections, bad
    /// responses) after the server was reached.
    #[error("{operation}: {reason}")]
    Transport {
        /// What was being attempted.
        operation: Box<Operation>,
        /// The client's error.
        reason: String,
    },
    /// A manifest document is not an object the API can take.
    #[error("invalid object: {reason}")]
    InvalidObject {
        /// What is wrong, naming the object when it has a kind and name.
        reason: String,
    },
    /// An existing object belongs to another release or to no release.
    #[error("{message}")]
    NotOwned {
        /// Helm's message: `Kind "name" in namespace "ns" exists and cannot
        /// be imported into the current release: invalid ownership metadata; ...`.
        message: String,
    },
    /// Discovery found no resource for an apiVersion and kind. Worded as
    /// Helm's kube client words it (after Helm's install adds "unable to
    /// build kubernetes objects from release manifest: ").
    #[error(
        "resource mapping not found for name: {name:?} namespace: {namespace:?} from \"\": no matches for kind {kind:?} in version {api_version:?}\nensure CRDs are installed first"
    )]
    NoMatch {
        /// The object's name.
        name: String,
        /// The object's namespace as written in the manifest.
        namespace: String,
        /// Its apiVersion.
        api_version: String,
        /// Its kind.
        kind: String,
    },
    /// A wait ran out of time. Worded so that scripts matching Helm's
    /// `timed out waiting for the condition` and `context deadline exceeded`
    /// still match, with every object still pending and why.
    #[error(
        "timed out waiting for the condition after {timeout}: {count} of {total} resources not {goal}:\n{list}\ncontext deadline exceeded",
        count = pending.len(),
        list = indented(pending)
    )]
    WaitTimeout {
        /// What the wait wanted: `ready`, `deleted`, `complete`.
        goal: String,
        /// The timeout, as Go prints durations (`5m0s`).
        timeout: String,
        /// One line per object still not there, starting with `Kind namespace/name`.
        pending: Vec<String>,
        /// How many objects were waited for.
        total: usize,
    },
    /// Objects reached a state they cannot recover from (a failed Job, a
    /// Deployment past its progress deadline...).
    #[error(
        "{count} resources failed while waiting for them to become ready:\n{list}",
        count = failed.len(),
        list = indented(failed)
    )]
    WaitFailed {
        /// One line per failed object, starting with `Kind namespace/name`.
        failed: Vec<String>,
    },
}

/// One `  - item` line per item.
fn indented(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("  - {i}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl KubeError {
    /// Classifies a kube-rs error for `operation` on the server at `server`.
    pub fn from_kube(error: ::kube::Error, operation: Operation, server: &str) -> Self {
        let operation = Box::new(operation);
        match error {
            ::kube::Error::Api(status) => {
                let message = status.message.clone();
                match status.code {
                    401 => KubeError::Unauthorized { operation, message },
                    403 => KubeError::Forbidden { operation, message },
                    404 => KubeError::NotFound { operation, message },
                    409 if status.reason == "AlreadyExists" => {
                        KubeError::AlreadyExists { operation, message }
                    }
                    code => KubeError::Api {
                        operation,
                        code,
                        reason: status.reason.clone(),
                        message,
                    },
                }
            }
            ::kube::Error::Auth(e) => KubeError::Unauthorized {
                operation,
                message: format!("could not obtain credentials: {e}"),
            },
            other => {
                let reason = error_chain(&other);
                if let Some(refusal) = certificate_refusal(&other) {
                    KubeError::UntrustedServer {
                        server: server.to_string(),
                        reason: refusal,
                    }
                } else if is_connect_error(&other) {
                    KubeError::Unreachable {
                        server: server.to_string(),
                        reason,
                    }
                } else {
                    KubeError::Transport { operation, reason }
                }
            }
        }
    }

    /// True for 404s.
    pub fn is_not_found(&self) -> bool {
        matches!(self, KubeError::NotFound { .. })
    }

    /// True for 409 `AlreadyExists`.
    pub fn is_already_exists(&self) -> bool {
        matches!(self, KubeError::AlreadyExists { .. })
    }

    /// True for failures worth retrying for an idempotent call: throttling,
    /// server errors, timeouts and dropped connections.
    pub fn is_transient(&self) -> bool {
        match self {
            KubeError::Api { code, .. } => *code == 429 || (500..600).contains(code),
            KubeError::Transport { .. } | KubeError::Unreachable { .. } => true,
            _ => false,
        }
    }
}

/// The error and its causes on one line, as Go's wrapped errors read.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// What rustls said when the chain holds a refused server certificate.
/// hyper's connector errors are boxed and `std::io::Error` does not give
/// the error it wraps as its source, so the rustls error is only readable
/// as text; its message starts this way for every refusal.
fn certificate_refusal(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let text = error_chain(error);
    text.find("invalid peer certificate")
        .map(|at| text[at..].to_string())
}

/// True when the chain holds an error from connecting (refused, DNS, TLS
/// handshake): the request never reached the server.
fn is_connect_error(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        // hyper-util reports connection failures as "client error (Connect)"
        // and keeps the type private to its `client-legacy` feature.
        if e.to_string().contains("(Connect)") {
            return true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused
                    | std::io::ErrorKind::HostUnreachable
                    | std::io::ErrorKind::NetworkUnreachable
                    | std::io::ErrorKind::AddrNotAvailable
            )
        {
            return true;
        }
        current = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, reason: &str) -> ::kube::Error {
        ::kube::Error::Api(Box::new(::kube::core::Status {
            code,
            reason: reason.to_string(),
            message: "secrets is forbidden: User \"bob\" cannot list".to_string(),
            ..Default::default()
        }))
    }

    #[test]
    fn forbidden_names_verb_resource_and_namespace() {
        let op = Operation::new("list", "secrets", "", "team-a");
        let e = KubeError::from_kube(status(403, "Forbidden"), op, "https://k");
        let text = e.to_string();
        assert!(
            text.starts_with(
                "forbidden: the current user may not list secrets in namespace \"team-a\": "
            ),
            "{text}"
        );
    }

    #[test]
    fn forbidden_names_the_rule_that_would_allow_it() {
        let op = Operation::new("patch", "deployments.apps", "web", "team-a");
        let text = KubeError::from_kube(status(403, "Forbidden"), op, "https://k").to_string();
        assert!(
            text.ends_with(
                "; a Role in namespace \"team-a\" with the rule {apiGroups: [\"apps\"], resources: [\"deployments\"], verbs: [\"patch\"]}, bound to this user by a RoleBinding, would allow it"
            ),
            "{text}"
        );
        let op = Operation::new("create", "namespaces", "x", "");
        let text = KubeError::from_kube(status(403, "Forbidden"), op, "https://k").to_string();
        assert!(
            text.contains("a ClusterRole with the rule {apiGroups: [\"\"], resources: [\"namespaces\"], verbs: [\"create\"]}"),
            "{text}"
        );
    }

    #[test]
    fn unauthorized_says_credentials_were_rejected() {
        let op = Operation::new("get", "configmaps", "x", "ns");
        let e = KubeError::from_kube(status(401, "Unauthorized"), op, "https://k");
        assert!(
            e.to_string()
                .contains("the server rejected the credentials")
        );
        assert!(!e.is_transient());
    }

    #[test]
    fn refused_server_certificates_are_final_and_say_how_to_fix() {
        let op = Operation::new("list", "secrets", "", "ns");
        let refused = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "client error (Connect): invalid peer certificate: UnknownIssuer",
        );
        let e = KubeError::from_kube(
            ::kube::Error::Service(Box::new(refused)),
            op.clone(),
            "https://k",
        );
        assert!(matches!(e, KubeError::UntrustedServer { .. }), "{e:?}");
        assert!(!e.is_transient());
        let text = e.to_string();
        assert!(
            text.contains("invalid peer certificate: UnknownIssuer"),
            "{text}"
        );
        assert!(text.contains("--kube-ca-file"), "{text}");
        // A refused connection stays a transient "unreachable".
        let refused = std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "client error (Connect): connection refused",
        );
        let e = KubeError::from_kube(::kube::Error::Service(Box::new(refused)), op, "https://k");
        assert!(matches!(e, KubeError::Unreachable { .. }), "{e:?}");
        assert!(e.is_transient());
    }

    #[test]
    fn statuses_are_classified() {
        let op = Operation::new("create", "secrets", "x", "ns");
        let e = KubeError::from_kube(status(409, "AlreadyExists"), op.clone(), "s");
        assert!(e.is_already_exists());
        let e = KubeError::from_kube(status(409, "Conflict"), op.clone(), "s");
        assert!(!e.is_already_exists() && !e.is_transient());
        assert!(KubeError::from_kube(status(404, "NotFound"), op.clone(), "s").is_not_found());
        assert!(
            KubeError::from_kube(status(429, "TooManyRequests"), op.clone(), "s").is_transient()
        );
        assert!(KubeError::from_kube(status(503, "ServiceUnavailable"), op, "s").is_transient());
    }

    #[test]
    fn operation_display_skips_empty_parts() {
        assert_eq!(
            Operation::new("delete", "namespaces", "x", "").to_string(),
            "delete namespaces \"x\""
        );
        assert_eq!(
            Operation::new("list", "secrets", "", "ns").to_string(),
            "list secrets in namespace \"ns\""
        );
    }
}
