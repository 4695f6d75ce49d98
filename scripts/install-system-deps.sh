#!/usr/bin/env bash
# System servers and tools some tests need come from Debian's packages: the identity suite
# checks certificates with the openssl CLI and calls mTLS servers with curl, a client that is
# not ours; the metrics suite is scraped by a real Prometheus; the control daemon's etcd store
# runs against a real etcd (etcd-server). Later suites add theirs (Chromium) to the list below;
# this script installs only what is missing, so it is cheap to run every time.
set -euo pipefail
packages=(openssl curl prometheus etcd-server)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
