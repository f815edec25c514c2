/**
 * The part of the core engine the app calls, as a type. Main never imports core at run time
 * (sharp inside Electron's main process can crash on Linux): its `Engine` is a client of the
 * utility process; tests and the e2e bridge may pass the core module itself.
 */
import type * as Core from '../core/index.js';

export type Engine = Pick<typeof Core, 'scanSummary' | 'dryRun' | 'preview' | 'convert' | 'inspect' | 'cleanupJobTemp'>;
export type EngineOp = keyof Engine;
export type RunContext = Core.RunContext;
export const engineOps = ['scanSummary', 'dryRun', 'preview', 'convert', 'inspect', 'cleanupJobTemp'] as const satisfies readonly EngineOp[];
