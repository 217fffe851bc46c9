#!/usr/bin/env bash
# Isthmus demo: two sites on this machine, an IPsec tunnel between them, traffic through it.
#
#   lanA 10.99.101.2 ─ gwA: isthmus-iked + isthmus-dataplane ══ WAN 172.31.X.1 ── 172.31.X.2 ══ gwB: isthmus-iked + isthmus-dataplane ─ lanB 10.99.102.2
#
# Each gateway runs the Isthmus IKEv2 daemon and the Isthmus DPDK dataplane (net_tap toward the
# gateway's kernel on the clear side, net_af_packet on the WAN veth, crypto_aesni_gcm). gwA's daemon
# initiates to gwB's from an IpsecTunnel manifest; both install the negotiated Child SA into their
# dataplane over its control socket; then ping and iperf3 run from lanA to lanB through the tunnel,
# and both gateways print their SAs and counters. Run as root on Debian 12 with the .NET 10 SDK:
#   sudo scripts/demo.sh
# Everything it creates (four namespaces, four daemons, a temp directory) is removed on exit; only
# the processes it started are stopped, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ $(id -u) -eq 0 ]] || { echo "demo.sh: run as root (network namespaces, DPDK): sudo scripts/demo.sh" >&2; exit 1; }

bash scripts/setup.sh
echo "== building isthmus-iked and isthmus-dataplane (Release)"
dotnet build dataplane-node/Isthmus.IkeDaemon -c Release -nologo -v quiet >/dev/null
dotnet build dataplane-node/Isthmus.Dataplane -c Release -nologo -v quiet >/dev/null
iked=(dotnet "$PWD/dataplane-node/Isthmus.IkeDaemon/bin/Release/net10.0/isthmus-iked.dll")
dataplane=(dotnet "$PWD/dataplane-node/Isthmus.Dataplane/bin/Release/net10.0/isthmus-dataplane.dll")

tag=dm$(printf '%04x' $((RANDOM)))
net=$((RANDOM % 200 + 20))
work=$(mktemp -d /tmp/isthmus-demo.XXXXXX)
la=$tag-la gwa=$tag-ga gwb=$tag-gb lb=$tag-lb
WA=172.31.$net.1 WB=172.31.$net.2 A=10.99.101.0/24 B=10.99.102.0/24
pids=()
cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  for ns in "$la" "$gwa" "$gwb" "$lb"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "/var/run/dpdk/isthmus-$tag-a" "/var/run/dpdk/isthmus-$tag-b" "$work"
}
trap cleanup EXIT
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

echo "== network: lanA ($la) - gwA ($gwa, $WA) - gwB ($gwb, $WB) - lanB ($lb)"
for ns in "$la" "$gwa" "$gwb" "$lb"; do
  ip netns add "$ns"
  nsx "$ns" ip link set lo up
  nsx "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
