#!/usr/bin/env bash
# What a run costs before and after its images, against the per-image cost: wall times of a small
# and a large set, interleaved with the peer, so that fixed = small - n_small * per_image and
# per_image = (large - small) / (n_large - n_small). Sets: the first 500 of the 32×32 PNGs and the
# first 200 typical JPEGs (copied to a temporary folder), and the whole bench sets.
# usage: bash bench/probes/fixed-cost.sh [runs]   (after `npm run bench` built bench/data)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
subset() { # subset SRC DEST N_PER_CLASS
  for d in "$1"/*/; do
    local files=("$d"*)
    mkdir -p "$2/$(basename "$d")"
    cp "${files[@]:0:$3}" "$2/$(basename "$d")/"
  done
}
subset bench/data/png32-5000 "$tmp/png500" 125
subset bench/data/typical-2000 "$tmp/jpg200" 50
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
ours() { node bin/img2npy.js convert "$1" --out "$tmp/ours.npz" --size "$2" --resize stretch --dtype uint8 --overwrite; }
declare -A t
for _ in $(seq "$runs"); do
  t[ours_png500]+=" $(ms ours "$tmp/png500" 32x32)"
  t[pil_png500]+=" $(ms /usr/bin/python3 bench/baselines/pil-loop.py "$tmp/png500" "$tmp/pil.npz" 32x32)"
  t[ours_png5000]+=" $(ms ours bench/data/png32-5000 32x32)"
  t[pil_png5000]+=" $(ms /usr/bin/python3 bench/baselines/pil-loop.py bench/data/png32-5000 "$tmp/pil.npz" 32x32)"
  t[ours_jpg200]+=" $(ms ours "$tmp/jpg200" 224x224)"
  t[pool_jpg200]+=" $(ms /usr/bin/python3 bench/baselines/pil-pool.py "$tmp/jpg200" "$tmp/pil.npz" 224x224 2)"
  t[ours_jpg2000]+=" $(ms ours bench/data/typical-2000 224x224)"
  t[pool_jpg2000]+=" $(ms /usr/bin/python3 bench/baselines/pil-pool.py bench/data/typical-2000 "$tmp/pil.npz" 224x224 2)"
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
split() { # split NAME SMALL_KEY LARGE_KEY N_SMALL N_LARGE
  local a b; a=$(median <<<"${t[$2]}"); b=$(median <<<"${t[$3]}")
  awk -v n="$1" -v a="$a" -v b="$b" -v s="$4" -v l="$5" 'BEGIN { p = (b - a) / (l - s); printf "%-22s %5d ms for %d, %5d ms for %d: %.0f µs per image, %.0f ms fixed\n", n, a, s, b, l, p * 1000, a - s * p }'
}
split "img2npy, 32² PNGs" ours_png500 ours_png5000 500 5000
split "PIL loop, 32² PNGs" pil_png500 pil_png5000 500 5000
split "img2npy, typical JPEGs" ours_jpg200 ours_jpg2000 200 2000
split "PIL Pool(2), typical" pool_jpg200 pool_jpg2000 200 2000
