#!/usr/bin/env bash
# Installs the system tools driber's tests use beyond Node: Debian's `prometheus` package
# (for `promtool` and the scrape integration test) and `chromium` (the headless browser the
# playground test drives through playwright-core). Idempotent and quiet: does nothing when
# the tools are already on PATH; needs root (or sudo) and apt only when something is missing.
set -euo pipefail

missing=()
# One Debian package provides both binaries.
if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
  missing+=(prometheus)
fi
# The browser test looks for exactly this path (test/support/headless-chromium.ts).
if [[ ! -x /usr/bin/chromium ]]; then
  missing+=(chromium)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: apt-get not found; install ${missing[*]} yourself (their tests will be skipped)" >&2
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo -n)
  else
    echo "setup-system: not root and no sudo; install ${missing[*]} yourself (their tests will be skipped)" >&2
    exit 0
  fi
fi

echo "setup-system: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt run (a parallel setup) rather than failing on the dpkg lock.
apt_options=(-o DPkg::Lock::Timeout=600 -qq)
"${sudo_cmd[@]}" apt-get "${apt_options[@]}" update >/dev/null
# --no-install-recommends keeps the image small; the service itself is not started (we run our own instances).
"${sudo_cmd[@]}" apt-get "${apt_options[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null
# Debian's package enables a system prometheus service; tests start their own on loopback ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  "${sudo_cmd[@]}" systemctl stop prometheus >/dev/null 2>&1 || true
fi
