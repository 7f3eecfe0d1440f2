#!/usr/bin/env bash
# Installs and starts what the tests use beyond the build (Debian/Ubuntu): tmux to drive the till
# in a real terminal, pcscd with vsmartcard's virtual reader (vpcd) for the PC/SC tests, Chromium
# with its WebDriver, Chinese fonts and Selenium (PyPI) for the console's browser tests, and
# PostgreSQL for the mirror's tests (each makes its own throwaway server from these binaries). It
# also starts the machine's PostgreSQL with a database `mms` that the user `mms` reaches from
# 127.0.0.1 without a password, so `mms mirror postgres --url postgresql://mms@127.0.0.1/mms`
# works as the README shows. The node itself needs none of these.
set -euo pipefail
missing=()
command -v tmux >/dev/null || missing+=(tmux)
[ -x /usr/sbin/pcscd ] || missing+=(pcscd)
[ -f /etc/reader.conf.d/vpcd ] || missing+=(vsmartcard-vpcd)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
[ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Selenium, and zxing-cpp with Pillow (the scanner that reads the member code off the screen),
# for the python3 first on the PATH (the one the browser tests run).
if ! python3 -c 'import selenium, zxingcpp, PIL' 2>/dev/null; then
    python3 -m pip install -q selenium zxing-cpp pillow 2>/dev/null || python3 -m pip install -q --break-system-packages selenium zxing-cpp pillow
fi
# pcscd reads its drivers when it starts: start it after vpcd is installed. A socket file may be
# left from a pcscd that is gone (a machine image, a killed session): only a live process counts.
if ! pgrep -x pcscd >/dev/null; then
    $sudo rm -f /run/pcscd/pcscd.comm /run/pcscd/pcscd.pid
    $sudo /usr/sbin/pcscd || echo "pcscd did not start; the PC/SC tests will say so" >&2
fi

# The machine's PostgreSQL cluster (Debian's pg_ctlcluster), started, with the role and database
# the README's mirror command names, trusted from 127.0.0.1 only.
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if [ -n "$version" ] && command -v pg_ctlcluster >/dev/null; then
    [ -d "/etc/postgresql/$version/main" ] || $sudo pg_createcluster "$version" main >/dev/null
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    if ! $sudo grep -q '^host mms mms 127.0.0.1/32 trust' "$hba"; then
        $sudo sed -i '1i host mms mms 127.0.0.1/32 trust' "$hba"
    fi
    $sudo pg_ctlcluster "$version" main start >/dev/null 2>&1 || $sudo pg_ctlcluster "$version" main reload
    psql_admin() { $sudo runuser -u postgres -- psql -X -q -At "$@"; }
    [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'mms'")" = 1 ] || psql_admin -c "CREATE ROLE mms LOGIN"
    [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'mms'")" = 1 ] || psql_admin -c "CREATE DATABASE mms OWNER mms"
fi
