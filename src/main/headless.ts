/**
 * `img2npy-app --headless <cli args>` runs the command line with no window. The switch may follow
 * Electron's own arguments (`electron . --headless convert ...`), so everything after it is the
 * CLI's argv.
 */
export const headlessSwitch = '--headless';

export function headlessArgs(argv: readonly string[]): string[] | null {
  const at = argv.indexOf(headlessSwitch);
  return at === -1 ? null : argv.slice(at + 1);
}
