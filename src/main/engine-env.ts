/**
 * The environment of the app's engine and headless CLI processes: glibc malloc settings that
 * only work from process start (Linux), and the TurboJPEG library the packaged app carries.
 */
import { bundledTurboJpegEnv, mallocEnv } from '../core/index.js';

/** @example utilityProcess.fork(path, [], { env: engineEnv(process.env, process.resourcesPath) }) */
export function engineEnv(env: NodeJS.ProcessEnv, resourcesPath: string | undefined, platform: string = process.platform): NodeJS.ProcessEnv {
  return { ...(platform === 'linux' ? mallocEnv(env) : env), ...bundledTurboJpegEnv(resourcesPath, env, platform) };
}
