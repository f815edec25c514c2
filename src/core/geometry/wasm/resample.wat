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
