/**
 * Which IPC senders main answers. Pure: the Electron wiring (ipc.ts) and the e2e test bridge
 * both describe their sender as an `IpcSender` and ask `isTrustedSender`.
 */

export interface IpcSender {
  /** Id of the webContents that sent the request. */
  webContentsId: number;
  /** URL of the frame that sent it; undefined when the frame has gone or navigated away. */
  frameUrl: string | undefined;
  /** False for messages from iframes, which the app never creates. */
  isMainFrame: boolean;
}

export interface TrustedSenders {
  /** webContents ids of the app's own windows. */
  webContentsIds: ReadonlySet<number>;
  /** The URL the app's window loads: its built index.html (file:) or the dev server (http:). */
  entryUrl: string;
}

/**
 * True when `url` is the app's own page. file: URLs must name the same file (any query or hash);
 * http(s) URLs (dev server, test server) must share the entry's origin.
 */
export function isAppUrl(url: string | undefined, entryUrl: string): boolean {
  if (!url) return false;
  let target: URL;
  let entry: URL;
  try {
    target = new URL(url);
    entry = new URL(entryUrl);
  } catch {
    return false;
  }
  if (target.protocol !== entry.protocol) return false;
  if (entry.protocol === 'file:') return target.host === entry.host && target.pathname === entry.pathname;
  if (entry.protocol === 'http:' || entry.protocol === 'https:') return target.origin === entry.origin;
  return false;
}

/** A request is answered only from the main frame of one of the app's windows, showing the app. */
export function isTrustedSender(sender: IpcSender, trusted: TrustedSenders): boolean {
  return (
    sender.isMainFrame &&
    trusted.webContentsIds.has(sender.webContentsId) &&
    isAppUrl(sender.frameUrl, trusted.entryUrl)
  );
}
