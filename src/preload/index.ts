/**
 * Exposes the IPC contract as verbs on `window.img2npy`. Built as CommonJS (sandboxed preloads
 * cannot load ES modules) into one file: only `electron` is required at run time.
 */
import { type IpcRendererEvent, contextBridge, ipcRenderer, webUtils } from 'electron';
import { type Channel, type Img2npyApi, type Outcome, type Requests, buildApi, progressChannel } from '../shared/api.js';
import type { ProgressEvent } from '../shared/progress.js';

const invoke = <C extends Channel>(channel: C, args: Requests[C]['args']) =>
  ipcRenderer.invoke(channel, ...args) as Promise<Outcome<Requests[C]['result']>>;

const onProgress: Img2npyApi['onProgress'] = (listener, options) => {
  const relay = (_event: IpcRendererEvent, progress: ProgressEvent) => listener(progress);
  const stop = () => ipcRenderer.removeListener(progressChannel, relay);
  ipcRenderer.on(progressChannel, relay);
  // An AbortSignal from the page reaches this world as a copy without methods (contextBridge
  // copies only plain data); use it when it does arrive intact, and hand back `stop` as well.
  const signal = options?.signal as Partial<AbortSignal> | undefined;
  if (signal && typeof signal.addEventListener === 'function') {
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  }
  return stop;
};

contextBridge.exposeInMainWorld(
  'img2npy',
  buildApi(invoke, {
    onProgress,
    // Only a File from a real drop or file input has a path; main records it as chosen.
    pathForFile: async (file) => {
      const path = webUtils.getPathForFile(file);
      if (!path) return '';
      const registered = await invoke('paths:dropped', [path]);
      return registered.ok ? path : '';
    },
  }),
);
