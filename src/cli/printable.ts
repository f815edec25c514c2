/**
 * Text from the file system (names of files, folders, classes) reaches the terminal through the
 * human reporter. A crafted name holding ESC, CR or bidi controls could rewrite what the user
 * sees ("All files converted OK"), so control characters are shown as escapes instead. The
 * --json reporter prints names exactly: JSON escapes them itself.
 */

// C0 controls, DEL, C1 controls, and the Unicode bidi embedding/override/isolate controls.
const controls = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const controlsButNewline = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escape(c: string): string {
  const code = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * @example printable('a\x1b[2Kb.png') // 'a\\x1b[2Kb.png'
 * @param keepNewlines true for multi-line messages whose line breaks are ours.
 */
export function printable(text: string, keepNewlines = false): string {
  return text.replace(keepNewlines ? controlsButNewline : controls, escape);
}
