#!/usr/bin/env bash
# Make sure the system programs the tests need exist: Graphviz's `dot` (and,
# with --browser, Chromium). On Debian as root, install what is missing with
# apt-get; anywhere else, stop with a message saying how to install it.
set -euo pipefail

usage="usage: bash scripts/ensure-system-deps.sh [--browser]

Make sure Graphviz's dot (and, with --browser, Chromium) is installed: on Debian
as root, install what is missing with apt-get; anywhere else, say how to."

want_browser=0
for arg in "$@"; do
    case "$arg" in
        --browser) want_browser=1 ;;
        -h|--help) echo "$usage"; exit 0 ;;
        *) echo "ensure-system-deps: unknown option $arg" >&2; echo "$usage" >&2; exit 2 ;;
    esac
done

missing_pkgs=()
command -v dot >/dev/null 2>&1 || missing_pkgs+=(graphviz)
if [ "$want_browser" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
    missing_pkgs+=(chromium)
fi
[ "${#missing_pkgs[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing_pkgs[*]} with apt-get ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing_pkgs[@]}" >/dev/null
    exit 0
fi

for pkg in "${missing_pkgs[@]}"; do
    case "$pkg" in
        graphviz)
            cat >&2 <<'MSG'
The Graphviz `dot` program is missing; rendering graphs and the tests need it.
Install it, then run make again:
  Debian/Ubuntu:  sudo apt-get install graphviz
  Fedora:         sudo dnf install graphviz
  macOS:          brew install graphviz
  conda:          conda install -c conda-forge graphviz
  otherwise:      https://graphviz.org/download/
MSG
            ;;
        chromium)
            cat >&2 <<'MSG'
Chromium is missing; the explorer page's browser tests need it.
  Debian/Ubuntu:  sudo apt-get install chromium
  otherwise:      install Chromium or Chrome and set GRADTRACE_CHROMIUM=/path/to/it
MSG
            ;;
    esac
done
exit 1
