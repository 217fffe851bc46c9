# Shared by the lab scripts (demo.sh, demo-strongswan.sh, dataplane-lab.sh, operator-demo.sh): network
# namespaces, processes started in them, and their removal. Source it, then call lab_init once:
#
#   . scripts/lib/lab.sh
#   lab_init demo                 # root check; everything registered below is removed on exit
#   lab_netns "$ns" ...           # new namespaces (loopback up, IPv6 off), deleted on exit
#   lab_start "$log" cmd ...      # a background process (own session), stopped by PID on exit
#   lab_remove "$path" ...        # files or directories removed on exit
#
# Only what a script registered is touched: no process is stopped by name, no namespace by pattern.

lab_name=lab
lab_pids=()
lab_namespaces=()
lab_paths=()

# lab_init NAME: NAME prefixes messages; refuses to run without root (namespaces, DPDK).
lab_init() {
  lab_name=$1
  if [[ $(id -u) -ne 0 ]]; then
    echo "$lab_name: run as root (network namespaces): sudo $0" >&2
    exit 1
  fi
  trap lab_cleanup EXIT
}

# nsx NS CMD...: CMD inside namespace NS.
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# lab_netns NS...: creates each namespace with loopback up and IPv6 off, deleted on exit.
lab_netns() {
  local ns
  for ns in "$@"; do
    ip netns add "$ns"
    lab_namespaces+=("$ns")
    nsx "$ns" ip link set lo up
    nsx "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
}

# lab_start LOG CMD...: runs CMD in the background in a session of its own (so that its children go with
# it), output to LOG; its PID is in $lab_last_pid and it is stopped on exit.
lab_start() {
  local log=$1; shift
  setsid "$@" >"$log" 2>&1 &
  lab_last_pid=$!
  lab_pids+=("$lab_last_pid")
}

# lab_remove PATH...: removed on exit.
lab_remove() { lab_paths+=("$@"); }

# lab_cleanup: stops the processes started here (TERM to each session, KILL after 5 s), deletes the
# namespaces and removes the paths. Runs on exit.
lab_cleanup() {
  set +e
  local pid ns
  for pid in "${lab_pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null; done
  for pid in "${lab_pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
  done
  for ns in "${lab_namespaces[@]}"; do ip netns del "$ns" 2>/dev/null; done
  [[ ${#lab_paths[@]} -eq 0 ]] || rm -rf "${lab_paths[@]}"
}

# lab_lan LAN-NS LAN-LINK GW-NS GW-LINK PREFIX: a LAN host (PREFIX.2) behind a gateway (PREFIX.1), MTU 1400
# (room for the ESP overhead on a 1500-octet WAN), default route through the gateway.
lab_lan() {
  ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
  nsx "$1" ip addr add "$5.2/24" dev "$2"
  nsx "$1" ip link set "$2" mtu 1400 up
  nsx "$1" ip route add default via "$5.1"
  nsx "$3" ip addr add "$5.1/24" dev "$4"
  nsx "$3" ip link set "$4" mtu 1400 up
}

# lab_mac NS LINK: the link's Ethernet address.
lab_mac() { nsx "$1" cat "/sys/class/net/$2/address"; }

# lab_wait SECONDS WHAT CMD...: polls CMD every 0.2 s until it succeeds; fails naming WHAT after SECONDS.
lab_wait() {
  local seconds=$1 what=$2; shift 2
  local tries=$((seconds * 5))
  for _ in $(seq "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "$lab_name: $what did not happen within ${seconds} s" >&2
  return 1
}

# lab_charon DIR NS: starts a strongSwan charon in namespace NS with its own runtime directories, its
# vici socket and configuration in DIR, and userspace ESP (kernel-libipsec: the kernel may have none);
# waits for its socket. DIR/swanctl.conf is loaded with lab_swanctl DIR NS --load-all --file DIR/swanctl.conf.
lab_charon() {
  local dir=$1 ns=$2
  mkdir -p "$dir"
  cat > "$dir/strongswan.conf" <<CONF
charon {
  load_modular = yes
  plugins {
    include /etc/strongswan.d/charon/*.conf
    vici { socket = unix://$dir/charon.vici }
    kernel-libipsec { load = yes }
  }
  filelog { lab { path = $dir/charon.log
    default = 1
    ike = 1 } }
}
swanctl { socket = unix://$dir/charon.vici }
CONF
  lab_start "$dir/stdout" env STRONGSWAN_CONF="$dir/strongswan.conf" ip netns exec "$ns" \
    unshare -m sh -c 'mount -t tmpfs none /var/run && mount -t tmpfs none /run; exec /usr/lib/ipsec/charon'
  lab_wait 10 "charon's vici socket in $dir" test -S "$dir/charon.vici"
}

# lab_swanctl DIR NS ARGS...: swanctl against the charon of lab_charon DIR NS.
lab_swanctl() {
  local dir=$1 ns=$2; shift 2
  STRONGSWAN_CONF="$dir/strongswan.conf" ip netns exec "$ns" swanctl "$@"
}

# lab_dataplane_gateway NAME NS WAN-LINK PEER-WAN-MAC REMOTE-LAN CRYPTO-DEVICE: starts isthmus-dataplane (the
# array $dataplane) in NS with DPDK on virtual devices (net_tap toward NS's kernel as the clear port, net_af_packet
# on WAN-LINK as the cipher port, CRYPTO-DEVICE e.g. crypto_aesni_gcm), its control socket at $work/dpNAME.sock
# and log at $work/dpNAME.log, waits until it answers, and routes REMOTE-LAN from NS's kernel into the clear port.
lab_dataplane_gateway() {
  local name=$1 ns=$2 wan=$3 peer=$4 remote=$5 device=$6 tap=t$tag$1
  local cpus=0-$(( $(nproc) - 1 ))
  local cmd=("${dataplane[@]}" serve --socket "$work/dp$name.sock" --backend dpdk
    --clear-port net_tap0 --cipher-port net_af_packet0 --crypto-device "${device}0"
    --cipher-next-hop-mac "$peer" --idle-sleep-us 20
    -- --lcores "0@($cpus),1@($cpus)" --no-huge -m 256 --file-prefix "isthmus-$tag-$name" --no-pci --no-telemetry
    --log-level error --vdev "net_tap0,iface=$tap" --vdev "net_af_packet0,iface=$wan,framecnt=4096" --vdev "${device}0")
  lab_remove "/var/run/dpdk/isthmus-$tag-$name"
  lab_start "$work/dp$name.log" ip netns exec "$ns" "${cmd[@]}"
  local pid=$lab_last_pid
  for _ in $(seq 300); do
    "${dataplane[@]}" sas --socket "$work/dp$name.sock" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/dp$name.log"; exit 1; }
    sleep 0.2
  done
  "${dataplane[@]}" sas --socket "$work/dp$name.sock" >/dev/null || { cat "$work/dp$name.log"; exit 1; }
  # The kernel routes the remote LAN into the tap through a static neighbour: every frame sent there reaches
  # the dataplane.
  nsx "$ns" ip link set "$tap" mtu 1400 up
  nsx "$ns" ip neigh replace 169.254.0.1 lladdr 02:00:5e:00:00:01 dev "$tap" nud permanent
  nsx "$ns" ip route replace "$remote" via 169.254.0.1 dev "$tap" onlink
}
