import { createHash } from 'node:crypto';
import path from 'node:path';
import type Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type StandaloneCode from 'ajv/dist/standalone/index.js';
import schemas from '@kael/schemas';
import type { JsonSchema } from '@kael/schemas';
import { closestName } from './closest-name.js';
import { pointerToPath, toPointer } from './problem.js';
import type { PackageKind } from '../model/package-kind.js';
import type { ProblemCode, ProblemFix } from '../model/config-problem.js';
import { privateCacheDir, readCached, writeCached } from '../util/private-cache.js';

/** Which file a schema describes. */
export type SchemaKind = PackageKind | 'frame';

/** The schema documents, keyed by kind: the same objects the language server offers for completion. */
export const SCHEMAS: Readonly<Record<SchemaKind, JsonSchema>> = {
  service: schemas.serviceSetting,
  crontab: schemas.crontabSetting,
  frame: schemas.frameConfig,
};

/** The package `type` values and the schema each selects. */
export const PACKAGE_TYPES: Readonly<Record<string, PackageKind>> = {
  service: 'service',
  crontab: 'crontab',
};

/** A schema violation located by JSON pointer; `part` says whether the key or the value is at fault. */
export interface SchemaViolation {
  pointer: string;
  part: 'key' | 'value';
  message: string;
  /** The JSON Schema keyword that failed (`required`, `pattern`…). */
  keyword: string;
  /** The likely intended key or value, when a close one exists. */
  fix?: ProblemFix;
}

/** The problem code of a violation: `key-unknown` for a key the schema does not have, else `schema`. */
export function violationCode(v: SchemaViolation): ProblemCode {
  return v.keyword === 'additionalProperties' ? 'key-unknown' : 'schema';
}

/** The module the build writes the kael schemas' compiled validators to (see validator-code.ts). */
export const VALIDATOR_MODULE = 'schema-validators.js';

/**
 * The options of every validator. `verbose` puts the failing schema and data on each error: an
 * unknown key is compared with the keys its mapping may have, and with the ones it already has.
 */
export const VALIDATOR_OPTIONS = { allErrors: true, strict: false, verbose: true } as const;

let validators: Readonly<Record<SchemaKind, ValidateFunction>> | undefined;

/** The validator of a kael schema: compiled by the build, so a frame never compiles one at start. */
function validatorFor(kind: SchemaKind): ValidateFunction {
  // A literal path (VALIDATOR_MODULE), so that bundlers (the extension's language server) take the file in.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  validators ??= require('./schema-validators.js') as Record<SchemaKind, ValidateFunction>;
  return validators[kind];
}

let ajv: Ajv2020 | undefined;

/**
 * The ajv instance for user-supplied schemas, created on first use: loading ajv and compiling the
 * meta-schema a user schema is checked against take over a hundred milliseconds.
 */
function userSchemaCompiler(): Ajv2020 {
  if (ajv === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { default: Ajv } = require('ajv/dist/2020.js') as { default: typeof Ajv2020 };
    ajv = new Ajv({ ...VALIDATOR_OPTIONS, code: { source: true } });
  }
  return ajv;
}

let validatorCache: string | undefined | null = null;

/**
 * Compiles a user-supplied schema (a service's `args` entry). The compiled validator is kept as
 * ajv's standalone code in the per-user private cache (keyed by the schema, the options and ajv's
 * version), so a worker that starts again loads it without loading ajv.
 * @throws Error when the schema is invalid.
 */
export function compileUserSchema(schema: object | boolean): ValidateFunction {
  if (validatorCache === null) validatorCache = privateCacheDir('validators');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require('ajv/package.json') as { version: string };
  const key = createHash('sha256')
    .update(`${version}\0${JSON.stringify(VALIDATOR_OPTIONS)}\0${JSON.stringify(schema)}`)
    .digest('hex');
  const file = validatorCache === undefined ? undefined : path.join(validatorCache, `${key}.js`);
  const code = file === undefined ? undefined : readCached(file);
  if (code !== undefined) return standaloneValidator(code);
  const compiler = userSchemaCompiler();
  const validate = compiler.compile(schema);
  if (file !== undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { default: standaloneCode } = require('ajv/dist/standalone/index.js') as {
      default: typeof StandaloneCode;
    };
    writeCached(file, standaloneCode(compiler, validate));
  }
  return validate;
}

