#!/usr/bin/env bash
# Isthmus interop demo: an Isthmus IKEv2 daemon at "hq" brings up an IKE SA and a Child SA with a real
# strongSwan at "branch", each in its own network namespace, then prints both
# daemons' view of the SAs. Run as root on Debian 12 with the .NET 10 SDK:  sudo scripts/demo-strongswan.sh
# Everything it creates (two namespaces, two daemons, a temp directory) is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/lab.sh
lab_init demo-strongswan.sh

bash scripts/setup.sh
echo "== building isthmus-iked"
dotnet build dataplane-node/Isthmus.IkeDaemon -c Release -o artifacts/iked --nologo -v quiet >/dev/null
IKED=(dotnet "$PWD/artifacts/iked/isthmus-iked.dll")

id=$(printf '%04x' $((RANDOM)))
hq="isth-demo-$id-hq"
branch="isth-demo-$id-br"
work=$(mktemp -d /tmp/isthmus-demo.XXXXXX)
lab_remove "$work"

echo "== network: $hq (172.30.$((0x${id:2:2})).1, LAN 10.10.1.0/24) <-> $branch (.2, LAN 10.10.2.0/24)"
net=$((0x${id:2:2}))
lab_netns "$hq" "$branch"
ip link add "vd${id}h" netns "$hq" type veth peer name "vd${id}b" netns "$branch"
ip -n "$hq" addr add "172.30.$net.1/24" dev "vd${id}h"
ip -n "$branch" addr add "172.30.$net.2/24" dev "vd${id}b"
ip -n "$hq" link set "vd${id}h" up
ip -n "$branch" link set "vd${id}b" up
ip -n "$hq" addr add 10.10.1.1/24 dev lo
ip -n "$branch" addr add 10.10.2.1/24 dev lo

echo "== strongSwan at branch (responder)"
lab_charon "$work/swan" "$branch"
cat > "$work/swan/swanctl.conf" <<CONF
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
lab_swanctl "$work/swan" "$branch" --load-all --file "$work/swan/swanctl.conf" >/dev/null

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
lab_start "$work/hq/iked.log" ip netns exec "$hq" "${IKED[@]}" run --config "$work/hq/tunnel.yaml" --listen "172.30.$net.1" \
  --control "$work/hq/iked.sock"

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
lab_swanctl "$work/swan" "$branch" --list-sas | sed 's/^/    /'

if "${IKED[@]}" list-sas --control "$work/hq/iked.sock" --json | grep -q '"state": "INSTALLED"'; then
  echo
  echo "demo: IKE SA and Child SA established between Isthmus (hq) and strongSwan (branch)"
else
  echo "demo: the SAs did not come up; see the logs above" >&2
  exit 1
fi
