import type { ValidateFunction } from 'ajv';
import type { ConsumeMessage } from 'amqplib';
import { decodeBody } from '../codec/codec.js';
import { explainErrors, compileUserSchema } from '../config/schema-validation.js';
import { KaelError } from '../errors.js';
import { takesKeywordArguments } from '../packages/service-module.js';
import type { LoadedService, PublishedFunction } from '../packages/service-module.js';
import type { ReplyEnvelope } from './envelope.js';
import { failure } from './envelope.js';
import { hasKeys } from '../util/has-keys.js';

/** A decoded call: positional arguments and keyword arguments (the seed's `[args, kwargs]`). */
export interface CallRequest {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/**
 * Reads `[args, kwargs]` (kwargs may be omitted) from a request body.
 * @throws KaelError `DECODE_ERROR` when the body is not in that shape.
 */
export function readCallRequest(msg: ConsumeMessage): CallRequest {
  const body = decodeBody(msg.content, msg.properties.contentType as string | undefined);
  if (!Array.isArray(body) || body.length < 1 || body.length > 2 || !Array.isArray(body[0])) {
    throw new KaelError('DECODE_ERROR', 'request body must be [args, kwargs] with args an array');
  }
  const kwargs: unknown = body[1] ?? {};
  if (kwargs === null || typeof kwargs !== 'object' || Array.isArray(kwargs)) {
    throw new KaelError('DECODE_ERROR', 'request body must be [args, kwargs] with kwargs a map');
  }
  return { args: body[0] as unknown[], kwargs: kwargs as Record<string, unknown> };
}

/** One microservice as a worker serves it: the function and its optional argument schema. */
export class ServiceEndpoint {
  private readonly validateArgs: ValidateFunction | undefined;

  constructor(
    /** `<service_base_name>__<function>`. */
    readonly name: string,
    private readonly fn: PublishedFunction,
    argsSchema: object | boolean | undefined,
  ) {
    this.validateArgs = argsSchema === undefined ? undefined : compileUserSchema(argsSchema);
  }

  /**
   * Runs one call. Keyword arguments, when any, are passed as one extra last argument (an object),
   * so `def f(a, b, scale=1)` in the seed maps to `f(a, b, { scale })` in JavaScript (Python
   * functions get them as keyword arguments). Synchronous
   * functions give their envelope at once; async ones a promise of it.
   */
  invoke(request: CallRequest): ReplyEnvelope | Promise<ReplyEnvelope> {
    if (this.validateArgs !== undefined && !this.validateArgs(request.args)) {
      const why = explainErrors(this.validateArgs.errors ?? [])
        .map((v) => v.message.replace(/^\[(\d+)\]/, 'args[$1]'))
        .join('; ');
      return failure(
        new KaelError('INVALID_ARGS', `${this.name}: ${why || 'arguments do not match the schema'}`),
      );
    }
    const fn = this.fn;
    let value: unknown;
    try {
      if (takesKeywordArguments(fn)) value = fn(request.args, request.kwargs);
      else value = fn(...(hasKeys(request.kwargs) ? [...request.args, request.kwargs] : request.args));
    } catch (e) {
      return failure(e);
    }
    // A synchronous function is answered without a trip through the microtask queue.
    if (!(value instanceof Promise)) return { ok: true, value };
    return value.then(
      (v: unknown): ReplyEnvelope => ({ ok: true, value: v }),
      (e: unknown) => failure(e),
    );
  }
}

/** The endpoints of loaded service packages, by microservice name. */
export function endpointsOf(services: readonly LoadedService[]): ServiceEndpoint[] {
  const out: ServiceEndpoint[] = [];
  for (const s of services) {
    for (const [name, fn] of s.functions) {
      const fnName = name.slice(s.setting.name.length + 2);
      out.push(new ServiceEndpoint(name, fn, s.setting.args[fnName]));
    }
  }
  return out;
}
