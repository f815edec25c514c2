/**
 * Bounds the memory that parallel decodes hold at once. A progressive JPEG cannot be decoded in
 * strips: libjpeg keeps every DCT coefficient of the full-size image (about 2 bytes per sample),
 * so three 20 MP progressive photos in flight took RSS past 400 MB while baseline JPEGs, decoded
 * at DCT scale in strips, need little. Decodes ask the gate for their estimated bytes first and
 * wait, first come first served, while the budget is spent.
 */
export class MemoryGate {
  private used = 0;
  private readonly waiting: { need: number; admit: () => void }[] = [];

  constructor(readonly budget: number) {}

  /** Waits until `bytes` fit (a request above the budget waits to run alone); returns the release. */
  async acquire(bytes: number): Promise<() => void> {
    const need = Math.min(Math.max(0, bytes), this.budget);
    if (need === 0) return () => undefined;
    if (this.waiting.length > 0 || this.used + need > this.budget) {
      await new Promise<void>((admit) => this.waiting.push({ need, admit }));
    } else {
      this.used += need;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= need;
      this.admitWaiting();
    };
  }

  private admitWaiting(): void {
    while (this.waiting.length > 0 && this.used + this.waiting[0].need <= this.budget) {
      const next = this.waiting.shift()!;
      this.used += next.need;
      next.admit();
    }
  }
}

export interface JpegFrame {
  width: number;
  height: number;
  components: number;
  progressive: boolean;
}

/** The frame header (SOF) of a JPEG: size, components, progressive or not; null if not found. */
export function jpegFrame(buf: Uint8Array): JpegFrame | null {
  let at = 2; // after SOI
  while (at + 4 <= buf.length) {
    if (buf[at] !== 0xff) return null;
    const marker = buf[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    // SOF markers: C0-CF except C4 (DHT), C8 (JPG) and CC (DAC). Progressive: C2, C6, CA, CE.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 10 > buf.length) return null;
      return {
        height: (buf[at + 5] << 8) | buf[at + 6],
        width: (buf[at + 7] << 8) | buf[at + 8],
        components: buf[at + 9],
        progressive: marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce,
      };
    }
    if (marker === 0xda) return null; // a scan before any frame header
    at += 2 + ((buf[at + 2] << 8) | buf[at + 3]);
  }
  return null;
}

/**
 * Bytes a JPEG decode holds beyond its output: the full-size coefficients of a progressive JPEG
 * (~2 bytes per sample). Baseline JPEGs are decoded in strips and count as nothing. (Keras mode's
 * full-size output pixels are not counted: gating them too halved its speed on 20 MP photos.)
 */
export function jpegDecodeCost(frame: JpegFrame | null): number {
  if (!frame || !frame.progressive) return 0;
  return frame.width * frame.height * frame.components * 2;
}
