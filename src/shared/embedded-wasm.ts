/**
 * Hand-written WebAssembly modules embedded as base64 (scripts/build-wasm.ts), compiled once per
 * thread on first use. Embedded bytes load alike from src under tsx, the CLI's out/node, the
 * Electron bundle and worker threads, with no file to locate.
 */

/** The little of the WebAssembly API used (the CLI's tsconfig has no DOM lib to type it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

export interface EmbeddedWasm<Exports> {
  /** A new instance (its own memory) of the compiled module. */
  instantiate(): Exports;
}

/**
 * The module in `base64`, compiled; null where this engine cannot run it (no WebAssembly, or
 * no SIMD, which both modules need), so callers take their TypeScript path.
 * @example const sums = compileEmbeddedWasm<{ sums(...): void }>(sumsWasmBase64)?.instantiate();
 */
export function compileEmbeddedWasm<Exports>(base64: string): EmbeddedWasm<Exports> | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    if (!api?.validate(bytes)) return null;
    const module = new api.Module(bytes);
    return { instantiate: () => new api.Instance(module).exports as Exports };
  } catch {
    return null;
  }
}
