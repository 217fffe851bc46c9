#!/usr/bin/env bash
# Isthmus interop demo: an Isthmus IKEv2 daemon at "hq" brings up an IKE SA and a Child SA with a real
# strongSwan at "branch", each in its own network namespace on this machine, then prints both
# daemons' view of the SAs. Run as root on Debian 12 with the .NET 10 SDK:  sudo scripts/demo-strongswan.sh
# Everything it creates (two namespaces, two daemons, a temp directory) is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ $(id -u) -eq 0 ]] || { echo "demo.sh: run as root (network namespaces): sudo scripts/demo-strongswan.sh" >&2; exit 1; }

bash scripts/setup.sh
echo "== building isthmus-iked"
dotnet build dataplane-node/Isthmus.IkeDaemon -c Release -o artifacts/iked --nologo -v quiet >/dev/null
IKED=(dotnet "$PWD/artifacts/iked/isthmus-iked.dll")

id=$(printf '%04x' $((RANDOM)))
hq="isth-demo-$id-hq"
branch="isth-demo-$id-br"
work=$(mktemp -d /tmp/isthmus-demo.XXXXXX)
pids=()

cleanup() {
  set +e
  for pid in "${pids[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  done
  sleep 1
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null; done
  ip netns del "$hq" 2>/dev/null
  ip netns del "$branch" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== network: $hq (172.30.$((0x${id:2:2})).1, LAN 10.10.1.0/24) <-> $branch (.2, LAN 10.10.2.0/24)"
net=$((0x${id:2:2}))
ip netns add "$hq"
ip netns add "$branch"
ip link add "vd${id}h" netns "$hq" type veth peer name "vd${id}b" netns "$branch"
ip -n "$hq" link set lo up
ip -n "$branch" link set lo up
ip -n "$hq" addr add "172.30.$net.1/24" dev "vd${id}h"
ip -n "$branch" addr add "172.30.$net.2/24" dev "vd${id}b"
ip -n "$hq" link set "vd${id}h" up
ip -n "$branch" link set "vd${id}b" up
ip -n "$hq" addr add 10.10.1.1/24 dev lo
ip -n "$branch" addr add 10.10.2.1/24 dev lo

echo "== strongSwan at branch (responder)"
mkdir -p "$work/swan/swanctl"
cat > "$work/swan/strongswan.conf" <<CONF
charon {
  load_modular = yes
  plugins {
    include /etc/strongswan.d/charon/*.conf
    vici { socket = unix://$work/swan/charon.vici }
    kernel-libipsec { load = yes }
  }
  filelog { demo { path = $work/swan/charon.log
    default = 1
    ike = 1 } }
}
swanctl { socket = unix://$work/swan/charon.vici }
CONF
cat > "$work/swan/swanctl/swanctl.conf" <<CONF
connections {
  hq {
    version = 2
    local_addrs = 172.30.$net.2
    remote_addrs = 172.30.$net.1
    proposals = aes256gcm16-prfsha384-ecp384
    local {
      auth = psk
      id = branch.example.com
    }
    remote {
      auth = psk
      id = hq.example.com
    }
    children {
      lan {
        local_ts = 10.10.2.0/24
        remote_ts = 10.10.1.0/24
        esp_proposals = aes128gcm16
      }
    }
  }
}
secrets {
  ike-hq {
    id-1 = hq.example.com
    id-2 = branch.example.com
    secret = "demo-only-psk-change-me"
  }
}
CONF
STRONGSWAN_CONF="$work/swan/strongswan.conf" setsid ip netns exec "$branch" unshare -m sh -c \
  'mount -t tmpfs none /var/run && mount -t tmpfs none /run; exec /usr/lib/ipsec/charon' >"$work/swan/stdout" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -S $work/swan/charon.vici ]] && break; sleep 0.1; done
STRONGSWAN_CONF="$work/swan/strongswan.conf" ip netns exec "$branch" swanctl --load-all --file "$work/swan/swanctl/swanctl.conf" >/dev/null

echo "== Isthmus at hq (initiator), from these manifests:"
mkdir -p "$work/hq"
cat > "$work/hq/tunnel.yaml" <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: branch-psk
stringData:
  psk: demo-only-psk-change-me
---
apiVersion: ipsec.isthmus.dev/v1alpha1
kind: IpsecTunnel
metadata:
  name: hq-to-branch
spec:
  startAction: Initiate
  local:
    address: 172.30.$net.1
    id: { type: FQDN, value: hq.example.com }
  peer:
    address: 172.30.$net.2
    id: { type: FQDN, value: branch.example.com }
  authentication:
    method: Psk
    psk: { secretRef: { name: branch-psk } }
  ike:
    proposals: [ aes256gcm16-prfsha384-ecp384 ]
  child:
    name: lan
    proposals: [ aes128gcm16 ]
  trafficSelectors:
    inline:
      local: [ { cidr: 10.10.1.0/24 } ]
      remote: [ { cidr: 10.10.0.0/16 } ]
YAML
sed 's/^/    /' "$work/hq/tunnel.yaml"
setsid ip netns exec "$hq" "${IKED[@]}" run --config "$work/hq/tunnel.yaml" --listen "172.30.$net.1" \
  --control "$work/hq/iked.sock" >"$work/hq/iked.log" 2>&1 &
pids+=($!)

for _ in $(seq 150); do
  if "${IKED[@]}" list-sas --control "$work/hq/iked.sock" --json 2>/dev/null | grep -q '"state": "ESTABLISHED"'; then
    if "${IKED[@]}" list-sas --control "$work/hq/iked.sock" --json | grep -q '"childSas": \[$'; then break; fi
  fi
  sleep 0.2
done

echo
echo "== isthmus-iked log (hq)"
sed 's/^/    /' "$work/hq/iked.log"
echo
echo "== isthmus-iked list-sas (hq)"
"${IKED[@]}" list-sas --control "$work/hq/iked.sock" | sed 's/^/    /'
echo
echo "== swanctl --list-sas (branch, strongSwan)"
STRONGSWAN_CONF="$work/swan/strongswan.conf" ip netns exec "$branch" swanctl --list-sas | sed 's/^/    /'

if "${IKED[@]}" list-sas --control "$work/hq/iked.sock" --json | grep -q '"state": "INSTALLED"'; then
  echo
  echo "demo: IKE SA and Child SA established between Isthmus (hq) and strongSwan (branch)"
else
  echo "demo: the SAs did not come up; see the logs above" >&2
  exit 1
fi
