#!/usr/bin/env bash
# Two Isthmus DPDK dataplanes between two LAN namespaces, for a human to watch (the same topology as
# tests/Isthmus.Dataplane.E2ETests):
#
#   lanA 10.99.101.2 ─veth─ gwA kernel ─route─ tap ═[isthmus-dataplane]═ af_packet ─WAN veth─ af_packet ═[isthmus-dataplane]═ tap ─ gwB kernel ─veth─ lanB 10.99.102.2
#                                            clear port             cipher port  172.31.99.1 ── 172.31.99.2
#
# Installs one SA pair and the policies with `isthmus-dataplane apply`, runs ping and iperf3 (3 s)
# from lanA to lanB, prints `isthmus-dataplane sas` and `counters` of both gateways and a few WAN
# frames, then tears everything down (processes stopped by PID, namespaces deleted).
#
# usage: scripts/dataplane-lab.sh [--udp] [--cbc] [--keep]
#   --udp   ESP in UDP 4500 (RFC 3948) instead of plain ESP (IP protocol 50)
#   --cbc   AES-128-CBC + HMAC-SHA2-256-128 on crypto_aesni_mb instead of AES-128-GCM on crypto_aesni_gcm
#   --keep  leave the lab running until Enter is pressed (then tear down)
# Needs root, DPDK 22.11 (scripts/setup.sh), iperf3 and tcpdump; builds isthmus-dataplane if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/lab.sh

udp=0 cbc=0 keep=0
for arg in "$@"; do
  case "$arg" in
    --udp) udp=1 ;;
    --cbc) cbc=1 ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--udp] [--cbc] [--keep]" >&2; exit 2 ;;
  esac
done
lab_init dataplane-lab
for tool in ip iperf3 tcpdump ping dotnet; do
  command -v "$tool" >/dev/null || { echo "dataplane-lab: $tool is missing (scripts/setup.sh)" >&2; exit 1; }
done

out=dataplane-node/Isthmus.Dataplane/bin/Release/net10.0
if [[ ! -f $out/isthmus-dataplane.dll || ! -f $out/libisthmus_dpdk.so ]]; then
  dotnet build dataplane-node/Isthmus.Dataplane -c Release -v quiet -nologo
fi
dataplane=(dotnet "$out/isthmus-dataplane.dll")

tag=dpl$$
work=$(mktemp -d /tmp/isthmus-dataplane-lab.XXXXXX)
la=$tag-la gwa=$tag-ga gwb=$tag-gb lb=$tag-lb
lab_remove "$work"
lab_netns "$la" "$gwa" "$gwb" "$lb"

# WAN: the veth ends belong to the dataplanes (no kernel address, no kernel forwarding of what arrives).
ip link add "w$tag" netns "$gwa" type veth peer name "x$tag" netns "$gwb"
wana=w$tag wanb=x$tag
nsx "$gwa" ip link set "$wana" up
nsx "$gwb" ip link set "$wanb" up
for pair in "$gwa:$wana" "$gwb:$wanb"; do
  ns=${pair%%:*} wan=${pair#*:}
  nsx "$ns" sysctl -q -w net.ipv4.ip_forward=1
  nsx "$ns" sysctl -q -w "net.ipv4.conf.$wan.forwarding=0"
done

# LANs: host .2, gateway kernel .1, MTU 1400 (room for the ESP overhead on a 1500-octet WAN).
lab_lan "$la" "l${tag}" "$gwa" "g${tag}" 10.99.101
lab_lan "$lb" "m${tag}" "$gwb" "h${tag}" 10.99.102
wanmaca=$(lab_mac "$gwa" "$wana")
wanmacb=$(lab_mac "$gwb" "$wanb")

if (( cbc )); then device=crypto_aesni_mb; else device=crypto_aesni_gcm; fi
lab_dataplane_gateway a "$gwa" "$wana" "$wanmacb" 10.99.102.0/24 "$device"
lab_dataplane_gateway b "$gwb" "$wanb" "$wanmaca" 10.99.101.0/24 "$device"

hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
# Static keys for this run (random; only in the 0600 files under $work and on the control sockets).
if (( cbc )); then
  alg='"encryption": "AesCbc128", "integrity": "HmacSha2_256_128"'
  keys() { printf '"encryptionKey": "%s", "integrityKey": "%s"' "$(hex 16)" "$(hex 32)"; }
else
  alg='"encryption": "AesGcm16_128"'
  keys() { printf '"encryptionKey": "%s"' "$(hex 20)"; }
fi
if (( udp )); then encap=udp; else encap=none; fi
kab=$(keys) kba=$(keys)
sa() { # spi dir src dst keys local remote
  printf '{ "spi": %s, "direction": "%s", "source": "%s", "destination": "%s", "encapsulation": "%s", %s, %s, "replayWindow": 1024, "local": ["%s"], "remote": ["%s"] }' \
    "$1" "$2" "$3" "$4" "$encap" "$alg" "$5" "$6" "$7"
}
policy() { # id dir src dst spi
  printf '{ "id": %s, "direction": "%s", "source": "%s", "destination": "%s", "action": "protect", "spi": %s, "priority": 10 }' "$@"
}
A=10.99.101.0/24 B=10.99.102.0/24 WA=172.31.99.1 WB=172.31.99.2
umask 077
cat >"$work/gwa.json" <<EOF
{ "sas": [ $(sa 4096 out $WA $WB "$kab" $A $B), $(sa 8192 in $WB $WA "$kba" $A $B) ],
  "policies": [ $(policy 1 out $A $B 4096), $(policy 2 in $B $A 8192) ] }
EOF
cat >"$work/gwb.json" <<EOF
{ "sas": [ $(sa 4096 in $WA $WB "$kab" $B $A), $(sa 8192 out $WB $WA "$kba" $B $A) ],
  "policies": [ $(policy 1 out $B $A 8192), $(policy 2 in $A $B 4096) ] }
EOF
"${dataplane[@]}" apply --socket "$work/dpa.sock" --file "$work/gwa.json"
"${dataplane[@]}" apply --socket "$work/dpb.sock" --file "$work/gwb.json"

lab_start /dev/null ip netns exec "$gwb" tcpdump -i "$wanb" -n -p -U -s 128 -Z root -w "$work/wan.pcap"
capture=$lab_last_pid
sleep 1

echo "== ping lanA -> lanB"
nsx "$la" ping -c 5 -i 0.2 -W 2 10.99.102.2
echo "== iperf3 lanA -> lanB (3 s)"
lab_start /dev/null ip netns exec "$lb" iperf3 -s -1 -B 10.99.102.2
sleep 1
nsx "$la" iperf3 -c 10.99.102.2 -t 3

for name in a b; do
  echo "== gw$name: isthmus-dataplane sas"
  "${dataplane[@]}" sas --socket "$work/dp$name.sock"
  echo "== gw$name: isthmus-dataplane counters"
  "${dataplane[@]}" counters --socket "$work/dp$name.sock"
done

kill -TERM -- "-$capture" 2>/dev/null; sleep 0.5
if (( udp )); then expected="udp port 4500"; else expected="ip proto 50"; fi
echo "== WAN frames gwB received: $(tcpdump -n -r "$work/wan.pcap" "$expected" 2>/dev/null | wc -l) matching '$expected', $(tcpdump -n -r "$work/wan.pcap" "not ($expected)" 2>/dev/null | wc -l) other; the first three:"
tcpdump -n -r "$work/wan.pcap" -c 3 2>/dev/null

if (( keep )); then
  echo "== lab running: namespaces $la $gwa $gwb $lb, sockets $work/dp{a,b}.sock; press Enter to tear down"
  read -r
fi
