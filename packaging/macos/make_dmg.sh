#!/usr/bin/env bash
# The macOS download: dist/TwExport-<version>.dmg holding TwExport.app, from `pyinstaller packaging/twexport.spec`.
# NEVER RUN: there is no Mac here (written from hdiutil's manual). Unsigned: Gatekeeper asks the user to allow it
# (System Settings -> Privacy & Security -> Open Anyway) until the app is signed and notarized with an Apple
# Developer ID (codesign --deep --options runtime, then xcrun notarytool submit --wait, then xcrun stapler staple).
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' twexport_qt/__init__.py)
app=dist/TwExport.app
[ -d "$app" ] || { echo "$app is missing: run pyinstaller --noconfirm --clean packaging/twexport.spec" >&2; exit 1; }
"$app/Contents/MacOS/TwExport" --self-check
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"  # drag-to-install
hdiutil create -volname TwExport -srcfolder "$staging" -ov -format UDZO "dist/TwExport-$version.dmg"
echo "Built dist/TwExport-$version.dmg"
