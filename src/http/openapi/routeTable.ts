import type { Router } from 'express';

/** The parts of Express 5's router layers (the `router` package) read here. */
interface LayerView {
  route?: { path: unknown; stack: Array<{ method?: string; handle: unknown }> };
  handle: unknown;
  /** Mounted with `use()` at the root (`use(subRouter)`). */
  slash?: boolean;
  /** The path it was mounted at (router ≥ 2.3). */
  rawPath?: unknown;
}

/** One method and path as registered on a router, with its handlers in order. */
export interface RegisteredRoute {
  method: string;
  /** Express syntax: `/tenants/:tenant/members`. */
  path: string;
  handlers: unknown[];
}

const stackOf = (handle: unknown): LayerView[] | null => {
  if (typeof handle !== 'function' || !('stack' in handle) || !Array.isArray(handle.stack)) return null;
  return handle.stack as LayerView[];
};

/**
 * Every route registered on a router and on the routers it mounts, in
 * registration order, as Express will route them. Plain middleware (auth,
 * body parsing) is not a route and is left out.
 */
export function registeredRoutes(router: Router, prefix = ''): RegisteredRoute[] {
  const out: RegisteredRoute[] = [];
  for (const layer of router.stack as unknown as LayerView[]) {
    if (layer.route) {
      if (typeof layer.route.path !== 'string') throw new Error(`route paths are strings here, not ${String(layer.route.path)}`);
      const byMethod = new Map<string, unknown[]>();
      for (const l of layer.route.stack) {
        if (l.method) byMethod.set(l.method.toUpperCase(), [...(byMethod.get(l.method.toUpperCase()) ?? []), l.handle]);
      }
      for (const [method, handlers] of byMethod) out.push({ method, path: `${prefix}${layer.route.path}`, handlers });
      continue;
    }
    const sub = stackOf(layer.handle);
    if (!sub) continue;
    const mount = layer.slash ? '' : layer.rawPath;
    if (typeof mount !== 'string') throw new Error('sub-routers are mounted at a string path');
    out.push(...registeredRoutes(layer.handle as Router, `${prefix}${mount}`));
  }
  return out;
}
