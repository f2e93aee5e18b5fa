/**
 * Filter extraction: reads filters out of a search's words with phrase rules kept as data by each
 * subgraph ("female corn snake under 100" -> sex FEMALE, maxPrice 10000, text "corn snake"). The
 * matched words leave the text, so full-text matching sees only what no rule understood, and the
 * answer lists what was read so that a client can show the filters and undo them.
 */

export interface PhraseRule {
  /**
   * A regular expression (source, matched case-insensitively as whole words) for the phrase;
   * its first capture group, if any, is the value's `$1`.
   */
  pattern: string;
  /** The filter it sets: a field of the search's filters input (maxPrice, wattage, sex). */
  field: string;
  /** The filter's value: a literal (FEMALE, true) or `$1` for the capture. */
  value: string;
  /** Multiplies a numeric `$1` (100 for prices written in major units, filtered in minor). */
  scale?: number;
}

export interface ReadFilter {
  field: string;
  value: string;
}

export interface Interpretation {
  /** The words no rule matched, whitespace collapsed; may be empty. */
  text: string;
  /** In the order the rules are listed; a field appears once (its first rule that matched). */
  filters: ReadFilter[];
}

interface CompiledRule extends PhraseRule {
  regex: RegExp;
}

/** Compiles a rule list once (at module load), failing fast on a bad pattern. */
export function compilePhraseRules(rules: readonly PhraseRule[]): readonly CompiledRule[] {
  // Whole words: no letter or digit may touch the phrase on either side.
  return rules.map((rule) => ({
    ...rule,
    regex: new RegExp(`(?<![\\p{L}\\p{N}])(?:${rule.pattern})(?![\\p{L}\\p{N}])`, 'iu'),
  }));
}

/** Reads `text` with `rules`: each rule matches at most once, and each field is set at most once. */
export function interpret(text: string, rules: readonly CompiledRule[]): Interpretation {
  let rest = text;
  const filters: ReadFilter[] = [];
  for (const rule of rules) {
    if (filters.some((filter) => filter.field === rule.field)) continue;
    const match = rule.regex.exec(rest);
    if (!match) continue;
    const captured = match[1];
    let value = rule.value;
    if (value === '$1') {
      if (captured === undefined) continue;
      // A decimal comma ("19,99") is a decimal point.
      value = rule.scale ? String(Math.round(Number(captured.replace(',', '.')) * rule.scale)) : captured;
    }
    filters.push({ field: rule.field, value });
    rest = `${rest.slice(0, match.index)} ${rest.slice(match.index + match[0].length)}`;
  }
  return { text: rest.replace(/\s+/g, ' ').trim(), filters };
}
