#!/usr/bin/env bash
# lupdate over app/ and ui/: every translatable string into tdkube_zh_CN.ts, the plural (%n) ones into
# tdkube_en.ts with their English forms filled in (tstool.py english-plurals, en-plurals.tsv). Run by
# `cmake --build build --target update_translations`; then translate what is new (Qt Linguist, or
# tstool.py export/import) and commit the .ts files.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
lupdate="${LUPDATE:-/usr/lib/qt6/bin/lupdate}"
options=(-silent -no-obsolete -locations none -source-language en)
"$lupdate" "${options[@]}" -target-language zh_CN "$top/app" "$top/ui" -ts "$here/tdkube_zh_CN.ts"
"$lupdate" "${options[@]}" -pluralonly -target-language en "$top/app" "$top/ui" -ts "$here/tdkube_en.ts"
python3 "$here/tstool.py" english-plurals "$here/tdkube_en.ts" "$here/en-plurals.tsv"
# lupdate writes the files in its own layout again, so that the next run changes only what changed.
"$lupdate" "${options[@]}" -pluralonly -target-language en "$top/app" "$top/ui" -ts "$here/tdkube_en.ts"
"$lupdate" "${options[@]}" -target-language zh_CN "$top/app" "$top/ui" -ts "$here/tdkube_zh_CN.ts"
