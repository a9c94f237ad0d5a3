/**
 * Stands in for @rjsf/validator-ajv8, which @rjsf/core's test helper (getTestRegistry) imports: Studio
 * never calls that helper, and uses components/spec-validator.ts (no eval, CSP-safe) instead.
 */
export default undefined;
