#!/usr/bin/env bash
# Isthmus demo: two sites in network namespaces, an IPsec tunnel between them, traffic through it.
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
. scripts/lib/lab.sh
lab_init demo.sh

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
lab_remove "$work"

echo "== network: lanA ($la) - gwA ($gwa, $WA) - gwB ($gwb, $WB) - lanB ($lb)"
lab_netns "$la" "$gwa" "$gwb" "$lb"
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
lab_lan "$la" "l$tag" "$gwa" "g$tag" 10.99.101
lab_lan "$lb" "m$tag" "$gwb" "h$tag" 10.99.102
wanmaca=$(lab_mac "$gwa" "$wana")
wanmacb=$(lab_mac "$gwb" "$wanb")

echo "== starting the dataplanes (DPDK: net_tap clear port, net_af_packet cipher port, crypto_aesni_gcm)"
lab_dataplane_gateway a "$gwa" "$wana" "$wanmacb" "$B" crypto_aesni_gcm
lab_dataplane_gateway b "$gwb" "$wanb" "$wanmaca" "$A" crypto_aesni_gcm

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
lab_start "$work/ikeb.log" ip netns exec "$gwb" "${iked[@]}" run --config "$work/site-b.yaml" --listen "$WB" \
  --control "$work/ikeb.sock" --dataplane "$work/dpb.sock"
lab_wait 20 "site B's IKE daemon" test -S "$work/ikeb.sock"
lab_start "$work/ikea.log" ip netns exec "$gwa" "${iked[@]}" run --config "$work/site-a.yaml" --listen "$WA" \
  --control "$work/ikea.sock" --dataplane "$work/dpa.sock"

installed() { [[ $("${dataplane[@]}" sas --socket "$work/dp$1.sock" 2>/dev/null | grep -c '0x') -ge 2 ]]; }
for _ in $(seq 150); do installed a && installed b && break; sleep 0.2; done
installed a && installed b || { cat "$work/ikea.log" "$work/ikeb.log"; echo "demo: the tunnel did not come up" >&2; exit 1; }

echo
echo "== ping lanA -> lanB through the tunnel"
nsx "$la" ping -c 5 -i 0.2 -W 2 10.99.102.2
echo
echo "== iperf3 lanA -> lanB through the tunnel (3 s)"
lab_start /dev/null ip netns exec "$lb" iperf3 -s -1 -B 10.99.102.2
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
