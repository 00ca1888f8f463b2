#!/usr/bin/env bash
# tst_translations: lupdate over app/ and ui/ into copies of resources/translations/*.ts, as update.sh
# would, then tstool.py check: fails naming each string without a finished translation (a new string
# nobody translated, or one changed since), a translation whose placeholders (%1, %n) or `quoted`
# commands differ from the source's, and a plural without its English forms.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
translations="$top/resources/translations"
lupdate="${LUPDATE:-/usr/lib/qt6/bin/lupdate}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$translations"/tdkube_zh_CN.ts "$translations"/tdkube_en.ts "$work/"
options=(-silent -no-obsolete -locations none -source-language en)
"$lupdate" "${options[@]}" -target-language zh_CN "$top/app" "$top/ui" -ts "$work/tdkube_zh_CN.ts"
"$lupdate" "${options[@]}" -pluralonly -target-language en "$top/app" "$top/ui" -ts "$work/tdkube_en.ts"
status=0
python3 "$translations/tstool.py" check "$work/tdkube_zh_CN.ts" || status=1
python3 "$translations/tstool.py" check "$work/tdkube_en.ts" || status=1
exit $status
