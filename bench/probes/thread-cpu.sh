#!/usr/bin/env bash
# CPU time of each thread of a command, read from /proc every 10 ms until it exits: which of
# img2npy's threads (main, decoder threads, V8's helper threads, libuv's pool) use the cores.
# usage: bash bench/probes/thread-cpu.sh node bin/img2npy.js convert DIR --out /tmp/x.npz --overwrite
"$@" >/dev/null &
pid=$!
declare -A cpu
while kill -0 "$pid" 2>/dev/null; do
  for t in /proc/"$pid"/task/*; do
    stat=$(cat "$t/stat" 2>/dev/null) || continue
    rest=${stat#*) }
    read -r -a f <<<"$rest"
    # utime and stime (fields 14 and 15 of stat; 12 and 13 after the name) in clock ticks
    cpu[${t##*/}]=$(( (f[11] + f[12]) * 1000 / $(getconf CLK_TCK) ))
  done
  sleep 0.01
done
wait "$pid" || true
total=0
for tid in $(printf '%s\n' "${!cpu[@]}" | sort -n); do
  [ "${cpu[$tid]}" -gt 0 ] && printf '%8s %6d ms%s\n' "$tid" "${cpu[$tid]}" "$([ "$tid" = "$pid" ] && echo '  (main thread)')"
  total=$((total + cpu[$tid]))
done
echo "all threads: ${total} ms"
