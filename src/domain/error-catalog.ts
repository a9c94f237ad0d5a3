/**
 * The one catalogue of error codes. Every code here is documented in docs/errors.md and every code
 * there is here (a test checks both directions). Codes follow Adobe's `{PREFIX}-{number}-{status}`
 * shape; where Adobe publishes a number for the same situation we reuse it.
 *
 * fault — what went wrong, and so what a flow run does about it (src/flows/retry.ts):
 * - `client`: the caller can fix the request (4xx); a run fails at once;
 * - `source`: the source or the network failed; a run retries with backoff, then fails;
 * - `throttle`: the source asked us to slow down (HTTP 429/503, Retry-After, a cluster starting); a run
 *   waits without using up attempts, up to its throttle budget;
 * - `internal`: a bug or an unavailable dependency of Sluice itself; a run fails at once, with the stack
 *   in the log.
 */
export type Fault = 'client' | 'source' | 'throttle' | 'internal';

export interface ErrorDefinition {
  readonly status: number;
  readonly title: string;
  readonly fault: Fault;
}

const client = (status: number, title: string): ErrorDefinition => ({ status, title, fault: 'client' });
const source = (status: number, title: string): ErrorDefinition => ({ status, title, fault: 'source' });
const throttle = (status: number, title: string): ErrorDefinition => ({ status, title, fault: 'throttle' });
const internal = (status: number, title: string): ErrorDefinition => ({ status, title, fault: 'internal' });

