/** The questions main asks in message boxes, as data (tested without Electron). */

/** Quitting during a conversion. "Keep converting" is the default and what Escape answers. */
export function quitQuestion(count: number) {
  return {
    type: 'question' as const,
    title: 'A conversion is running',
    message: count === 1 ? 'A conversion is running. Cancel it and quit?' : `${count} conversions are running. Cancel them and quit?`,
    detail: 'Cancelling removes the partial output; nothing is written.',
    buttons: ['Keep converting', 'Cancel and quit'],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  };
}

/**
 * What to ask when the page's process is gone; null when it ended on purpose. Reload is the
 * default: the engine and its jobs live in main and the utility process, untouched.
 */
export function renderGoneQuestion(reason: string) {
  if (reason === 'clean-exit') return null;
  return {
    type: 'error' as const,
    title: 'The window stopped',
    message: `The window stopped (${reason}).`,
    detail: 'Conversions keep running. Reload the window to go on.',
    buttons: ['Reload', 'Close the window'],
    defaultId: 0,
    cancelId: 1,
    noLink: true,
  };
}
