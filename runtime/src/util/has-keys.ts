/**
 * True when `o` has an enumerable key. Unlike `Object.keys(o).length`, allocates nothing: the call
 * paths ask it once per call.
 */
export function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}
