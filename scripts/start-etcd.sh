#!/usr/bin/env bash
# A single etcd member on loopback for running `inmesh control --store etcd:http://127.0.0.1:2379`
# on one machine (Debian's etcd-server; scripts/install-system-deps.sh installs it). Several
# daemons may then share it. Usage: scripts/start-etcd.sh [DATA_DIR] [CLIENT_PORT] [PEER_PORT]
set -euo pipefail
data_dir=${1:-.inmesh/etcd}
client_port=${2:-2379}
peer_port=${3:-2380}
etcd_bin=${ETCD_BIN:-$(command -v etcd || echo /usr/bin/etcd)}
if [ ! -x "$etcd_bin" ]; then
  echo "etcd not found: run scripts/install-system-deps.sh (Debian's etcd-server) or set ETCD_BIN" >&2
  exit 1
fi
mkdir -p "$data_dir"
client="http://127.0.0.1:$client_port"
peer="http://127.0.0.1:$peer_port"
exec "$etcd_bin" --name inmesh --data-dir "$data_dir" \
  --listen-client-urls "$client" --advertise-client-urls "$client" \
  --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
  --initial-cluster "inmesh=$peer" --initial-cluster-state new
