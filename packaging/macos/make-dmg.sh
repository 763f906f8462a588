#!/bin/sh
# Build dist/Baton-<version>.dmg from build/dist/Baton.app. Run on macOS, from anywhere,
# after the PyInstaller build (see README.md). Set CODESIGN_IDENTITY to sign the app
# (and NOTARY_PROFILE to notarize the dmg); without it the dmg is unsigned.
set -eu
cd "$(dirname "$0")/../.."
version=$(.venv/bin/python -c 'import baton; print(baton.__version__)')
app=build/dist/Baton.app
[ -d "$app" ] || { echo "make-dmg: no $app; build it with PyInstaller first" >&2; exit 1; }

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --force --deep --timestamp --options runtime \
    --entitlements packaging/macos/entitlements.plist --sign "$CODESIGN_IDENTITY" "$app"
  codesign --verify --deep --strict "$app"
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
mkdir -p dist
dmg="dist/Baton-$version.dmg"
hdiutil create -volname "Baton $version" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --timestamp --sign "$CODESIGN_IDENTITY" "$dmg"
  if [ -n "${NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$dmg" --keychain-profile "$NOTARY_PROFILE" --wait
    xcrun stapler staple "$dmg"
  fi
fi
echo "$dmg"
