/**
 * Splits a DataLoader batch into groups that share one SQL statement (same page size, same
 * cursor...), runs `load` once per group and puts the results back in the batch's order.
 * The common batch (every key with the same arguments) is one group, so one statement.
 */
export async function loadGrouped<K, V>(
  keys: readonly K[],
  groupOf: (key: K) => string,
  load: (group: K[]) => Promise<V[]>,
): Promise<V[]> {
  const groups = new Map<string, number[]>();
  keys.forEach((key, index) => {
    const group = groupOf(key);
    const members = groups.get(group);
    if (members) members.push(index);
    else groups.set(group, [index]);
  });
  const results = new Array<V>(keys.length);
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const values = await load(indexes.map((i) => keys[i]!));
      indexes.forEach((keyIndex, i) => {
        results[keyIndex] = values[i]!;
      });
    }),
  );
  return results;
}
