// Groups trap sites per module and per function for the Trap Sites view.
import type { TrapCheckInfo, TrapSiteInfo } from '../protocol/trapRequests';
import { baseName, formatCheckText, formatSourceLine, plural, sourceLocation, type TreeNode } from '../views/treeNode';

/** Parses a "0x..." address for ordering; unparsable addresses sort last. */
export function addressValue(address: string): bigint {
  try {
    return BigInt(address.startsWith('0x') || address.startsWith('0X') ? address : `0x${address}`);
  } catch {
    return BigInt('0xffffffffffffffffff');
  }
}

function compareAddresses(a: string, b: string): number {
  const x = addressValue(a);
  const y = addressValue(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const messageSourceNames: Record<string, string> = {
  dwarf: 'from the debug information',
  recovered: 'recovered from the source line',
  ubsanCheck: 'the UBSan check its ud1 encodes',
  none: 'no message',
};

/** The label of a site: its check text, else a description of the bare trap instruction. */
export function siteLabel(site: TrapSiteInfo): string {
  const text = formatCheckText(site.category, site.message);
  if (text) return text;
  if (site.merged) return `Merged trap (${plural(site.checkCount, 'check')})`;
  return site.kind === 'int3' ? 'int3 breakpoint trap' : `${site.kind} trap`;
}

/** The description of a site: source line and the number of checks merged into it. */
export function siteDescription(site: TrapSiteInfo): string {
  const parts: string[] = [];
  const line = formatSourceLine(site.source, site.line);
  if (line) parts.push(line);
  if (site.merged || site.checkCount > 1) parts.push(`${plural(site.checkCount, 'check')} merged`);
  parts.push(site.kind);
  return parts.join(' · ');
}

function siteTooltip(site: TrapSiteInfo): string {
  const lines = [
    siteLabel(site),
    `${site.kind} at ${site.address} in ${site.function || 'an unknown function'}`,
    `Module: ${site.module}`,
  ];
  const where = site.source?.path ?? site.source?.name;
  if (where && site.line) lines.push(`Source: ${where}:${site.line}`);
  lines.push(`Message: ${messageSourceNames[site.messageSource] ?? site.messageSource}`);
  if (site.merged || site.checkCount > 1) lines.push(`${plural(site.checkCount, 'check')} branch to this trap`);
  return lines.join('\n');
}

function checkNode(check: TrapCheckInfo, siteId: string, index: number): TreeNode {
  const parts: string[] = [];
  const line = formatSourceLine(check.source, check.line, check.column);
  if (line) parts.push(line);
  if (check.inlinedFrom) parts.push(`inlined from ${check.inlinedFrom}`);
  const node: TreeNode = {
    id: `${siteId}/check:${index}:${check.address}`,
    label: formatCheckText(check.category, check.message) ?? `Check at ${check.address}`,
    description: parts.join(' · '),
    tooltip: [
      `Branch at ${check.address}`,
      `Message: ${messageSourceNames[check.messageSource] ?? check.messageSource}`,
      ...(check.inlinedFrom ? [`Inlined from ${check.inlinedFrom}`] : []),
    ].join('\n'),
    icon: 'debug-breakpoint-conditional-unverified',
    children: [],
  };
  const location = sourceLocation(check.source?.path, check.line, check.column);
  if (location) node.location = location;
  return node;
}

function siteNode(site: TrapSiteInfo, functionId: string): TreeNode {
  const id = `${functionId}/site:${site.address}`;
  const children = site.checks.length > 1 || site.merged ? site.checks.map((c, i) => checkNode(c, id, i)) : [];
  const node: TreeNode = {
    id,
    label: siteLabel(site),
    description: siteDescription(site),
    tooltip: siteTooltip(site),
    icon: site.merged ? 'combine' : 'debug-stackframe-dot',
    children,
  };
  // A merged trap often sits on line 0; its first check with a line is where the user wants to go.
  const location =
    sourceLocation(site.source?.path, site.line) ??
    site.checks.map((c) => sourceLocation(c.source?.path, c.line, c.column)).find((l) => l !== undefined);
  if (location) node.location = location;
  return node;
}

/** Builds the Trap Sites tree: module → function → site → merged checks. */
export function buildTrapSiteTree(sites: readonly TrapSiteInfo[]): TreeNode[] {
  const modules = new Map<string, Map<string, TrapSiteInfo[]>>();
  for (const site of sites) {
    let functions = modules.get(site.module);
    if (!functions) modules.set(site.module, (functions = new Map()));
    let list = functions.get(site.function);
    if (!list) functions.set(site.function, (list = []));
    list.push(site);
  }
  const tree: TreeNode[] = [];
  for (const [module, functions] of modules) {
    const moduleId = `module:${module}`;
    const functionNodes: TreeNode[] = [];
    let siteCount = 0;
    const names = [...functions.keys()].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
    for (const name of names) {
      const list = [...(functions.get(name) ?? [])].sort((a, b) => compareAddresses(a.address, b.address));
      siteCount += list.length;
      const functionId = `${moduleId}/function:${name}`;
      functionNodes.push({
        id: functionId,
        label: name || '<unknown function>',
        description: plural(list.length, 'trap site'),
        tooltip: `${name || 'Unknown function'} in ${module}`,
        icon: 'symbol-function',
        children: list.map((s) => siteNode(s, functionId)),
      });
    }
    tree.push({
      id: moduleId,
      label: baseName(module) || module,
      description: `${plural(siteCount, 'trap site')} in ${plural(functionNodes.length, 'function')}`,
      tooltip: module,
      icon: 'file-binary',
      children: functionNodes,
      expanded: true,
    });
  }
  return tree;
}
