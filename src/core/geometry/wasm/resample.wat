;; The two passes of src/core/geometry/resample.ts in WebAssembly SIMD, with Pillow's arithmetic:
;; 22-bit fixed-point weights, i32 sums started at 1 << 21, clipped as (sum >> 22) saturated to
;; 0..255. Every lane does the scalar sum's exact integer operations, so the bytes are the same.
;; The caller leaves 16 spare bytes after every buffer: a pass reads and writes whole 4- or
;; 16-byte groups, and what it writes past a row is rewritten by the next row (or lands in the
;; spare bytes).
;; Rebuild the embedded bytes with `npm run build:wasm` after editing.
(module
  (memory (export "memory") 1)

  ;; rows×outW pixels of `bands` (1-4) bytes from rows of srcStride bytes. bounds: (first pixel,
  ;; taps) per output column as i32 pairs; k: ksize i32 weights per output column.
  (func (export "horizontal")
    (param $src i32) (param $srcStride i32) (param $rows i32) (param $outW i32) (param $bands i32)
    (param $bounds i32) (param $k i32) (param $ksize i32) (param $out i32)
    (local $y i32) (local $xx i32) (local $t i32) (local $n i32) (local $p i32) (local $kp i32)
    (local $b i32) (local $acc v128) (local $v v128)
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $rows)))
        (local.set $xx (i32.const 0))
        (local.set $b (local.get $bounds))
        (local.set $kp (local.get $k))
        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_u (local.get $xx) (local.get $outW)))
            (local.set $p (i32.add (local.get $src)
              (i32.mul (i32.load (local.get $b)) (local.get $bands))))
            (local.set $n (i32.load offset=4 (local.get $b)))
            (local.set $acc (i32x4.splat (i32.const 2097152)))
            (local.set $t (i32.const 0))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.ge_u (local.get $t) (local.get $n)))
                (local.set $acc (i32x4.add (local.get $acc)
                  (i32x4.mul
                    (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p))))
                    (i32x4.splat (i32.load (i32.add (local.get $kp) (i32.shl (local.get $t) (i32.const 2))))))))
                (local.set $p (i32.add (local.get $p) (local.get $bands)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $tapLoop)))
            (local.set $v (i16x8.narrow_i32x4_s
              (i32x4.shr_s (local.get $acc) (i32.const 22)) (i32x4.shr_s (local.get $acc) (i32.const 22))))
            (i32.store (local.get $out) (i32x4.extract_lane 0 (i8x16.narrow_i16x8_u (local.get $v) (local.get $v))))
            (local.set $out (i32.add (local.get $out) (local.get $bands)))
            (local.set $b (i32.add (local.get $b) (i32.const 8)))
            (local.set $kp (i32.add (local.get $kp) (i32.shl (local.get $ksize) (i32.const 2))))
            (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
            (br $colLoop)))
        (local.set $src (i32.add (local.get $src) (local.get $srcStride)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rowLoop))))

  ;; The low 3 bytes of $v at $at.
  (func $store3 (param $at i32) (param $v i32)
    (i32.store16 (local.get $at) (local.get $v))
    (i32.store8 offset=2 (local.get $at) (i32.shr_u (local.get $v) (i32.const 16))))

  ;; The horizontal pass for 3 or 4 bands, four rows and two taps per step with
  ;; i32x4.dot_i16x8_s (rows a multiple of 4). Each weight is split exactly as
  ;; w = hi * 2048 + lo (hi = w >> 11, lo = w & 2047), so both halves fit i16 lanes, and the sum
  ;; is rebuilt as (Σ p*hi << 11) + Σ p*lo: the same i32 as Pillow's Σ p*w. kv holds, per output
  ;; column, `pairs` steps of 32 bytes (see pairWeights); a step past an odd tap count reads one
  ;; more pixel, at weight 0. The four rows share each column's bounds, weight loads and loop
  ;; steps, which cost more than the sums themselves.
  (func (export "horizontalPairs4")
    (param $src i32) (param $srcStride i32) (param $rows i32) (param $outW i32) (param $bands i32)
    (param $bounds i32) (param $kv i32) (param $pairs i32) (param $out i32)
    (local $y i32) (local $xx i32) (local $j i32) (local $n i32) (local $p i32) (local $b i32)
    (local $w i32) (local $col i32) (local $step i32) (local $colBytes i32) (local $o i32)
    (local $outStride i32) (local $s2 i32) (local $s3 i32) (local $last i32)
    (local $mask v128) (local $px v128) (local $wh v128) (local $wl v128) (local $v v128) (local $u v128)
    (local $h0 v128) (local $l0 v128) (local $h1 v128) (local $l1 v128)
    (local $h2 v128) (local $l2 v128) (local $h3 v128) (local $l3 v128)
    (local.set $mask (if (result v128) (i32.eq (local.get $bands) (i32.const 3))
      (then (v128.const i8x16 0 128 3 128 1 128 4 128 2 128 5 128 128 128 128 128))
      (else (v128.const i8x16 0 128 4 128 1 128 5 128 2 128 6 128 3 128 7 128))))
    (local.set $step (i32.shl (local.get $bands) (i32.const 1)))
    (local.set $colBytes (i32.shl (local.get $pairs) (i32.const 5)))
    (local.set $outStride (i32.mul (local.get $outW) (local.get $bands)))
    (local.set $s2 (i32.shl (local.get $srcStride) (i32.const 1)))
    (local.set $s3 (i32.add (local.get $s2) (local.get $srcStride)))
    ;; A 4-byte store of 3 bands spills one byte into the next pixel, which a later column
    ;; rewrites; the last column's spill would land on the next row's first pixel, already
    ;; written in this batch, so that column stores its 3 bytes exactly.
    (local.set $last (if (result i32) (i32.eq (local.get $bands) (i32.const 3))
      (then (i32.sub (local.get $outW) (i32.const 1))) (else (i32.const -1))))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $rows)))
        (local.set $xx (i32.const 0))
        (local.set $b (local.get $bounds))
        (local.set $col (local.get $kv))
        (local.set $o (local.get $out))
        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_u (local.get $xx) (local.get $outW)))
            (local.set $p (i32.add (local.get $src)
              (i32.mul (i32.load (local.get $b)) (local.get $bands))))
            (local.set $n (i32.shr_u (i32.add (i32.load offset=4 (local.get $b)) (i32.const 1)) (i32.const 1)))
            (local.set $h0 (v128.const i32x4 0 0 0 0))
            (local.set $l0 (local.get $h0)) (local.set $h1 (local.get $h0)) (local.set $l1 (local.get $h0))
            (local.set $h2 (local.get $h0)) (local.set $l2 (local.get $h0)) (local.set $h3 (local.get $h0))
            (local.set $l3 (local.get $h0))
            (local.set $w (local.get $col))
            (local.set $j (i32.const 0))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.ge_u (local.get $j) (local.get $n)))
                (local.set $wh (v128.load (local.get $w)))
                (local.set $wl (v128.load offset=16 (local.get $w)))
                (local.set $px (i8x16.swizzle (v128.load64_zero (local.get $p)) (local.get $mask)))
                (local.set $h0 (i32x4.add (local.get $h0) (i32x4.dot_i16x8_s (local.get $px) (local.get $wh))))
                (local.set $l0 (i32x4.add (local.get $l0) (i32x4.dot_i16x8_s (local.get $px) (local.get $wl))))
                (local.set $px (i8x16.swizzle (v128.load64_zero (i32.add (local.get $p) (local.get $srcStride))) (local.get $mask)))
                (local.set $h1 (i32x4.add (local.get $h1) (i32x4.dot_i16x8_s (local.get $px) (local.get $wh))))
                (local.set $l1 (i32x4.add (local.get $l1) (i32x4.dot_i16x8_s (local.get $px) (local.get $wl))))
                (local.set $px (i8x16.swizzle (v128.load64_zero (i32.add (local.get $p) (local.get $s2))) (local.get $mask)))
                (local.set $h2 (i32x4.add (local.get $h2) (i32x4.dot_i16x8_s (local.get $px) (local.get $wh))))
                (local.set $l2 (i32x4.add (local.get $l2) (i32x4.dot_i16x8_s (local.get $px) (local.get $wl))))
                (local.set $px (i8x16.swizzle (v128.load64_zero (i32.add (local.get $p) (local.get $s3))) (local.get $mask)))
                (local.set $h3 (i32x4.add (local.get $h3) (i32x4.dot_i16x8_s (local.get $px) (local.get $wh))))
                (local.set $l3 (i32x4.add (local.get $l3) (i32x4.dot_i16x8_s (local.get $px) (local.get $wl))))
                (local.set $p (i32.add (local.get $p) (local.get $step)))
                (local.set $w (i32.add (local.get $w) (i32.const 32)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $tapLoop)))
            ;; (hi << 11) + lo + 2^21, >> 22, saturated to 0..255; the four rows in one vector.
            (local.set $wh (i32x4.splat (i32.const 2097152)))
            (local.set $v (i16x8.narrow_i32x4_s
              (i32x4.shr_s (i32x4.add (i32x4.add (i32x4.shl (local.get $h0) (i32.const 11)) (local.get $l0)) (local.get $wh)) (i32.const 22))
              (i32x4.shr_s (i32x4.add (i32x4.add (i32x4.shl (local.get $h1) (i32.const 11)) (local.get $l1)) (local.get $wh)) (i32.const 22))))
            (local.set $u (i16x8.narrow_i32x4_s
              (i32x4.shr_s (i32x4.add (i32x4.add (i32x4.shl (local.get $h2) (i32.const 11)) (local.get $l2)) (local.get $wh)) (i32.const 22))
              (i32x4.shr_s (i32x4.add (i32x4.add (i32x4.shl (local.get $h3) (i32.const 11)) (local.get $l3)) (local.get $wh)) (i32.const 22))))
            (local.set $v (i8x16.narrow_i16x8_u (local.get $v) (local.get $u)))
            (if (i32.eq (local.get $xx) (local.get $last))
              (then
                (call $store3 (local.get $o) (i32x4.extract_lane 0 (local.get $v)))
                (call $store3 (i32.add (local.get $o) (local.get $outStride)) (i32x4.extract_lane 1 (local.get $v)))
                (call $store3 (i32.add (local.get $o) (i32.shl (local.get $outStride) (i32.const 1))) (i32x4.extract_lane 2 (local.get $v)))
                (call $store3 (i32.add (local.get $o) (i32.mul (local.get $outStride) (i32.const 3))) (i32x4.extract_lane 3 (local.get $v))))
              (else
                (i32.store (local.get $o) (i32x4.extract_lane 0 (local.get $v)))
                (i32.store (i32.add (local.get $o) (local.get $outStride)) (i32x4.extract_lane 1 (local.get $v)))
                (i32.store (i32.add (local.get $o) (i32.shl (local.get $outStride) (i32.const 1))) (i32x4.extract_lane 2 (local.get $v)))
                (i32.store (i32.add (local.get $o) (i32.mul (local.get $outStride) (i32.const 3))) (i32x4.extract_lane 3 (local.get $v)))))
            (local.set $o (i32.add (local.get $o) (local.get $bands)))
            (local.set $b (i32.add (local.get $b) (i32.const 8)))
            (local.set $col (i32.add (local.get $col) (local.get $colBytes)))
            (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
            (br $colLoop)))
        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $srcStride) (i32.const 2))))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $outStride) (i32.const 2))))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (br $rowLoop))))

  ;; horizontalPairs4's weights from k (ksize i32 weights per column, outW columns): per column
  ;; and pair of taps, [hi0 hi1] ×4 as i16 then [lo0 lo1] ×4; a tap past ksize weighs 0.
  (func (export "pairWeights") (param $k i32) (param $ksize i32) (param $outW i32) (param $out i32)
    (local $xx i32) (local $t i32) (local $w0 i32) (local $w1 i32)
    (block $colsDone
      (loop $colLoop
        (br_if $colsDone (i32.ge_u (local.get $xx) (local.get $outW)))
        (local.set $t (i32.const 0))
        (block $pairsDone
          (loop $pairLoop
            (br_if $pairsDone (i32.ge_u (local.get $t) (local.get $ksize)))
            (local.set $w0 (i32.load (i32.add (local.get $k) (i32.shl (local.get $t) (i32.const 2)))))
            (local.set $w1 (if (result i32) (i32.lt_u (i32.add (local.get $t) (i32.const 1)) (local.get $ksize))
              (then (i32.load offset=4 (i32.add (local.get $k) (i32.shl (local.get $t) (i32.const 2)))))
              (else (i32.const 0))))
            (v128.store (local.get $out) (i32x4.splat (i32.or
              (i32.and (i32.shr_s (local.get $w0) (i32.const 11)) (i32.const 65535))
              (i32.shl (i32.shr_s (local.get $w1) (i32.const 11)) (i32.const 16)))))
            (v128.store offset=16 (local.get $out) (i32x4.splat (i32.or
              (i32.and (local.get $w0) (i32.const 2047))
              (i32.shl (i32.and (local.get $w1) (i32.const 2047)) (i32.const 16)))))
            (local.set $out (i32.add (local.get $out) (i32.const 32)))
            (local.set $t (i32.add (local.get $t) (i32.const 2)))
            (br $pairLoop)))
        (local.set $k (i32.add (local.get $k) (i32.shl (local.get $ksize) (i32.const 2))))
        (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
        (br $colLoop))))

  ;; outH rows of `stride` bytes, each a weighted sum of source rows: bounds (first row, taps)
  ;; and ksize weights per output row, as above. 16 bytes (4 × i32x4 sums) at a time.
  (func (export "vertical")
    (param $src i32) (param $stride i32) (param $outH i32) (param $bounds i32) (param $k i32)
    (param $ksize i32) (param $out i32)
    (local $yy i32) (local $x i32) (local $t i32) (local $n i32) (local $p i32) (local $row i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $v v128) (local $lo v128) (local $hi v128) (local $kv v128)
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $yy) (local.get $outH)))
        (local.set $row (i32.add (local.get $src) (i32.mul (i32.load (local.get $bounds)) (local.get $stride))))
        (local.set $n (i32.load offset=4 (local.get $bounds)))
        (local.set $x (i32.const 0))
        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_u (local.get $x) (local.get $stride)))
            (local.set $a0 (i32x4.splat (i32.const 2097152)))
            (local.set $a1 (local.get $a0))
            (local.set $a2 (local.get $a0))
            (local.set $a3 (local.get $a0))
            (local.set $p (i32.add (local.get $row) (local.get $x)))
            (local.set $t (i32.const 0))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.ge_u (local.get $t) (local.get $n)))
                (local.set $kv (i32x4.splat (i32.load (i32.add (local.get $k) (i32.shl (local.get $t) (i32.const 2))))))
                (local.set $v (v128.load (local.get $p)))
                (local.set $lo (i16x8.extend_low_i8x16_u (local.get $v)))
                (local.set $hi (i16x8.extend_high_i8x16_u (local.get $v)))
                (local.set $a0 (i32x4.add (local.get $a0) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $lo)) (local.get $kv))))
                (local.set $a1 (i32x4.add (local.get $a1) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $lo)) (local.get $kv))))
                (local.set $a2 (i32x4.add (local.get $a2) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $hi)) (local.get $kv))))
                (local.set $a3 (i32x4.add (local.get $a3) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $hi)) (local.get $kv))))
                (local.set $p (i32.add (local.get $p) (local.get $stride)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $tapLoop)))
            (v128.store (i32.add (local.get $out) (local.get $x))
              (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_s (i32x4.shr_s (local.get $a0) (i32.const 22)) (i32x4.shr_s (local.get $a1) (i32.const 22)))
                (i16x8.narrow_i32x4_s (i32x4.shr_s (local.get $a2) (i32.const 22)) (i32x4.shr_s (local.get $a3) (i32.const 22)))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (br $colLoop)))
        (local.set $out (i32.add (local.get $out) (local.get $stride)))
        (local.set $bounds (i32.add (local.get $bounds) (i32.const 8)))
        (local.set $k (i32.add (local.get $k) (i32.shl (local.get $ksize) (i32.const 2))))
        (local.set $yy (i32.add (local.get $yy) (i32.const 1)))
        (br $rowLoop)))))
