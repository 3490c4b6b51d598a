// A view-independent tree row: the pure models build these, the VS Code views only render them.

/** A place in a source file that a row opens when clicked (1-based line and column). */
export interface SourceLocation {
  path: string;
  line: number;
  column?: number;
}

/** One row of a TrapDebugger tree view. */
export interface TreeNode {
  /** Stable identity within one tree, so expansion state survives refreshes. */
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  /** Name of a VS Code product icon (codicon), e.g. "error". */
  icon?: string;
  location?: SourceLocation;
  children: TreeNode[];
  /** Whether the row starts expanded when it has children. */
  expanded?: boolean;
}

/** Builds the location of a source line, or undefined when the line cannot be opened. */
export function sourceLocation(path: string | undefined, line: number | undefined, column?: number): SourceLocation | undefined {
  if (!path || line === undefined || line <= 0) return undefined;
  const location: SourceLocation = { path, line };
  if (column !== undefined && column > 0) location.column = column;
  return location;
}

/** The last component of a path, for short labels. */
export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  return slash < 0 ? trimmed : trimmed.slice(slash + 1);
}

/** "file.c:12" or "file.c:12:5", or undefined when there is no usable line. */
export function formatSourceLine(source: { name?: string; path?: string } | undefined, line?: number, column?: number): string | undefined {
  const file = source?.name ?? (source?.path ? baseName(source.path) : undefined);
  if (!file || line === undefined || line <= 0) return undefined;
  return column !== undefined && column > 0 ? `${file}:${line}:${column}` : `${file}:${line}`;
}

/** "Category: message", or whichever of the two exists. */
export function formatCheckText(category: string | undefined, message: string | undefined): string | undefined {
  const c = category?.trim();
  const m = message?.trim();
  if (c && m) return `${c}: ${m}`;
  return c || m || undefined;
}

/** "1 check" / "3 checks". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
