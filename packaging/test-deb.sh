#!/usr/bin/env bash
# The .deb as a person gets it: builds it from the release build (`cmake --build build --target
# package`), checks it with lintian, installs it on this machine (apt-get install ./tdkube_*.deb),
# runs the installed tdkube --version and --help, starts the installed tdkube-sandbox --demo and the
# installed tdkube offscreen against it (--smoke: the demo cluster's dashboard with data), then purges
# the package and checks that none of its files is left. Needs root and apt-get (packaging/test.sh
# calls it only then); installs and removes the package tdkube on this machine.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${TDKUBE_BUILD_DIR:-$top/build}"

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "test-deb: skipped: installing the package needs root and apt-get" >&2
    exit 0
fi

fail() {
    echo "test-deb: FAILED: $*" >&2
    exit 1
}

export CCACHE_BASEDIR="$top" CCACHE_NOHASHDIR=true
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
rm -f "$build"/tdkube_*.deb
cmake --build "$build" --target package
debs=("$build"/tdkube_*_amd64.deb)
[ -f "${debs[0]}" ] || fail "cmake --build $build --target package wrote no tdkube_*_amd64.deb"
deb=${debs[0]}
version=$(dpkg-deb -f "$deb" Version)
echo "test-deb: $deb (version $version)"
[ "$(basename "$deb")" = "tdkube_${version}_amd64.deb" ] || fail "unexpected file name $(basename "$deb")"

# Debian's checks: no error (warnings are printed; the README says which remain and why).
echo "test-deb: lintian"
lintian --fail-on error --display-info "$deb" || fail "lintian reports errors (above)"

if dpkg-query -W -f='${Status}' tdkube 2>/dev/null | grep -q "install ok installed"; then
    echo "test-deb: note: tdkube $(dpkg-query -W -f='${Version}' tdkube) was installed; it is replaced, then purged"
fi
scratch=$(mktemp -d)
sandbox=""
cleanup() {
    [ -n "$sandbox" ] && kill "$sandbox" 2>/dev/null
    wait 2>/dev/null || true
    rm -rf "$scratch"
}
trap cleanup EXIT

DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >"$scratch/apt-install.log" 2>&1 ||
    { cat "$scratch/apt-install.log" >&2; fail "apt-get install $deb"; }
dpkg -L tdkube >"$scratch/files"
echo "test-deb: installed $(wc -l <"$scratch/files") paths"

# The installed files, as desktops and distributions read them.
for path in /usr/bin/tdkube /usr/bin/tdkube-sandbox /usr/share/applications/io.tdkube.tdkube.desktop \
    /usr/share/metainfo/io.tdkube.tdkube.metainfo.xml /usr/share/icons/hicolor/scalable/apps/tdkube.svg \
    /usr/share/icons/hicolor/48x48/apps/tdkube.png /usr/share/man/man1/tdkube.1.gz \
    /usr/share/doc/tdkube/copyright /usr/share/tdkube/manifests/40-statefulset.yaml; do
    grep -qx "$path" "$scratch/files" || fail "the package does not install $path"
done
desktop-file-validate /usr/share/applications/io.tdkube.tdkube.desktop || fail "desktop-file-validate"
appstreamcli validate --no-net /usr/share/metainfo/io.tdkube.tdkube.metainfo.xml || fail "appstreamcli validate"
grep -q "<release version=\"$version\"" /usr/share/metainfo/io.tdkube.tdkube.metainfo.xml ||
    fail "the AppStream metainfo has no release $version"
if command -v man >/dev/null; then
    man_warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -l /usr/share/man/man1/tdkube.1.gz 2>&1 >/dev/null)
    [ -z "$man_warnings" ] || fail "man tdkube: $man_warnings"
fi

