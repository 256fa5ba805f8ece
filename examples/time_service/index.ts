// TypeScript entry modules load without a build step.
export function now(): string {
  return new Date().toISOString();
}

export async function sleep(ms: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ms;
}
