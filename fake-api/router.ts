/**
 * Path patterns like `/v2/databases/{database_cluster_id}/users` → targets. Literal segments win over
 * placeholders (`/v2/databases/metrics/credentials` is not cluster "metrics"'s `credentials`).
 */

type Segment = { literal: string } | { param: string };

interface Compiled<T> {
  segments: Segment[];
  literals: number;
  target: T;
}

export interface RouteMatch<T> {
  target: T;
  params: Record<string, string>;
}

export class Router<T> {
  private routes: Compiled<T>[] = [];

  add(pattern: string, target: T): this {
    const segments: Segment[] = pattern.split('/').slice(1).map((s) => {
      const m = /^\{(\w+)\}$/.exec(s);
      return m ? { param: m[1] } : { literal: s };
    });
    this.routes.push({ segments, literals: segments.filter((s) => 'literal' in s).length, target });
    // Stable sort: among equally specific patterns, the first added wins.
    this.routes.sort((a, b) => b.literals - a.literals);
    return this;
  }

  match(pathname: string): RouteMatch<T> | undefined {
    const parts = pathname.split('/').slice(1);
    for (const route of this.routes) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let k = 0; k < parts.length && ok; k++) {
        const seg = route.segments[k];
        if ('literal' in seg) ok = seg.literal === parts[k];
        else {
          const value = decode(parts[k]);
          ok = value !== undefined && value !== '';
          if (ok) params[seg.param] = value as string;
        }
      }
      if (ok) return { target: route.target, params };
    }
    return undefined;
  }
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
