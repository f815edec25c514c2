/**
 * A decoder thread's time per image, as the pool sizes groups by it (worker-pool groupSize).
 * Each thread's first group also pays its one-time start: loading koffi and libturbojpeg or
 * zlib, compiling the resampler's WebAssembly, first calls in V8's interpreter. Measured on
 * 32×32 PNGs: 12-13 ms for a first image, 0.3 ms for the next. Averaged in, that first time
 * kept groups at one or two images for the next ~20 answers (each cutting it by a fifth): twenty
 * round trips where two would do. A thread's first group therefore counts only until a group
 * from a started thread is in. (Wall time did not change measurably: those early groups are
 * slow mostly because the code is still cold.)
 */
export class ImageTimes {
  private ms: number | null = null;
  private fromFirstGroups = true;

  /** Milliseconds per image: an average weighted towards the latest groups; null before any. */
  get msPerImage(): number | null {
    return this.ms;
  }

  /** A group's time per image; `firstOfThread` for the first group its thread answered. */
  add(sample: number, firstOfThread: boolean): void {
    if (!firstOfThread) {
      // Past the first groups there has been a sample: the average exists.
      this.ms = this.fromFirstGroups ? sample : this.ms! * 0.8 + sample * 0.2;
      this.fromFirstGroups = false;
    } else if (this.fromFirstGroups) {
      this.ms = Math.min(this.ms ?? sample, sample);
    }
  }
}
