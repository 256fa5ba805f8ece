import path from 'node:path';

/** The preload script that makes `node --require <it> job.ts` run TypeScript without a build step. */
export const TS_REGISTER_PRELOAD = path.join(__dirname, 'ts-register.js');
