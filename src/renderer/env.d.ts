/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { Img2npyApi } from '../shared/api.js';

declare global {
  interface Window {
    /** Exposed by the preload (or the e2e test bridge); the renderer's only way out. */
    readonly img2npy: Img2npyApi;
  }
}

export {};
