#!/usr/bin/env bash
# Installs what `npm run package` and `npm run test:ship` use beyond npm test: llvm-strip and
# osslsigncode (package), umoci and skopeo (image), runc, and qemu with an arm64 sysroot (the
# linux-arm64 smoke test). Debian/Ubuntu, run as root; everything comes from apt.
set -euo pipefail
pkgs=(llvm osslsigncode umoci skopeo runc qemu-user-static
  libc6-arm64-cross libstdc++6-arm64-cross libatomic1-arm64-cross)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
