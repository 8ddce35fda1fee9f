/**
 * The few POSIX path operations the URDF reader needs to resolve mesh file
 * names, as pure string functions (the core imports no platform module).
 */

export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/');
}

/** Collapses `.`, `..` and repeated slashes; keeps a leading slash; '' → '.'. */
export function normalizePath(p: string): string {
  const absolute = isAbsolutePath(p);
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(part);
  }
  const body = out.join('/');
  if (absolute) return `/${body}`;
  return body === '' ? '.' : body;
}

export function joinPath(...parts: string[]): string {
  return normalizePath(parts.filter((s) => s !== '').join('/'));
}

export function dirnamePath(p: string): string {
  const n = normalizePath(p);
  const i = n.lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : n.slice(0, i);
}
