#!/usr/bin/env bash
# Thread scaling of img2npy on the typical dataset JPEGs: prints images/s for --jobs 1, 2, 4, 8
# and 16 (and the TurboJPEG decode floor with as many threads), median of 3 interleaved runs.
# Self-contained for a many-core machine: needs apt libturbojpeg0 python3-pil (setup below),
# node_modules installed and the CLI built (npm run build:cli). Not part of npm test.
#
# usage: bash bench/scaling.sh [IMAGES] [JOBS...]     e.g. bash bench/scaling.sh 4000 1 2 4 8 16
set -euo pipefail
cd "$(dirname "$0")/.."
images=${1:-3000}
shift || true
jobs=("$@")
[ ${#jobs[@]} -gt 0 ] || jobs=(1 2 4 8 16)

need=()
for p in libturbojpeg0; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; fi
[ -f out/node/cli/main.js ] || node node_modules/typescript/bin/tsc -p tsconfig.cli.json

# The dataset: bench/everyday-datasets.ts cuts it from the wallpaper photos when they are
# installed (bench/setup.sh); without them, from any JPEGs under /usr/share.
root=bench/data/typical-$images
if [ ! -f "$root/.complete.json" ]; then
  if node --import tsx -e "import('./bench/everyday-datasets.ts').then((m) => m.buildTypical('bench/data', $images))" 2>/dev/null; then :; else
    echo "photo packages missing: cutting typical JPEGs with PIL from JPEGs under /usr/share" >&2
    /usr/bin/python3 - "$root" "$images" <<'PY'
import os, random, sys
from PIL import Image
root, n = sys.argv[1], int(sys.argv[2])
src = [os.path.join(d, f) for d, _, fs in os.walk('/usr/share') for f in fs if f.lower().endswith(('.jpg', '.jpeg'))]
src = [p for p in src if os.path.getsize(p) > 50000][:200]
if not src: sys.exit('no source JPEGs under /usr/share')
rnd = random.Random(10)
os.makedirs(os.path.join(root, 'a'), exist_ok=True)
for i in range(n):
    im = Image.open(rnd.choice(src)).convert('RGB')
    w = rnd.randint(333, 640); h = int(w / rnd.choice([0.75, 2 / 3, 1, 4 / 3, 1.5]))
    im.resize((w, h), Image.BILINEAR).save(os.path.join(root, 'a', f'{i:06d}.jpg'), quality=rnd.randint(75, 95))
open(os.path.join(root, '.complete.json'), 'w').write('{}')
PY
  fi
fi
find "$root" -type f -exec cat {} + > /dev/null

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
declare -A rates floor
rate() { awk -v n="$images" -v s="$1" -v e="$2" 'BEGIN { print n / (e - s) }'; }
for round in 1 2 3; do
  for j in "${jobs[@]}"; do
    s=$(date +%s.%N)
    node bin/img2npy.js convert "$root" --out "$out/x.npz" --size 224x224 --resize stretch --dtype uint8 --jobs "$j" --overwrite > /dev/null
    e=$(date +%s.%N)
    rates[$j]+="$(rate "$s" "$e") "
    s=$(date +%s.%N)
    node bench/baselines/turbo-floor.mjs "$root" - 224x224 "$j" > /dev/null
    e=$(date +%s.%N)
    floor[$j]+="$(rate "$s" "$e") "
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(echo "${rates[${jobs[0]}]}" | median)
printf '%-6s %12s %10s %14s\n' jobs 'img2npy/s' 'speed-up' 'floor img/s'
for j in "${jobs[@]}"; do
  r=$(echo "${rates[$j]}" | median)
  f=$(echo "${floor[$j]}" | median)
  printf '%-6s %12.0f %9.2fx %14.0f\n' "$j" "$r" "$(awk -v r="$r" -v b="$base" 'BEGIN { print r / b }')" "$f"
done
echo "($images typical JPEGs → 224x224, whole-process wall time, median of 3 interleaved runs; $(nproc) cores)"
