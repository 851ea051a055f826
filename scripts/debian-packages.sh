#!/usr/bin/env bash
# Install those of the named Debian packages that are missing, when we may (root);
# otherwise only say which are missing. Fast when all are there: no apt-get at all.
# Usage: bash scripts/debian-packages.sh PACKAGE...
set -euo pipefail

if ! command -v dpkg-query >/dev/null; then
  echo "Not a Debian system: make sure the equivalents of $* are installed." >&2
  exit 0
fi
missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "Installing from Debian: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
