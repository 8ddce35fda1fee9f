/**
 * ROS 2 name resolution for the embedded bus: absolute names stay, relative
 * names get the node's namespace, `~/x` is private to the node.
 */
export function resolveName(name: string, namespace: string, nodeName: string): string {
  if (name.length === 0) throw new Error('empty topic or service name');
  if (!/^[~/A-Za-z_][A-Za-z0-9_/]*$/.test(name) || name.includes('//') || (name.length > 1 && name.endsWith('/'))) {
    throw new Error(`invalid ROS name '${name}'`);
  }
  const ns = namespace === '/' || namespace === '' ? '' : `/${namespace.replace(/^\/+|\/+$/g, '')}`;
  if (name.startsWith('/')) return name;
  if (name.startsWith('~')) return `${ns}/${nodeName}${name.slice(1).startsWith('/') ? name.slice(1) : `/${name.slice(1)}`}`.replace(/\/$/, '');
  return `${ns}/${name}`;
}
