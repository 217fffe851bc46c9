#!/usr/bin/env bash
# Isthmus operator demo: from `kubectl apply` to an established tunnel shown by `kubectl get` and
# `kubectl describe`, on one machine without Kubernetes. Run as root:  sudo scripts/operator-demo.sh
#
#   namespace isth-opdemo-gw ("the gateway node", 198.51.100.20, LAN 10.2.0.0/16):
#     - isthmus-kube-double: the project's Kubernetes API-server test double on 127.0.0.1, serving the
#       generated CRDs (crds/*.yaml), seeded with two Ready gateway Nodes and the isthmus-system namespace
#     - isthmus-operator against it; kubectl 1.32 (scripts/install-k8s-tools.sh) through a kubeconfig
#     - isthmus-iked, started the way the IKE pod the operator creates would run it: on the node config
#       the operator rendered into the Secret isthmus-node-<node>, with --kube-status
#   namespace isth-opdemo-hq ("HQ", 192.0.2.10, LAN 10.1.0.0/16): strongSwan (charon), the IKE peer
#
# The manifests applied are examples/psk-secret.yaml and examples/tunnel-refs.yaml, unchanged: the branch
# gateway responds, HQ (strongSwan) initiates. No ESP dataplane runs here (the kernel has no ESP and the
# DPDK dataplane is not started), so the tunnel's byte and packet counters stay at zero.
# Everything it starts is stopped by PID (the processes in its two namespaces), the namespaces and the
# work directory are removed on exit, and leftovers of an interrupted run are removed first.
# The logs of the double, the operator, iked and charon are copied to artifacts/opdemo/logs on exit.
# OPDEMO_SKIP_BUILD=1 reuses the binaries in artifacts/opdemo from an earlier run.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

[[ $(id -u) -eq 0 ]] || { echo "operator-demo.sh: run as root (network namespaces): sudo scripts/operator-demo.sh" >&2; exit 1; }
# kubectl 1.32 as scripts/install-k8s-tools.sh installs it (ISTHMUS_KUBECTL, the tools directory, then PATH).
kubectl_bin=${ISTHMUS_KUBECTL:-${ISTHMUS_TOOLS_DIR:-/usr/local/lib/isthmus/bin}/kubectl}
if [[ ! -x $kubectl_bin ]]; then
  bash scripts/install-k8s-tools.sh >/dev/null || true
fi
[[ -x $kubectl_bin ]] || kubectl_bin=$(command -v kubectl || true)
[[ -n $kubectl_bin && -x $kubectl_bin ]] || { echo "operator-demo.sh: no kubectl (run scripts/install-k8s-tools.sh)" >&2; exit 1; }

gw=isth-opdemo-gw
hq=isth-opdemo-hq
work=/tmp/isthmus-operator-demo
art=$repo/artifacts/opdemo
system_ns=isthmus-system
tunnel=branch-to-hq

stop_processes() {
  # Our processes are exactly those in our two namespaces (the double, the operator, iked, charon).
  local ns pid left
  for ns in "$gw" "$hq"; do
    [[ -e /run/netns/$ns ]] || continue
    for pid in $(ip netns pids "$ns"); do kill -TERM "$pid" 2>/dev/null || true; done
  done
  for _ in $(seq 50); do
    left=""
    for ns in "$gw" "$hq"; do [[ -e /run/netns/$ns ]] && left+=$(ip netns pids "$ns"); done
    [[ -z $left ]] && return 0
    sleep 0.1
  done
  for ns in "$gw" "$hq"; do
    [[ -e /run/netns/$ns ]] || continue
    for pid in $(ip netns pids "$ns"); do kill -KILL "$pid" 2>/dev/null || true; done
  done
}