export const errorCatalog = {
  // Gateway: identity headers, checked before any service logic (Adobe's gateway numbers).
  'GATEWAY-403010-403': client(403, 'Oauth token is missing'),
  'GATEWAY-401013-401': client(401, 'Oauth token is not valid'),
  'GATEWAY-403000-403': client(403, 'Api Key is required'),
  'GATEWAY-403003-403': client(403, 'Api Key is invalid'),
  'GATEWAY-400003-400': client(400, 'Missing header'),
  'GATEWAY-403025-403': client(403, 'Profile is not valid'),
  'GATEWAY-400100-400': client(400, 'A valid content-type must be specified'),

  // Tenancy and permissions.
  'FLOW-2105-400': client(400, 'Sandbox header missing'),
  'FLOW-2100-404': client(404, 'Sandbox not found'),
  'FLOW-2118-403': client(403, 'Forbidden'),

  // Requests: bodies, query strings, routes.
  'FLOW-1405-400': client(400, 'Request body missing'),
  'FLOW-1406-400': client(400, 'Malformed JSON'),
  'FLOW-1407-400': client(400, 'Invalid request'),
  'FLOW-1408-413': client(413, 'Request body too large'),
  'FLOW-1409-404': client(404, 'Route not found'),
  'FLOW-1411-405': client(405, 'Method not allowed'),
  'FLOW-1439-404': client(404, 'Resource not found'),
  'FLOW-1410-400': client(400, 'Read-only field in request'),
  'FLOW-1368-400': client(400, 'Invalid mode'),

  // Listing: paging, ordering, filtering.
  'FLOW-1401-400': client(400, 'Invalid query parameters'),
  'FLOW-1402-400': client(400, 'Invalid limit'),
  'FLOW-1420-400': client(400, 'Invalid continuation token'),
  'FLOW-1432-400': client(400, 'Invalid orderby'),
  'FLOW-1433-400': client(400, 'Unsupported orderby field'),
  'FLOW-1440-400': client(400, 'Operator not implemented'),
  'FLOW-1443-400': client(400, 'Multiple values not allowed'),
  'FLOW-1449-400': client(400, 'Unknown filter field'),
  'FLOW-1450-400': client(400, 'Invalid property filter'),
  'FLOW-1451-400': client(400, 'Unknown query parameter'),
  'FLOW-1452-400': client(400, 'Invalid filter value'),
  'FLOW-1453-400': client(400, 'Empty filter value'),

  // Updates: JSON Patch and optimistic concurrency.
  'FLOW-1403-400': client(400, 'If-Match header missing'),
  'FLOW-1404-412': client(412, 'Precondition failed'),
  'FLOW-1434-400': client(400, 'Unsupported patch operation'),
  'FLOW-1435-400': client(400, 'Invalid patch document'),
  'FLOW-1365-400': client(400, 'Path cannot be updated'),
  'FLOW-1455-400': client(400, 'Missing field'),
  'FLOW-1416-400': client(400, 'Invalid state for operation'),
  'FLOW-1421-400': client(400, 'Unsupported action'),

  // Connection specs and base connections.
  'FLOW-1413-400': client(400, 'Invalid connection spec'),
  'FLOW-1414-400': client(400, 'Connection spec is immutable'),
  'FLOW-1415-400': client(400, 'Auth spec not found'),
  'FLOW-1430-400': client(400, 'Draft mode not supported'),
  'CONNECTOR-1304-400': client(400, 'Mandatory field missing'),
  'CONNECTOR-1312-400': client(400, 'Invalid field value'),
  'CONNECTOR-1308-400': client(400, 'Connection verification failed'),
  'CONNECTOR-1309-400': client(400, 'Outbound connection not allowed'),

  // Explore and preview.
  'CONNECTOR-1336-400': client(400, 'Explore not supported'),
  'CONNECTOR-1337-400': client(400, 'Missing explore parameter'),
  'CONNECTOR-1358-400': client(400, 'Invalid objectType'),
  'CONNECTOR-1340-404': client(404, 'Table not found'),
  'CONNECTOR-1341-400': client(400, 'Invalid preview count'),
  'CONNECTOR-1349-400': client(400, 'Invalid filter'),
  'CONNECTOR-1377-400': client(400, 'Unknown filter column'),
  'CONNECTOR-1378-400': client(400, 'Filter type mismatch'),
  'CONNECTOR-1389-400': client(400, 'Invalid filter encoding'),
  'CONNECTOR-1390-400': client(400, 'Invalid NOT filter'),
  'CONNECTOR-1502-502': source(502, 'Source error'),
  'CONNECTOR-1503-503': throttle(503, 'Source unavailable'),
  'CONNECTOR-1504-504': source(504, 'Source timeout'),
  // Source and target connections, flow specs and flows.
  'FLOW-1306-400': client(400, 'Connection spec mismatch'),
  'FLOW-1307-400': client(400, 'Invalid target connection spec'),
  'FLOW-1320-400': client(400, 'One source connection required'),
  'FLOW-1321-400': client(400, 'One target connection required'),
  'FLOW-1325-400': client(400, 'Dataset id required'),
  'FLOW-1338-400': client(400, 'Referenced entity not found'),
  'FLOW-1339-400': client(400, 'Connection spec not allowed by flow spec'),
  'FLOW-1418-400': client(400, 'Base connection in use'),
  'FLOW-1412-400': client(400, 'Invalid mapping version'),
  'FLOW-1419-400': client(400, 'Mapping invalid'),
  'FLOW-1422-400': client(400, 'Invalid flow state transition'),
  'FLOW-1423-400': client(400, 'Invalid flow spec'),
  'FLOW-1447-400': client(400, 'Entity in use by flows'),
  'CONNECTOR-1327-400': client(400, 'Unsupported data format'),
  'CONNECTOR-1344-400': client(400, 'Unknown source table'),
  'CONNECTOR-1345-400': client(400, 'Unknown source column'),
  'CONNECTOR-1346-400': client(400, 'Incompatible source column type'),
  'CONNECTOR-1360-400': client(400, 'Invalid start time'),
  'CONNECTOR-1361-400': client(400, 'Interval not allowed with once'),
  'CONNECTOR-1362-400': client(400, 'Interval required'),
  'CONNECTOR-1363-400': client(400, 'Interval too small'),
  'CONNECTOR-1364-400': client(400, 'Backfill not allowed with once'),
  'CONNECTOR-1365-400': client(400, 'Invalid frequency'),
  'CONNECTOR-1366-400': client(400, 'Start time cannot change'),
  'CONNECTOR-1367-400': client(400, 'Delta column required'),
  'CONNECTOR-1369-400': client(400, 'Copy not allowed with once'),
  'CONNECTOR-1370-400': client(400, 'Invalid delta column'),
  'CONNECTOR-1403-400': client(400, 'Cannot switch to once'),
  'CONNECTOR-1404-400': client(400, 'Backfill cannot change'),

  // Datasets and lake queries (Catalog-shaped API, `sluice query`).
  'CATALOG-1001-400': client(400, 'Invalid dataset'),
  'CATALOG-1002-409': client(409, 'Dataset name already exists'),
  'LAKE-1001-400': client(400, 'Query refused'),
  'LAKE-1002-400': client(400, 'Query failed'),
  'LAKE-1003-400': client(400, 'Query timed out'),

  // Runs.
  'FLOW-1386-400': client(400, 'On-demand runs need a once flow'),
  'FLOW-1387-400': client(400, 'Run cannot be re-triggered'),
  'FLOW-1388-400': client(400, 'Flow not enabled'),
  'CONNECTOR-1381-400': client(400, 'Window end before start'),
  'CONNECTOR-1382-400': client(400, 'Delta column differs'),
  'CONNECTOR-1383-400': client(400, 'Delta column missing'),
  'CONNECTOR-1384-400': client(400, 'Invalid run parameters'),
  // Runs and the run queue (on-demand runs queue behind the flow's current run).
  'FLOW-1391-409': client(409, 'Run window overlaps a pending run'),
  'FLOW-1392-409': client(409, 'Flow has an active run'),
  'FLOW-1393-409': client(409, 'Run already ended'),
  'FLOW-1394-400': client(400, 'Next window is empty'),
  'CONNECTOR-1001-500': source(500, 'Error copying data from the source'),
  'CONNECTOR-2001-500': internal(500, 'Error processing copied data'),

  // Schema Registry subset and datasets from a schemaRef (issue 12).
  'XDM-1001-400': client(400, 'Invalid schema'),
  'XDM-1002-409': client(409, 'Schema title already exists'),
  'XDM-1003-400': client(400, 'Unsupported schema reference'),
  'XDM-1004-406': client(406, 'Unsupported Accept header'),
  'CATALOG-1003-400': client(400, 'Schema not found'),
  // Hardening (issue 10): the request edge, one set of document limits, abuse, and the lake's integrity.
  'FLOW-1480-400': client(400, 'Forbidden character'),
  'FLOW-1481-400': client(400, 'Value too long'),
  'FLOW-1482-400': client(400, 'Document too deep'),
  'FLOW-1483-413': client(413, 'Document too large'),
  'FLOW-1484-400': client(400, 'Invalid URL encoding'),
  'FLOW-1485-414': client(414, 'URI too long'),
  'FLOW-1486-431': client(431, 'Request headers too large'),
  'FLOW-1487-400': client(400, 'Malformed request'),
  'FLOW-1488-408': client(408, 'Request timeout'),
  'FLOW-1489-429': client(429, 'Too many failed authentications'),
  'CONNECTOR-1318-400': client(400, 'Undeclared field'),
  'LAKE-1101-500': internal(500, 'Dataset file damaged'),
  // Sluice Studio's additions (issue 11): failed-records download (Data Access API).
  'EXPORT-1001-404': client(404, 'No failed records'),
  'EXPORT-1002-400': client(400, 'Invalid file path'),
  // The CLI against a remote Sluice (issue 12): what goes wrong on the client's side of the wire.
  'CLI-1001-503': source(503, 'Sluice server unreachable'),
  'CLI-1002-502': source(502, 'Not a Sluice answer'),
  'CLI-1003-400': client(400, 'Command is local-only'),
  'CLI-1004-400': client(400, 'Remote credentials incomplete'),
  'CLI-1005-403': client(403, 'Profile file not private'),

  // Sluice itself.
  'FLOW-1102-500': internal(500, 'Internal server error'),
  'FLOW-1103-503': internal(503, 'Service unavailable'),
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof errorCatalog;

export const errorCodes = Object.keys(errorCatalog) as ErrorCode[];
