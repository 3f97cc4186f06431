/** The list with the item at `from` moved to `to` (clamped to the list), for up/down buttons. */
export function moved<T>(items: readonly T[], from: number, to: number): T[] {
  const copy = [...items];
  const target = Math.max(0, Math.min(copy.length - 1, to));
  const [item] = copy.splice(from, 1);
  if (item !== undefined) copy.splice(target, 0, item);
  return copy;
}
