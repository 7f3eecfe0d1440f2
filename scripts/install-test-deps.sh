#!/usr/bin/env bash
# Installs and starts what the device tests use beyond the build (Debian/Ubuntu): tmux to drive
# the till in a real terminal, and pcscd with vsmartcard's virtual reader (vpcd) for the PC/SC
# tests. The till itself needs none of these.
set -euo pipefail
missing=()
command -v tmux >/dev/null || missing+=(tmux)
[ -x /usr/sbin/pcscd ] || missing+=(pcscd)
[ -f /etc/reader.conf.d/vpcd ] || missing+=(vsmartcard-vpcd)
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# pcscd reads its drivers when it starts: start it after vpcd is installed. A socket file may be
# left from a pcscd that is gone (a machine image, a killed session): only a live process counts.
if ! pgrep -x pcscd >/dev/null; then
    $sudo rm -f /run/pcscd/pcscd.comm /run/pcscd/pcscd.pid
    $sudo /usr/sbin/pcscd || echo "pcscd did not start; the PC/SC tests will say so" >&2
fi
