/**
 * String order as Python's `sorted` sees it. Python compares str by Unicode code point; JS's
 * default sort and `<` compare UTF-16 code units. The two agree except when a character above
 * U+FFFF (stored as a surrogate pair, units D800-DFFF) meets a BMP character in E000-FFFF:
 * '😀' (U+1F600) sorts after '！' (U+FF01) in Python but before it in plain JS.
 */

/**
 * Compares two strings by Unicode code point, like Python's `<` on str.
 *
 * @example
 * ['😀.jpg', '！.jpg'].sort(compareCodePoints); // ['！.jpg', '😀.jpg']
 */
export function compareCodePoints(a: string, b: string): number {
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Only when both units are >= D800 can unit order differ from code point order: move
    // surrogates above E000-FFFF and leave everything else in place.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Sorts a copy by code point.
 *
 * @example
 * sortedByCodePoint(['b', 'B', 'a']); // ['B', 'a', 'b']
 */
export function sortedByCodePoint(items: Iterable<string>): string[] {
  return [...items].sort(compareCodePoints);
}
