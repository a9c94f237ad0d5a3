/**
 * `request.log` without a pino child per request: Fastify's default makes `logger.child({ reqId })` for
 * every request (an object, its bindings serialised to JSON), though at `warn` most requests write no
 * line. This logger makes that same child on the first line written or `child` asked for, and answers
 * `level` from the parent (or the route's `logLevel`) until then.
 *
 * Guarantees:
 * - Every line is written by `parent.child(bindings, options)`, the child Fastify's default factory
 *   makes, so lines carry the same request id, serializers, redaction and level.
 * - `level` reads what that child's level would be; setting it makes the child first.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { LogFn } from 'pino';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>;
// Lines are passed on as they came (any of pino's LogFn forms).
type Line = Parameters<LogFn>;

const LINE_METHODS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

class RequestLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildOptions;
  #child: FastifyBaseLogger | undefined;
  // One per level, defined on the prototype below: each passes its line to the child.
  declare fatal: LogFn;
  declare error: LogFn;
  declare warn: LogFn;
  declare info: LogFn;
  declare debug: LogFn;
  declare trace: LogFn;
  declare silent: LogFn;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  /** The pino child Fastify's default factory would have made, made now if it is not yet. */
  logger(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.logger().level = level;
  }

  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.logger().child(bindings, options);
  }
}
for (const method of LINE_METHODS) {
  Object.defineProperty(RequestLogger.prototype, method, {
    value(this: RequestLogger, ...args: Line): void {
      this.logger()[method](...args);
    },
  });
}

/** Fastify's `childLoggerFactory`: the request's logger, its pino child made on first use. */
export function lazyChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildOptions,
): FastifyBaseLogger {
  return new RequestLogger(logger, bindings, options);
}