cleanup() {
  local status=$? log
  local -
  set +e
  stop_processes
  if [[ -d $work ]]; then
    # Logs (never keys or PSKs) are kept in artifacts/opdemo/logs; the rendered node config (it holds the PSK) is not.
    rm -rf "$art/logs"
    mkdir -p "$art/logs"
    cp "$work"/*.log "$work"/hq/charon.log "$art/logs/" 2>/dev/null
    if [[ $status -ne 0 ]]; then
      for log in "$art"/logs/*.log; do
        [[ -s $log ]] && { echo "--- last lines of $log"; tail -n 25 "$log"; }
      done
    fi
  fi
  ip netns del "$gw" 2>/dev/null
  ip netns del "$hq" 2>/dev/null
  rm -rf "$work"
}

section() { printf '\n== %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@" 2>&1 | sed 's/^/  /'; }
in_gw() { ip netns exec "$gw" "$@"; }
kubectl() { ip netns exec "$gw" env KUBECONFIG="$work/kubeconfig" HOME="$work" "$kubectl_bin" "$@"; }
swanctl() { STRONGSWAN_CONF="$work/hq/strongswan.conf" ip netns exec "$hq" /usr/sbin/swanctl "$@"; }
jsonpath() { kubectl get ipsectunnel "$tunnel" -o "jsonpath=$1" 2>/dev/null || true; }
# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.2 s until it succeeds.
wait_for() {
  local seconds=$1 what=$2 i
  shift 2
  for ((i = 0; i < seconds * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "operator-demo.sh: timed out after ${seconds}s waiting for $what" >&2
  return 1
}

cleanup
trap cleanup EXIT
mkdir -m 700 -p "$work" "$work/hq"

bash scripts/setup.sh >/dev/null
if [[ ${OPDEMO_SKIP_BUILD:-0} != 1 ]]; then
  section "building isthmus-kube-double, isthmus-operator, isthmus-iked (Release, into artifacts/opdemo)"
  dotnet build tests/Isthmus.KubeApiDouble.Host -c Release -o "$art/double" --nologo -v quiet >/dev/null
  dotnet build operator/Isthmus.Operator -c Release -o "$art/operator" --nologo -v quiet >/dev/null
  dotnet build dataplane-node/Isthmus.IkeDaemon -c Release -o "$art/iked" --nologo -v quiet >/dev/null
fi
started=$SECONDS

section "network: $gw (198.51.100.20, LAN 10.2.0.0/16) <-> $hq (192.0.2.10, LAN 10.1.0.0/16)"
ip netns add "$gw"
ip netns add "$hq"
ip link add opdemo-gw netns "$gw" type veth peer name opdemo-hq netns "$hq"
ip -n "$gw" link set lo up
ip -n "$hq" link set lo up
ip -n "$gw" addr add 198.51.100.20/32 peer 192.0.2.10/32 dev opdemo-gw
ip -n "$hq" addr add 192.0.2.10/32 peer 198.51.100.20/32 dev opdemo-hq
ip -n "$gw" link set opdemo-gw up
ip -n "$hq" link set opdemo-hq up
ip -n "$gw" addr add 10.2.0.1/16 dev lo
ip -n "$hq" addr add 10.1.0.1/16 dev lo

# strongSwan at HQ, the peer of examples/tunnel-refs.yaml (same PSK and identities as the examples).
cat > "$work/hq/strongswan.conf" <<CONF
charon {
  load_modular = yes
  plugins {
    include /etc/strongswan.d/charon/*.conf
    vici { socket = unix://$work/hq/charon.vici }
    kernel-libipsec { load = yes }
  }
  filelog { demo { path = $work/hq/charon.log
    default = 1 } }
}
swanctl { socket = unix://$work/hq/charon.vici }
CONF
cat > "$work/hq/swanctl.conf" <<CONF
connections {
  branch {
    version = 2
    local_addrs = 192.0.2.10
    remote_addrs = 198.51.100.20
    proposals = aes256gcm16-prfsha384-ecp384
    local {
      auth = psk
      id = hq.example.com
    }
    remote {
      auth = psk
      id = branch.example.com
    }
    children {
      lan {
        local_ts = 10.1.0.0/16
        remote_ts = 10.2.0.0/16
        esp_proposals = aes256gcm16
      }
    }
  }
}
secrets {
  ike-branch {
    id-1 = hq.example.com
    id-2 = branch.example.com
    secret = "example-only-replace-me-with-32-random-bytes"
  }
}
CONF
STRONGSWAN_CONF="$work/hq/strongswan.conf" setsid ip netns exec "$hq" unshare -m sh -c \
  'mount -t tmpfs none /var/run && mount -t tmpfs none /run; exec /usr/lib/ipsec/charon' >"$work/hq/stdout" 2>&1 &
wait_for 10 "charon's VICI socket" test -S "$work/hq/charon.vici"
swanctl --load-all --file "$work/hq/swanctl.conf" >/dev/null 2>&1

section "1. the API-server double (127.0.0.1 in $gw) with two Ready gateway Nodes, and isthmus-operator"
cat > "$work/seed.yaml" <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $system_ns
YAML
for node in gw-a gw-b; do
  cat >> "$work/seed.yaml" <<YAML
---
apiVersion: v1
kind: Node
metadata:
  name: $node
  labels:
    kubernetes.io/hostname: $node
    ipsec.isthmus.dev/gateway: "true"
status:
  conditions:
    - type: Ready
      status: "True"
      reason: KubeletReady
      message: kubelet is posting ready status
YAML
done
setsid ip netns exec "$gw" dotnet "$art/double/isthmus-kube-double.dll" --kubeconfig "$work/kubeconfig" \
  --crd crds/ipsec.isthmus.dev_ipsectunnels.yaml --crd crds/ipsec.isthmus.dev_trafficselectors.yaml \
  --seed "$work/seed.yaml" >"$work/double.log" 2>&1 &
wait_for 30 "the API-server double" test -s "$work/kubeconfig"
sed 's/^/  /' "$work/double.log"
api=$(sed -n 's/^ *server: //p' "$work/kubeconfig")
# The double has no authentication; the operator and iked (KubernetesClient) take its URL alone.
# The dataplane DaemonSet it renders needs the WAN next hop's MAC; no pod runs here, so any unicast MAC does.
setsid ip netns exec "$gw" dotnet "$art/operator/isthmus-operator.dll" --server "$api" \
  --namespace "$system_ns" --leader-elect false --metrics-port 0 --log-format text \
  --dataplane-cipher-next-hop-mac 02:00:5e:00:00:02 \
  >"$work/operator.log" 2>&1 &
show kubectl get nodes -L ipsec.isthmus.dev/gateway

section "2. kubectl apply the example Secret, TrafficSelectors and IpsecTunnel (the double serves no OpenAPI: --validate=false)"
show kubectl apply --validate=false -f examples/psk-secret.yaml -f examples/tunnel-refs.yaml
placed() { [[ -n $(jsonpath '{.status.activeNode}') ]]; }
wait_for 30 "the operator to place $tunnel" placed
node=$(jsonpath '{.status.activeNode}')
wait_for 30 "the node config Secret" kubectl -n "$system_ns" get secret "isthmus-node-$node"
wait_for 30 "the IKE pod" kubectl -n "$system_ns" get pod "isthmus-iked-$node"

section "3. what the operator did"
show kubectl get ipsectunnels
show kubectl get trafficselectors
show kubectl get ipsectunnel "$tunnel" -o 'jsonpath={range .status.conditions[*]}{.type}{"\t"}{.status}{"\t"}{.reason}{"\t"}{.message}{"\n"}{end}'
show kubectl -n "$system_ns" describe secret "isthmus-node-$node"
printf '$ %s\n' "kubectl -n $system_ns get secret isthmus-node-$node -o jsonpath='{.data.tunnels\\.yaml}' | base64 -d   # Secret data values masked here"
kubectl -n "$system_ns" get secret "isthmus-node-$node" -o 'jsonpath={.data.tunnels\.yaml}' | base64 -d >"$work/tunnels.yaml"
chmod 600 "$work/tunnels.yaml"
awk '/^---/ { secret = 0; data = 0 } /^kind: "?Secret"?$/ { secret = 1 } !/^  / { data = 0 }
     data { sub(/: .*/, ": <masked>") } secret && /^data:/ { data = 1 } { print }' \
  "$work/tunnels.yaml" | sed 's/^/  /'
