/**
 * The candidate a misspelt name was most likely meant to be, or undefined when none is close.
 * Case, `_` and `-` are ignored (`serviceBaseName`, `service-base-name` → `service_base_name`); a
 * name that is part of a candidate or holds one counts (`base_name` → `service_base_name`); otherwise
 * at most one edit per three letters.
 */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  const w = normalize(word);
  if (w === '') return undefined;
  let best: { name: string; score: number } | undefined;
  for (const name of candidates) {
    const c = normalize(name);
    const contained = Math.min(w.length, c.length) >= 4 && (c.includes(w) || w.includes(c));
    const distance = editDistance(w, c);
    const limit = Math.max(1, Math.floor(Math.max(w.length, c.length) / 3));
    if (!contained && distance > limit) continue;
    const score = contained ? Math.min(distance, 1) : distance;
    if (best === undefined || score < best.score) best = { name, score };
  }
  return best?.name;
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const up = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((up[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (up[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? Math.max(a.length, b.length);
}
