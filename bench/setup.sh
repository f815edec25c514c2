#!/usr/bin/env bash
# Installs the Debian packages the benchmark needs. Idempotent: a package already installed is
# skipped, so a second run touches neither apt nor the network.
set -euo pipefail

packages=(
  time                    # /usr/bin/time -v gives peak RSS for every tool alike
  libjpeg-turbo-progs     # djpeg: the decode-rate limits
  python3-pil python3-numpy python3-torchvision python3-torch
  python3-opencv          # the OpenCV loop baseline
  libturbojpeg0           # TurboJPEG: the decode floor (bench/baselines/turbo-floor.mjs) and our JPEG fast path
  dataset-fashion-mnist   # the small real images (28x28)
  # Real photos of 1-20 MP: the JPEG photographs these wallpaper packages ship (see photo-sources.ts).
  lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 mate-backgrounds plasma-workspace-wallpapers
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bench setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "bench setup: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
# A fresh machine's package lists may be empty or stale; one update before installing.
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
