/**
 * The engine names options by their schema keys (`labelMode`, `classNames`) because it serves
 * two shells; on the command line a message must name the flag the user typed. This rewrites
 * the keys in an engine message into `--flags`.
 */
import { optionSpecs } from '../shared/options.js';

/** Words that, before a one-word key (`size`, `labels`), show it is the option being named. */
const lead = '(?<=\\b(?:for|with|when|and|or|given|turn on|without) )';

const rules: [RegExp, string][] = optionSpecs.flatMap((spec): [RegExp, string][] => {
  const flag = `--${spec.flag}`;
  // camelCase keys are never ordinary words: every whole-word use is the option.
  if (spec.key !== spec.flag) return [[new RegExp(`(?<![-\\w])${spec.key}\\b`, 'g'), flag]];
  return [
    // Not "labels=None" (Python), "seed 5 (--seed 5)" or "seed 42" (a value, already flagged).
    [new RegExp(`${lead}${spec.key}\\b(?!=| \\(| \\d)`, 'g'), flag],
    [new RegExp(`(?<![-\\w])${spec.key}(?= is\\b)`, 'g'), flag],
  ];
});

/**
 * @example cliWords('Expected exactly 2 classes for labelMode binary') // '... for --label-mode binary'
 */
export function cliWords(message: string): string {
  let out = message;
  for (const [pattern, flag] of rules) out = out.replace(pattern, flag);
  return out;
}
