// Writes the kael schemas' compiled validators (ajv standalone code) beside the compiled
// schema-validation.js; `npm run build` runs it after tsc.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../runtime/dist/config');
const { SCHEMAS, VALIDATOR_MODULE } = require(path.join(dist, 'schema-validation.js'));
const { validatorModuleCode } = require(path.join(dist, 'validator-code.js'));
writeFileSync(path.join(dist, VALIDATOR_MODULE), validatorModuleCode(SCHEMAS));
