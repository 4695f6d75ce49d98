#!/usr/bin/env bash
# System servers some tests need (etcd, Prometheus, Chromium) come from Debian's packages.
# The outbound-mesh suite needs none yet; later suites add theirs to the list below, and
# this script installs only what is missing, so it is cheap to run every time.
set -euo pipefail
packages=()
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
