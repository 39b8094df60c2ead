/** Depth and member count of a parsed JSON value, measured without recursion (a deep value cannot overflow the stack here). */
export function measureJson(value: unknown, stopAtDepth = Infinity): { depth: number; nodes: number } {
  let depth = 0;
  let nodes = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    nodes++;
    if (d > depth) depth = d;
    if (depth > stopAtDepth) break;
    if (v !== null && typeof v === 'object') {
      for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
    }
  }
  return { depth, nodes };
}
