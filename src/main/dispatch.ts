/**
 * One IPC request, from whoever carried it (ipcMain in the app, the e2e bridge in tests): refuse
 * untrusted senders and unknown channels, run the handler, and turn its result or error into an
 * `Outcome` that crosses the process boundary as data with the error's code and stack.
 */
import { type Channel, type HandlerTable, type Outcome, channels } from '../shared/api.js';
import { toErrorInfo } from '../shared/errors.js';
import { type IpcSender, type TrustedSenders, isTrustedSender } from './sender-check.js';

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (channels as readonly string[]).includes(value);
}

export async function dispatch(
  table: HandlerTable,
  channel: unknown,
  args: unknown,
  sender: IpcSender,
  trusted: TrustedSenders,
): Promise<Outcome<unknown>> {
  if (!isTrustedSender(sender, trusted)) {
    return { ok: false, error: { code: 'internal', message: `Refused ${String(channel)}: the request did not come from the app's window` } };
  }
  if (!isChannel(channel)) return { ok: false, error: { code: 'internal', message: `Unknown request ${String(channel)}` } };
  if (!Array.isArray(args)) return { ok: false, error: { code: 'internal', message: `Expected an argument list for ${channel}` } };
  const handler = table[channel] as (...a: unknown[]) => Promise<unknown>;
  try {
    return { ok: true, value: await handler(...args) };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}