# The installed programs: no display needed for these.
out=$(QT_QPA_PLATFORM=offscreen /usr/bin/tdkube --version)
[ "$out" = "tdkube $version" ] || fail "tdkube --version said '$out', not 'tdkube $version'"
out=$(QT_QPA_PLATFORM=offscreen /usr/bin/tdkube --help)
for part in "--kubeconfig <file>" "--cluster <name>" "tdkube scale" "tdkube resume"; do
    [[ "$out" == *"$part"* ]] || fail "tdkube --help lacks '$part'"
done
# Its Chinese is compiled in: the system's language, and --lang.
out=$(LC_ALL=zh_CN.UTF-8 LANGUAGE= QT_QPA_PLATFORM=offscreen /usr/bin/tdkube --help)
[[ "$out" == *"kubeconfig 文件路径"* ]] || fail "tdkube --help under LC_ALL=zh_CN.UTF-8 is not in Chinese"
out=$(QT_QPA_PLATFORM=offscreen /usr/bin/tdkube --lang zh_CN --help)
[[ "$out" == *"kubeconfig 文件路径"* ]] || fail "tdkube --lang zh_CN --help is not in Chinese"
out=$(/usr/bin/tdkube-sandbox --version)
[ "$out" = "tdkube-sandbox $version" ] || fail "tdkube-sandbox --version said '$out'"

# The installed sandbox (its manifests from /usr/share/tdkube) and the installed window against it,
# as packaging/run.sh --smoke does with the build tree's.
state="$scratch/sandbox"
mkdir -p "$state"
/usr/bin/tdkube-sandbox --port 0 --demo --data-dir "$state" --kubeconfig-out "$state/kubeconfig" \
    >"$state/sandbox.out" 2>&1 &
sandbox=$!
for _ in $(seq 300); do
    [ -s "$state/kubeconfig" ] && break
    kill -0 "$sandbox" 2>/dev/null || break
    sleep 0.1
done
[ -s "$state/kubeconfig" ] || { cat "$state/sandbox.out" >&2; fail "the installed tdkube-sandbox did not start"; }
HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/home/.config" XDG_DATA_HOME="$scratch/home/.local/share" \
    QT_QPA_PLATFORM=offscreen timeout 300 /usr/bin/tdkube --kubeconfig "$state/kubeconfig" \
    --cluster tdengine-test/tdengine --smoke || fail "the installed tdkube's smoke check (above)"
kill "$sandbox"
wait "$sandbox" 2>/dev/null || true
sandbox=""
# The window's offer to someone without a kubeconfig, with the installed sandbox behind the button
# (tests/e2e/tst_trysandbox of the same build: a fake home, no KUBECONFIG).
if [ -x "$build/tests/e2e/tst_trysandbox" ]; then
    TDKUBE_SANDBOX=/usr/bin/tdkube-sandbox QT_QPA_PLATFORM=offscreen TDKUBE_SCREENSHOT_DIR="$scratch" \
        "$build/tests/e2e/tst_trysandbox" -silent || fail "tst_trysandbox with the installed tdkube-sandbox"
fi

# Removed and purged: none of its files is left, nor a folder only it used.
DEBIAN_FRONTEND=noninteractive apt-get remove --purge -y -qq tdkube >"$scratch/apt-remove.log" 2>&1 ||
    { cat "$scratch/apt-remove.log" >&2; fail "apt-get remove --purge tdkube"; }
! dpkg-query -W -f='${Status}' tdkube 2>/dev/null | grep -q "installed" || fail "tdkube is still installed"
left=()
while IFS= read -r path; do
    [ "$path" = "/." ] && continue
    [ -e "$path" ] || [ -L "$path" ] || continue
    # A folder that stays belongs to others too (/usr/bin) or holds their files.
    if [ -d "$path" ] && { dpkg -S "$path" >/dev/null 2>&1 || [ -n "$(ls -A "$path")" ]; }; then
        continue
    fi
    left+=("$path")
done <"$scratch/files"
[ ${#left[@]} -eq 0 ] || fail "left behind after purge: ${left[*]}"
echo "test-deb: passed: built, lintian-clean, installed, ran (--version, --help, sandbox + smoke), purged without a trace"
