/** The catalog documents that are not connectors: the data-lake target spec and the flow specs. */
import type { ConnectionSpec, FlowSpec } from '../domain/specs.ts';
import crmToAep from './specs/crm-to-aep.json' with { type: 'json' };
import dataLake from './specs/data-lake.json' with { type: 'json' };

export const dataLakeSpec = dataLake as unknown as ConnectionSpec;
export const flowSpecs: readonly FlowSpec[] = [crmToAep];