show kubectl -n "$system_ns" get pods -o custom-columns='NAME:.metadata.name,NODE:.spec.nodeName,HOSTNET:.spec.hostNetwork,IMAGE:.spec.containers[0].image,PORTS:.spec.containers[0].ports[*].containerPort,CAPS:.spec.containers[0].securityContext.capabilities.add,CONFIG:.spec.volumes[0].secret.secretName'
show kubectl -n "$system_ns" get pod "isthmus-iked-$node" -o 'jsonpath={.spec.containers[0].args}{"\n"}'
show kubectl -n "$system_ns" get daemonsets -o custom-columns='NAME:.metadata.name,NODE-SELECTOR:.spec.template.spec.nodeSelector,PRIVILEGED:.spec.template.spec.containers[0].securityContext.privileged,ARGS:.spec.template.spec.containers[0].args'

section "4. playing node $node: isthmus-iked on the rendered config, writing status and Events (--kube-status)"
printf '$ %s\n' "isthmus-iked run --config tunnels.yaml --listen 198.51.100.20 --control iked.sock --kube-status --server $api --node-name $node"
setsid ip netns exec "$gw" dotnet "$art/iked/isthmus-iked.dll" run --config "$work/tunnels.yaml" --listen 198.51.100.20 \
  --control "$work/iked.sock" --kube-status --server "$api" --node-name "$node" >"$work/iked.log" 2>&1 &
