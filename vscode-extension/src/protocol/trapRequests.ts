// Shapes of the adapter's custom requests `trapSites` and `trapOrigins`, and of `trapdbg traps --json`.
// The adapter sends JSON; these readers check it before the views trust it, so a malformed
// reply becomes one clear error instead of an exception deep inside a tree view.

/** A DAP Source as far as the views need it. */
export interface DapSource {
  name?: string;
  path?: string;
}

/** One source-level check that branches to a trap instruction. */
export interface TrapCheckInfo {
  address: string;
  source?: DapSource;
  line?: number;
  column?: number;
  category?: string;
  message?: string;
  messageSource: string;
  inlinedFrom?: string;
}

/** One trap instruction in a module, with the checks that lead to it. */
export interface TrapSiteInfo {
  address: string;
  module: string;
  function: string;
  kind: 'ud2' | 'ud1' | 'int3';
  category?: string;
  message?: string;
  messageSource: 'dwarf' | 'recovered' | 'ubsanCheck' | 'none';
  merged: boolean;
  checkCount: number;
  source?: DapSource;
  line?: number;
  checks: TrapCheckInfo[];
}

/** Arguments of the `trapSites` request. */
export interface TrapSitesArguments {
  module?: string;
  program?: string;
}

/** Arguments of the `trapOrigins` request. */
export interface TrapOriginsArguments {
  threadId?: number;
}

/** Whether the condition of a candidate check is true with the registers at the stop. */
export type OriginCondition = 'holds' | 'doesNotHold' | 'unknown';

/** One ranked candidate for the check that fired. */
export interface TrapOriginInfo {
  rank: number;
  address: string;
  source?: DapSource;
  line?: number;
  column?: number;
  category?: string;
  message?: string;
  messageSource: string;
  condition: OriginCondition;
  evidence?: string;
  inlinedFrom?: string;
}

/** Body of the `trapOrigins` response. */
export interface TrapOriginsBody {
  kind: string;
  description: string;
  origins: TrapOriginInfo[];
}

/** Thrown when a reply does not have the documented shape. */
export class TrapReplyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrapReplyFormatError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(where: string, what: string): never {
  throw new TrapReplyFormatError(`${where}: ${what}.`);
}

function requiredString(o: Json, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string') fail(where, `"${key}" must be a string`);
  return v;
}

function optionalString(o: Json, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(where, `"${key}" must be a string`);
  return v;
}

function optionalNumber(o: Json, key: string, where: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, `"${key}" must be a number`);
  return v;
}

function optionalSource(o: Json, where: string): DapSource | undefined {
  const v = o['source'];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) fail(where, '"source" must be an object');
  const source: DapSource = {};
  const name = optionalString(v, 'name', `${where}.source`);
  const path = optionalString(v, 'path', `${where}.source`);
  if (name !== undefined) source.name = name;
  if (path !== undefined) source.path = path;
  return source;
}

function assignDefined<T extends object>(target: T, values: Partial<T>): T {
  for (const [k, v] of Object.entries(values)) {
    if (v !== undefined) (target as Record<string, unknown>)[k] = v;
  }
  return target;
}

function readCheck(value: unknown, where: string): TrapCheckInfo {
  if (!isObject(value)) fail(where, 'must be an object');
  const check: TrapCheckInfo = {
    address: requiredString(value, 'address', where),
    messageSource: optionalString(value, 'messageSource', where) ?? 'none',
  };
  return assignDefined(check, {
    source: optionalSource(value, where),
    line: optionalNumber(value, 'line', where),
    column: optionalNumber(value, 'column', where),
    category: optionalString(value, 'category', where),
    message: optionalString(value, 'message', where),
    inlinedFrom: optionalString(value, 'inlinedFrom', where),
  });
}

const siteKinds = new Set(['ud2', 'ud1', 'int3']);
const messageSources = new Set(['dwarf', 'recovered', 'ubsanCheck', 'none']);

function readSite(value: unknown, where: string): TrapSiteInfo {
  if (!isObject(value)) fail(where, 'must be an object');
  const kind = requiredString(value, 'kind', where);
  if (!siteKinds.has(kind)) fail(where, `"kind" must be ud2, ud1 or int3, not "${kind}"`);
  const messageSource = optionalString(value, 'messageSource', where) ?? 'none';
  if (!messageSources.has(messageSource)) fail(where, `"messageSource" must be dwarf, recovered, ubsanCheck or none, not "${messageSource}"`);
  const rawChecks = value['checks'] ?? [];
  if (!Array.isArray(rawChecks)) fail(where, '"checks" must be an array');
  const checks = rawChecks.map((c, i) => readCheck(c, `${where}.checks[${i}]`));
  const merged = value['merged'];
  if (merged !== undefined && typeof merged !== 'boolean') fail(where, '"merged" must be a boolean');
  const site: TrapSiteInfo = {
    address: requiredString(value, 'address', where),
    module: requiredString(value, 'module', where),
    function: optionalString(value, 'function', where) ?? '',
    kind: kind as TrapSiteInfo['kind'],
    messageSource: messageSource as TrapSiteInfo['messageSource'],
    merged: merged ?? false,
    checkCount: optionalNumber(value, 'checkCount', where) ?? checks.length,
    checks,
  };
  return assignDefined(site, {
    category: optionalString(value, 'category', where),
    message: optionalString(value, 'message', where),
    source: optionalSource(value, where),
    line: optionalNumber(value, 'line', where),
  });
}

/** Reads the body of a `trapSites` response or the output of `trapdbg traps --json`. */
export function readTrapSitesBody(body: unknown): TrapSiteInfo[] {
  if (!isObject(body)) fail('trapSites reply', 'the body must be an object');
  const sites = body['sites'];
  if (!Array.isArray(sites)) fail('trapSites reply', '"sites" must be an array');
  return sites.map((s, i) => readSite(s, `trapSites reply: sites[${i}]`));
}

const conditions = new Set(['holds', 'doesNotHold', 'unknown']);

function readOrigin(value: unknown, where: string): TrapOriginInfo {
  if (!isObject(value)) fail(where, 'must be an object');
  const rank = optionalNumber(value, 'rank', where);
  if (rank === undefined) fail(where, '"rank" must be a number');
  const condition = optionalString(value, 'condition', where) ?? 'unknown';
  if (!conditions.has(condition)) fail(where, `"condition" must be holds, doesNotHold or unknown, not "${condition}"`);
  const origin: TrapOriginInfo = {
    rank,
    address: requiredString(value, 'address', where),
    messageSource: optionalString(value, 'messageSource', where) ?? 'none',
    condition: condition as OriginCondition,
  };
  return assignDefined(origin, {
    source: optionalSource(value, where),
    line: optionalNumber(value, 'line', where),
    column: optionalNumber(value, 'column', where),
    category: optionalString(value, 'category', where),
    message: optionalString(value, 'message', where),
    evidence: optionalString(value, 'evidence', where),
    inlinedFrom: optionalString(value, 'inlinedFrom', where),
  });
}

/** Reads the body of a `trapOrigins` response. */
export function readTrapOriginsBody(body: unknown): TrapOriginsBody {
  if (!isObject(body)) fail('trapOrigins reply', 'the body must be an object');
  const origins = body['origins'] ?? [];
  if (!Array.isArray(origins)) fail('trapOrigins reply', '"origins" must be an array');
  return {
    kind: optionalString(body, 'kind', 'trapOrigins reply') ?? '',
    description: optionalString(body, 'description', 'trapOrigins reply') ?? '',
    origins: origins.map((o, i) => readOrigin(o, `trapOrigins reply: origins[${i}]`)),
  };
}
