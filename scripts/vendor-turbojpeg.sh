#!/usr/bin/env bash
# Copies this machine's TurboJPEG library and its licence notices into vendor/turbojpeg/<os>-<arch>/,
# which electron-builder packs into the app's resources (electron-builder.yml, extraResources),
# so the desktop app decodes JPEGs through libjpeg-turbo with no system package installed.
# Linux (Debian/Ubuntu: apt-get install libturbojpeg0). macOS and Windows builds need the library
# from libjpeg-turbo's own installers copied the same way (libturbojpeg.dylib, turbojpeg.dll and
# LICENSE.md/README.ijg); without it the app uses the system's library, else sharp.
set -euo pipefail
cd "$(dirname "$0")/.."
case "$(uname -s)" in
  Linux) ;;
  *) echo "vendor-turbojpeg.sh: only Linux is automated; see the comment at the top" >&2; exit 2 ;;
esac
arch=$(node -p process.arch)
lib=$(ldconfig -p | awk '/libturbojpeg\.so\.0 / && /'"$(uname -m | sed 's/_/-/')"'/ {print $NF; exit}')
lib=${lib:-$(ldconfig -p | awk '/libturbojpeg\.so\.0 / {print $NF; exit}')}
if [ -z "$lib" ]; then
  echo "vendor-turbojpeg.sh: libturbojpeg.so.0 not found (Debian/Ubuntu: apt-get install -y libturbojpeg0)" >&2
  exit 1
fi
out=vendor/turbojpeg/linux-$arch
rm -rf "$out"
mkdir -p "$out"
cp -L "$lib" "$out/libturbojpeg.so.0"
# libjpeg-turbo's BSD-style and IJG notices travel with the binary.
pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | cut -d: -f1 | head -1 || true)
if [ -n "$pkg" ] && [ -f "/usr/share/doc/$pkg/copyright" ]; then
  cp "/usr/share/doc/$pkg/copyright" "$out/LICENSE-libjpeg-turbo.txt"
else
  echo "vendor-turbojpeg.sh: no copyright file found for $lib; add libjpeg-turbo's LICENSE.md by hand" >&2
  exit 1
fi
echo "vendor-turbojpeg.sh: $lib -> $out"
