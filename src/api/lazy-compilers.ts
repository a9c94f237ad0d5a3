/**
 * Fastify's own schema compilers (Ajv for requests, fast-json-stringify for responses), unchanged, but
 * compiled on a schema's first use and once per schema object: at `ready` Fastify asks for a validator
 * or serializer for every route, part and status (≈ 700 of them, most the same few shared schemas such as
 * `ProblemResponse`, `IdParams`), which cost ≈ 200 ms of every start. A route's first request pays its
 * own compile instead (a few ms), once per process.
 *
 * Guarantees: the functions are exactly what the default compilers return for the same schema and
 * options (same Ajv instance and settings per server, same fast-json-stringify options); a validator's
 * `errors` are those of the compiled function after each call.
 */
import ValidatorSelector from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type ValidatorFactory = ReturnType<typeof ValidatorSelector>;
type SerializerFactory = ReturnType<typeof SerializerSelector>;
type Validate = ((data: unknown) => unknown) & { errors?: unknown };

/** A validator compiler factory that wraps Fastify's default one (@fastify/ajv-compiler). */
export function lazyValidatorFactory(): ValidatorFactory {
  const defaults = ValidatorSelector();
  return ((externalSchemas: unknown, options: unknown) => {
    const compile = (defaults as (...args: unknown[]) => (route: { schema: object }) => Validate)(
      externalSchemas,
      options,
    );
    const compiled = new WeakMap<object, Validate>();
    return (route: { schema: object }) => {
      let real: Validate | undefined;
      const validate: Validate = (data) => {
        if (real === undefined) {
          real = compiled.get(route.schema) ?? compile(route);
          compiled.set(route.schema, real);
        }
        const fn = real;
        const result = fn(data);
        validate.errors = fn.errors;
        if (result instanceof Promise) {
          return result.finally(() => {
            validate.errors = fn.errors;
          });
        }
        return result;
      };
      return validate;
    };
  }) as unknown as ValidatorFactory;
}

/** A serializer compiler factory that wraps Fastify's default one (@fastify/fast-json-stringify-compiler). */
export function lazySerializerFactory(): SerializerFactory {
  const defaults = SerializerSelector();
  return ((externalSchemas: unknown, options: unknown) => {
    const compile = (
      defaults as (...args: unknown[]) => (route: { schema: object }) => (doc: unknown) => string
    )(externalSchemas, options);
    const compiled = new WeakMap<object, (doc: unknown) => string>();
    return (route: { schema: object }) => {
      let real: ((doc: unknown) => string) | undefined;
      return (doc: unknown) => {
        if (real === undefined) {
          real = compiled.get(route.schema) ?? compile(route);
          compiled.set(route.schema, real);
        }
        return real(doc);
      };
    };
  }) as unknown as SerializerFactory;
}
