#!/usr/bin/env bash
# Installs the Debian packages the oracle tests need: a cross toolchain for
# guest payloads, QEMU (reference behaviour and speed baselines), dtc and
# e2fsprogs. Safe to run again; needs root (or sudo) and Debian's registry.
set -euo pipefail
pkgs=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm qemu-user
      device-tree-compiler cpio e2fsprogs)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
