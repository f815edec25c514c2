#!/usr/bin/env bash
# Baseline (c): how fast libjpeg-turbo alone decodes the files, output thrown away. No resize, no
# array, no file written: an upper bound no converter can beat on the same cores.
#
# usage: djpeg-limit.sh LIST JOBS
# LIST has one djpeg argument list per line: "PATH" for a full decode, or "-scale 1/N PATH" for a
# DCT-scaled decode (N = 2, 4 or 8, the largest keeping the short side >= the target, as libvips'
# shrink-on-load picks). xargs keeps JOBS djpeg processes running, one per core.
set -euo pipefail
list=$1
jobs=$2
xargs -a "$list" -P "$jobs" -L 1 djpeg -outfile /dev/null
echo "{\"images\": $(wc -l < "$list")}"