iked_pid=$!
wait_for 30 "isthmus-iked's control socket" test -S "$work/iked.sock"
show swanctl --initiate --child lan --timeout 20
condition() { [[ $(jsonpath "{.status.conditions[?(@.type==\"$1\")].status}") == True ]]; }
ready() { condition IkeSaEstablished && condition ChildSaEstablished && condition Ready; }
wait_for 30 "$tunnel to turn Ready" ready
# A Child SA rekey and an IKE SA rekey, both started by strongSwan: REKEYS counts them.
show swanctl --rekey --child lan
rekeyed() { [[ $(jsonpath '{.status.rekeyCount}') -ge 1 ]]; }
wait_for 30 "the Child SA rekey to reach the status" rekeyed
show swanctl --rekey --ike branch
rekeyed_twice() { [[ $(jsonpath '{.status.rekeyCount}') -ge 2 ]]; }
wait_for 30 "the IKE SA rekey to reach the status" rekeyed_twice
show kubectl get ipsectunnels
show kubectl get ipsectunnels -o wide
show kubectl describe ipsectunnel "$tunnel"
show kubectl events --for "ipsectunnel/$tunnel"
show swanctl --list-sas

section "5. teardown: kubectl delete, then every process stopped and both namespaces removed"
show kubectl delete ipsectunnel "$tunnel" --wait=true --timeout=30s
gone() { ! kubectl -n "$system_ns" get pod "isthmus-iked-$node" >/dev/null 2>&1; }
wait_for 30 "the operator to remove the IKE pod" gone
show kubectl -n "$system_ns" get secrets,pods
show kubectl get ipsectunnels
# The pod is gone, so its daemon stops (as the kubelet would stop it): it deletes its SAs at the peer.
kill -TERM "$iked_pid"
iked_stopped() { ! kill -0 "$iked_pid"; }
wait_for 15 "isthmus-iked to stop" iked_stopped
show swanctl --list-sas
echo
echo "operator-demo.sh: done in $((SECONDS - started))s after the build"
