#!/usr/bin/env bash
# Install what starttls-probe needs to build and test, from Debian bookworm's packages only.
# Installs only what is missing; safe to run again. Needs root (or sudo) when something is missing.
set -euo pipefail

packages=(g++ cmake ninja-build ccache pkg-config
          libboost1.81-dev libboost-json1.81-dev libssl-dev libcli11-dev catch2 libxml2-dev libtcmalloc-minimal4
          libunbound-dev dns-root-data nsd ldnsutils
          prometheus icinga2-bin icinga2-common dpkg-dev lintian systemd chromium
          clang libclang-rt-14-dev clang-tidy cppcheck)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