/** Runs a cached validator module (ajv's standalone code: CommonJS that requires ajv's runtime helpers). */
function standaloneValidator(code: string): ValidateFunction {
  const module = { exports: {} as unknown };
  // The code was written by this user's own frames into their private cache (see privateCacheDir).
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const run = new Function('module', 'exports', 'require', code) as (
    module: { exports: unknown },
    exports: unknown,
    load: NodeJS.Require,
  ) => void;
  run(module, module.exports, require);
  return module.exports as ValidateFunction;
}

/** Validates a parsed YAML value against a kael schema and explains each violation in plain words. */
export function validateAgainstSchema(kind: SchemaKind, value: unknown): SchemaViolation[] {
  const validate = validatorFor(kind);
  if (validate(value)) return [];
  return explainErrors(validate.errors ?? []);
}

/** Turns ajv errors into located sentences (also used for `args` validation of calls). */
export function explainErrors(errors: readonly ErrorObject[]): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // A failed `type: [string, number]` on `version` also reports pattern/minimum noise; keep the first per pointer and keyword family.
    const v = { ...explainError(e), keyword: e.keyword };
    const key = `${v.pointer}|${v.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}

function explainError(e: ErrorObject): Omit<SchemaViolation, 'keyword'> {
  const path = pointerToPath(e.instancePath);
  const at = (msg: string): string => (path === '' ? msg : `${path}: ${msg}`);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return {
        pointer: e.instancePath,
        part: 'value',
        message: at(`missing required field "${String(params['missingProperty'])}"`),
      };
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      const pointer = e.instancePath + toPointer([name]);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const present = e.data !== null && typeof e.data === 'object' ? Object.keys(e.data) : [];
      const guess = closestName(
        name,
        known.filter((k) => !present.includes(k)),
      );
      const message = `${pointerToPath(pointer)}: unknown field "${name}"`;
      if (guess !== undefined)
        return {
          pointer,
          part: 'key',
          message: `${message}; did you mean "${guess}"?`,
          fix: { title: `Change to "${guess}"`, newText: guess },
        };
      return {
        pointer,
        part: 'key',
        message: known.length === 0 ? message : `${message} (known fields: ${known.join(', ')})`,
      };
    }
    case 'const':
      return {
        pointer: e.instancePath,
        part: 'value',
        message: at(`must be ${JSON.stringify(params['allowedValue'])}`),
      };
    case 'enum': {
      const allowed = params['allowedValues'] as unknown[];
      const guess =
        typeof e.data === 'string'
          ? closestName(
              e.data,
              allowed.filter((v): v is string => typeof v === 'string'),
            )
          : undefined;
      const message = at(`must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`);
      return guess === undefined
        ? { pointer: e.instancePath, part: 'value', message }
        : {
            pointer: e.instancePath,
            part: 'value',
            message: `${message}; did you mean "${guess}"?`,
            fix: { title: `Change to "${guess}"`, newText: guess },
          };
    }
    case 'type':
      return {
        pointer: e.instancePath,
        part: 'value',
        message: at(`must be ${String(params['type']).replace(',', ' or ')}`),
      };
    case 'pattern':
      return {
        pointer: e.instancePath,
        part: 'value',
        message: at(`does not match the pattern ${String(params['pattern'])}`),
      };
    case 'minItems':
      return {
        pointer: e.instancePath,
        part: 'value',
        message: at(`must have at least ${String(params['limit'])} item(s)`),
      };
    case 'maxItems':
      return {
        pointer: e.instancePath,
        part: 'value',
        message: at(`must have at most ${String(params['limit'])} item(s)`),
      };
    case 'uniqueItems': {
      const later = Math.max(Number(params['i']), Number(params['j']));
      const earlier = Math.min(Number(params['i']), Number(params['j']));
      const pointer = `${e.instancePath}/${later}`;
      const item = Array.isArray(e.data) ? (e.data as unknown[])[later] : undefined;
      return {
        pointer,
        part: 'value',
        message: `${pointerToPath(pointer)}: ${item === undefined ? 'this item' : JSON.stringify(item)} is listed twice (also item ${earlier})`,
      };
    }
    case 'propertyNames':
      return {
        pointer: e.instancePath + toPointer([String(params['propertyName'])]),
        part: 'key',
        message: at(`"${String(params['propertyName'])}" is not a valid name`),
      };
    default:
      return { pointer: e.instancePath, part: 'value', message: at(e.message ?? `fails ${e.keyword}`) };
  }
}
