/** Registers the handler table on ipcMain; every request goes through `dispatch`. */
import { type IpcMainInvokeEvent, ipcMain } from 'electron';
import { type HandlerTable, channels } from '../shared/api.js';
import { dispatch } from './dispatch.js';
import type { IpcSender, TrustedSenders } from './sender-check.js';

function senderOf(event: IpcMainInvokeEvent): IpcSender {
  const frame = event.senderFrame;
  return {
    webContentsId: event.sender.id,
    frameUrl: frame?.url,
    isMainFrame: frame !== null && frame === event.sender.mainFrame,
  };
}

export function registerIpc(table: HandlerTable, trusted: () => TrustedSenders): () => void {
  for (const channel of channels) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => dispatch(table, channel, args, senderOf(event), trusted()));
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}