# WAN: the gateways' kernels hold the WAN addresses (IKE runs there, UDP 500/4500); the dataplanes
# read and write the same veths through net_af_packet and carry the ESP. Nothing is forwarded in clear.
ip link add "w$tag" netns "$gwa" type veth peer name "x$tag" netns "$gwb"
wana=w$tag wanb=x$tag
nsx "$gwa" ip addr add "$WA/24" dev "$wana"
nsx "$gwb" ip addr add "$WB/24" dev "$wanb"
for pair in "$gwa:$wana" "$gwb:$wanb"; do
  ns=${pair%%:*} wan=${pair#*:}
  nsx "$ns" ip link set "$wan" up
  nsx "$ns" sysctl -q -w net.ipv4.ip_forward=1 "net.ipv4.conf.$wan.forwarding=0"
  # The ESP on the WAN is the dataplane's; the kernel, which shares the veth for IKE, would answer it with
  # ICMP "protocol unreachable" (it has no ESP), so it drops it. A node whose NIC DPDK owns never sees that.
  printf 'table ip isthmus_gateway {\n chain input {\n  type filter hook input priority filter; policy accept;\n  ip protocol esp drop\n }\n}\n' \
    | nsx "$ns" nft -f -
done
lan() { # lan-ns lan-link gw-ns gw-link prefix
  ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
  nsx "$1" ip addr add "$5.2/24" dev "$2"
  nsx "$1" ip link set "$2" mtu 1400 up
  nsx "$1" ip route add default via "$5.1"
  nsx "$3" ip addr add "$5.1/24" dev "$4"
  nsx "$3" ip link set "$4" mtu 1400 up
}
lan "$la" "l$tag" "$gwa" "g$tag" 10.99.101
lan "$lb" "m$tag" "$gwb" "h$tag" 10.99.102
mac() { nsx "$1" cat "/sys/class/net/$2/address"; }
wanmaca=$(mac "$gwa" "$wana")
wanmacb=$(mac "$gwb" "$wanb")
cpus=0-$(( $(nproc) - 1 ))

start_dataplane() { # name ns wan-link peer-wan-mac remote-lan
  local name=$1 ns=$2 wan=$3 peer=$4 remote=$5 tap=t$tag$1
  ip netns exec "$ns" "${dataplane[@]}" serve --socket "$work/dp$name.sock" --backend dpdk \
    --clear-port net_tap0 --cipher-port net_af_packet0 --crypto-device crypto_aesni_gcm0 \
    --cipher-next-hop-mac "$peer" --idle-sleep-us 20 \
    -- --lcores "0@($cpus),1@($cpus)" --no-huge -m 256 --file-prefix "isthmus-$tag-$name" --no-pci --no-telemetry \
    --log-level error --vdev "net_tap0,iface=$tap" --vdev "net_af_packet0,iface=$wan,framecnt=4096" --vdev crypto_aesni_gcm0 \
    >"$work/dp$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do
    "${dataplane[@]}" sas --socket "$work/dp$name.sock" >/dev/null 2>&1 && break
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/dp$name.log"; exit 1; }
    sleep 0.2
  done
  # The gateway's kernel routes the remote LAN into the dataplane's clear port.
  nsx "$ns" ip link set "$tap" mtu 1400 up
  nsx "$ns" ip neigh replace 169.254.0.1 lladdr 02:00:5e:00:00:01 dev "$tap" nud permanent
  nsx "$ns" ip route replace "$remote" via 169.254.0.1 dev "$tap" onlink
}
echo "== starting the dataplanes (DPDK: net_tap clear port, net_af_packet cipher port, crypto_aesni_gcm)"
start_dataplane a "$gwa" "$wana" "$wanmacb" "$B"
start_dataplane b "$gwb" "$wanb" "$wanmaca" "$A"

manifests() { # name start-action local-addr local-id peer-addr peer-id local-lan remote-lan
  cat <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: sites-psk
stringData:
  psk: demo-only-psk-$tag-change-me
---
apiVersion: ipsec.isthmus.dev/v1alpha1
kind: IpsecTunnel
metadata:
  name: $1
spec:
  startAction: $2
  local:
    address: $3
    id: { type: FQDN, value: $4 }
  peer:
    address: $5
    id: { type: FQDN, value: $6 }
  authentication:
    method: Psk
    psk: { secretRef: { name: sites-psk } }
  ike:
    proposals: [ aes256gcm16-prfsha384-ecp384 ]
  child:
    name: lan
    proposals: [ aes128gcm16 ]
  trafficSelectors:
    inline:
      local: [ { cidr: $7 } ]
      remote: [ { cidr: $8 } ]
YAML
}
umask 077
manifests site-a-to-b Initiate "$WA" site-a.example.com "$WB" site-b.example.com "$A" "$B" >"$work/site-a.yaml"
manifests site-b-from-a Respond "$WB" site-b.example.com "$WA" site-a.example.com "$B" "$A" >"$work/site-b.yaml"
echo "== site A's IpsecTunnel (site B's mirrors it with startAction: Respond):"
sed -n '/kind: IpsecTunnel/,$p' "$work/site-a.yaml" | sed 's/^/    /'

echo "== starting the IKE daemons; site A initiates"
ip netns exec "$gwb" "${iked[@]}" run --config "$work/site-b.yaml" --listen "$WB" --control "$work/ikeb.sock" \
  --dataplane "$work/dpb.sock" >"$work/ikeb.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -S $work/ikeb.sock ]] && break; sleep 0.1; done
ip netns exec "$gwa" "${iked[@]}" run --config "$work/site-a.yaml" --listen "$WA" --control "$work/ikea.sock" \
  --dataplane "$work/dpa.sock" >"$work/ikea.log" 2>&1 &
pids+=($!)

installed() { [[ $("${dataplane[@]}" sas --socket "$work/dp$1.sock" 2>/dev/null | grep -c '0x') -ge 2 ]]; }
for _ in $(seq 150); do installed a && installed b && break; sleep 0.2; done
installed a && installed b || { cat "$work/ikea.log" "$work/ikeb.log"; echo "demo: the tunnel did not come up" >&2; exit 1; }

echo
echo "== ping lanA -> lanB through the tunnel"
nsx "$la" ping -c 5 -i 0.2 -W 2 10.99.102.2
echo
echo "== iperf3 lanA -> lanB through the tunnel (3 s)"
ip netns exec "$lb" iperf3 -s -1 -B 10.99.102.2 >/dev/null 2>&1 &
pids+=($!)
sleep 1
nsx "$la" iperf3 -c 10.99.102.2 -t 3 | grep -E 'sender|receiver'

for site in a b; do
  echo
  echo "== site ${site^^}: isthmus-iked log"
  sed 's/^/    /' "$work/ike$site.log"
  echo "== site ${site^^}: isthmus-iked list-sas"
  "${iked[@]}" list-sas --control "$work/ike$site.sock" | sed 's/^/    /'
  echo "== site ${site^^}: isthmus-dataplane sas"
  "${dataplane[@]}" sas --socket "$work/dp$site.sock" | sed 's/^/    /'
  echo "== site ${site^^}: isthmus-dataplane counters"
  "${dataplane[@]}" counters --socket "$work/dp$site.sock" | sed 's/^/    /'
done
echo
echo "demo: IKE SA and Child SA negotiated between two Isthmus gateways, installed in both DPDK dataplanes, traffic passed"
