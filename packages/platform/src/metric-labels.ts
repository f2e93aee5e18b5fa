/**
 * Distinct values a label keeps before later ones are counted as "other". Operation names are
 * client-chosen, so without a cap every random name would be a new Prometheus series.
 * @default 500
 */
export const MAX_OPERATION_LABELS = 500;

/** The label for a value past the cap. */
export const OTHER_LABEL = 'other';

/** Maps a client-chosen name to a bounded label; one per metrics registry. */
export type OperationLabeler = (name: string | null | undefined) => string;

/**
 * A labeler that keeps the first `max` distinct operation names as their own labels (a name seen
 * before keeps its label) and answers "other" for every new name after that. A missing name is
 * "anonymous" and does not count against the cap.
 */
export function createOperationLabeler(max: number = MAX_OPERATION_LABELS): OperationLabeler {
  const seen = new Set<string>();
  return (name) => {
    if (!name) return 'anonymous';
    if (seen.has(name)) return name;
    if (seen.size >= max) return OTHER_LABEL;
    seen.add(name);
    return name;
  };
}
