#!/usr/bin/env bash
# Installs the system packages MMS builds and tests with (Debian/Ubuntu), if any is missing:
# libsodium and SQLite headers for the build; curl and openssl for the HTTPS tests.
set -euo pipefail
missing=()
pkg-config --exists libsodium 2>/dev/null || missing+=(libsodium-dev pkg-config)
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
command -v curl >/dev/null || missing+=(curl)
command -v openssl >/dev/null || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${missing[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
