# Shared by up.sh and up-nossa.sh (sourced, not run): starting one
# kube-apiserver against the local etcd, waiting until it is ready, and
# writing its kubeconfig.

# api_ready PORT: the server on PORT answers /readyz with ok.
api_ready() {
  curl -sk -m 2 "https://127.0.0.1:$1/readyz" 2>/dev/null | grep -q '^ok$'
}

# start_apiserver BINARY ETCD_PORT PORT CERTS STATE SERVICE_RANGE [EXTRA_FLAG...]
# Starts BINARY on 127.0.0.1:PORT with the certificates, tokens and
# service-account keys of folder CERTS (written by up.sh), its log and pid
# in folder STATE, and waits up to 120 s for it to be ready.
start_apiserver() {
  local binary=$1 etcd_port=$2 port=$3 certs=$4 state=$5 range=$6
  shift 6
  nohup "$binary" \
    --etcd-servers="http://127.0.0.1:$etcd_port" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$port" \
    --tls-cert-file="$certs/apiserver.crt" --tls-private-key-file="$certs/apiserver.key" \
    --client-ca-file="$certs/ca.crt" \
    --token-auth-file="$certs/tokens.csv" \
    --authorization-mode=RBAC \
    --service-account-key-file="$certs/sa.pub" \
    --service-account-signing-key-file="$certs/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range="$range" \
    --allow-privileged=true \
    --cert-dir="$state/certs" \
    "$@" \
    > "$state/apiserver.log" 2>&1 &
  echo $! > "$state/apiserver.pid"
  local i
  for i in $(seq 240); do
    api_ready "$port" && return 0
    if ! kill -0 "$(cat "$state/apiserver.pid")" 2>/dev/null; then
      log "kube-apiserver exited; last log lines:"; tail -20 "$state/apiserver.log" >&2; exit 1
    fi
    sleep 0.5
  done
  log "kube-apiserver not ready after 120 s"; tail -20 "$state/apiserver.log" >&2; exit 1
}

# write_kubeconfig PATH NAME PORT CA TOKEN: an admin kubeconfig for the
# server on PORT, written whole or not at all.
write_kubeconfig() {
  cat > "$1.tmp" <<KC
apiVersion: v1
kind: Config
clusters:
- name: $2
  cluster:
    server: https://127.0.0.1:$3
    certificate-authority: $4
users:
- name: admin
  user:
    token: $5
contexts:
- name: $2
  context:
    cluster: $2
    user: admin
    namespace: default
current-context: $2
KC
  mv "$1.tmp" "$1"
}
