// Formats the ranked origins of a trap stop for the Trap Origins view.
import type { OriginCondition, TrapOriginInfo, TrapOriginsBody } from '../protocol/trapRequests';
import { formatCheckText, formatSourceLine, sourceLocation, type TreeNode } from '../views/treeNode';

/** The Trap Origins view's content: a headline and one row per origin, best first. */
export interface TrapOriginList {
  headline: string;
  nodes: TreeNode[];
}

/** Words for a check's condition as evaluated with the registers at the stop. */
export function conditionText(condition: OriginCondition): string {
  switch (condition) {
    case 'holds':
      return 'condition holds';
    case 'doesNotHold':
      return 'condition does not hold';
    default:
      return 'condition unknown';
  }
}

function conditionIcon(condition: OriginCondition): string {
  return condition === 'holds' ? 'error' : condition === 'doesNotHold' ? 'pass' : 'question';
}

/** The label of an origin: its rank and check text. */
export function originLabel(origin: TrapOriginInfo): string {
  return `${origin.rank}. ${formatCheckText(origin.category, origin.message) ?? `Check at ${origin.address}`}`;
}

/** The description of an origin: source line and condition. */
export function originDescription(origin: TrapOriginInfo): string {
  const parts: string[] = [];
  const line = formatSourceLine(origin.source, origin.line, origin.column);
  if (line) parts.push(line);
  parts.push(conditionText(origin.condition));
  return parts.join(' · ');
}

function detailNode(parentId: string, key: string, label: string, icon: string): TreeNode {
  return { id: `${parentId}/${key}`, label, icon, children: [] };
}

function originNode(origin: TrapOriginInfo, index: number): TreeNode {
  const id = `origin:${index}:${origin.address}`;
  const children: TreeNode[] = [];
  if (origin.evidence) children.push(detailNode(id, 'evidence', `Evidence: ${origin.evidence}`, 'info'));
  children.push(detailNode(id, 'condition', `Condition: ${conditionText(origin.condition).replace(/^condition /, '')}`, conditionIcon(origin.condition)));
  if (origin.inlinedFrom) children.push(detailNode(id, 'inlined', `Inlined from ${origin.inlinedFrom}`, 'symbol-function'));
  children.push(detailNode(id, 'address', `Branch at ${origin.address}`, 'symbol-number'));
  const node: TreeNode = {
    id,
    label: originLabel(origin),
    description: originDescription(origin),
    tooltip: [
      originLabel(origin),
      ...(origin.source?.path && origin.line ? [`${origin.source.path}:${origin.line}`] : []),
      conditionText(origin.condition),
      ...(origin.evidence ? [`Evidence: ${origin.evidence}`] : []),
    ].join('\n'),
    icon: conditionIcon(origin.condition),
    children,
    expanded: index === 0,
  };
  const location = sourceLocation(origin.source?.path, origin.line, origin.column);
  if (location) node.location = location;
  return node;
}

/** Builds the Trap Origins view's content from a `trapOrigins` response body. */
export function buildTrapOriginList(body: TrapOriginsBody): TrapOriginList {
  const origins = [...body.origins].sort((a, b) => a.rank - b.rank);
  const headline = [body.kind, body.description].filter((s) => s.trim() !== '').join(': ');
  const nodes = origins.map(originNode);
  if (nodes.length === 0) {
    nodes.push({ id: 'origin:none', label: 'No candidate checks were found for this stop.', icon: 'info', children: [] });
  }
  return { headline, nodes };
}
