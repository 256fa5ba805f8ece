import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  compileUserSchema,
  SCHEMAS,
  VALIDATOR_MODULE,
  validateAgainstSchema,
} from '@kael/runtime/config/schema-validation';
import { validatorModuleCode } from '@kael/runtime/config/validator-code';

const SCHEMA_VALIDATION = require.resolve('@kael/runtime/config/schema-validation');

describe("the kael schemas' validators", () => {
  it('are the code the build generated from the schemas of this checkout', () => {
    const built = readFileSync(path.join(path.dirname(SCHEMA_VALIDATION), VALIDATOR_MODULE), 'utf8');
    assert.equal(built, validatorModuleCode(SCHEMAS), 'run npm run build');
  });

  it('explain a violation with the schema beside it (an unknown key and its likely meaning)', () => {
    const problems = validateAgainstSchema('service', {
      type: 'service',
      service_base_name: 'calc',
      version: '1.0',
      publsh: ['add'],
    });
    assert.ok(problems.some((p) => p.keyword === 'required'));
    const unknown = problems.find((p) => p.keyword === 'additionalProperties');
    assert.equal(unknown?.pointer, '/publsh');
    assert.equal(unknown?.fix?.newText, 'publish');
  });
});

describe('compiled `args` validators', () => {
  let cache: string;
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, XDG_CACHE_HOME: cache });
  // A schema using ajv's runtime helpers (deep equality for enum/uniqueItems, string length).
  const schema = {
    type: 'array',
    prefixItems: [{ enum: [{ a: 1 }, 'x'] }, { type: 'string', maxLength: 2 }],
    uniqueItems: true,
  };
  const samples: unknown[] = [[{ a: 1 }, 'ok'], ['x', 'too long'], [{ a: 2 }, 3], ['x', 'x'], 'not an array'];

  /** Compiles `schema` in a fresh process and reports what it answered and whether ajv was loaded. */
  const compileElsewhere = (): { answers: unknown[]; ajvLoaded: boolean } => {
    const script = `
      const { compileUserSchema } = require(${JSON.stringify(SCHEMA_VALIDATION)});
      const validate = compileUserSchema(${JSON.stringify(schema)});
      const answers = ${JSON.stringify(samples)}.map((d) => [validate(d), validate.errors ?? null]);
      const ajvLoaded = Object.keys(require.cache).some((f) => /ajv[\\\\/]dist[\\\\/]core\\.js$/.test(f));
      process.stdout.write(JSON.stringify({ answers, ajvLoaded }));`;
    return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: env() }).toString()) as {
      answers: unknown[];
      ajvLoaded: boolean;
    };
  };

  before(async () => {
    cache = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-validators-'));
  });
  after(async () => {
    await fs.rm(cache, { recursive: true, force: true });
  });

  it('are kept in the private per-user cache and loaded from it without ajv, answering alike', async () => {
    const first = compileElsewhere();
    assert.equal(first.ajvLoaded, true);
    const dir = path.join(cache, 'kael', 'validators');
    assert.equal((await fs.stat(dir)).mode & 0o777, 0o700);
    assert.equal((await fs.readdir(dir)).length, 1);
    const again = compileElsewhere();
    assert.equal(again.ajvLoaded, false);
    assert.deepEqual(again.answers, first.answers);
    // The same answers as a validator compiled in this process, errors included.
    const here = compileUserSchema(schema);
    assert.deepEqual(
      again.answers,
      samples.map((d) => [here(d), here.errors ?? null]),
    );
  });

  it('refuse an invalid schema', () => {
    assert.throws(() => compileUserSchema({ type: 'numbr' }), /schema is invalid|type must be/);
  });
});
