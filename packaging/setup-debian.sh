#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine to build, run and test tdkube. Safe to run any number of times:
# it installs only what is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sudo=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "setup: run as root or install sudo" >&2; exit 1; }
    sudo="sudo"
fi

packages=(
    # build
    build-essential cmake ninja-build ccache pkg-config git clang-format
    # Qt 6 and friends (DESIGN.md section 2)
    qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-websockets-dev qt6-httpserver-dev qt6-svg-dev
    qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-qpa-plugins libqt6svg6
    # Qt's own Chinese (standard buttons and dialogs, qtbase_zh_CN.qm): tdkube in zh_CN and its tests
    qt6-translations-l10n fonts-wqy-microhei
    libqt6opengl6-dev libxkbcommon-dev
    libyaml-cpp-dev qtkeychain-qt6-dev libgl-dev libssl-dev openssl
    # tests: offscreen/Xvfb GUI runs, conformance clients, a private session bus for the keychain
    # (tests/e2e/tst_secrets)
    xvfb xauth python3 python3-yaml python3-kubernetes curl ca-certificates dbus-daemon
    # fuzz targets (tests/fuzz): clang, and libFuzzer's runtime, which clang only recommends
    clang libclang-rt-14-dev
    # the .deb (packaging/test-deb.sh): CPack's dependency computation (dpkg-shlibdeps), and the
    # distribution's checks of the package, its menu entry, its AppStream metainfo and its man pages
    dpkg-dev file lintian desktop-file-utils appstream man-db
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# kubectl: the conformance tests run the real one. Keep a newer one that is already installed;
# otherwise take Debian's kubernetes-client.
if ! command -v kubectl >/dev/null; then
    echo "setup: installing kubernetes-client (kubectl)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null
fi

# Node.js and npm: keep the ones already installed (the machine image may ship newer ones than Debian's,
# which then conflict with Debian's npm package).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "setup: installing nodejs and npm"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

# npm packages the conformance tests use live in tests/conformance/node_modules.
if [ -f "$here/../tests/conformance/package.json" ] && [ ! -d "$here/../tests/conformance/node_modules" ]; then
    echo "setup: installing npm packages for the conformance tests"
    (cd "$here/../tests/conformance" && npm install --no-audit --no-fund --loglevel=error)
fi
echo "setup: ready"
