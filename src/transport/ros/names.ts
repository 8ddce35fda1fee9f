/**
 * ROS 2 name rules (rmw_validate_node_name, rmw_validate_namespace,
 * rcl_validate_topic_name) checked before a name reaches rclnodejs, so a bad
 * name fails at construction with the rule it broke.
 */

export type NameCheck = { ok: true } | { ok: false; reason: string };

const OK: NameCheck = { ok: true };
const fail = (reason: string): NameCheck => ({ ok: false, reason });

/** Node names: letters, digits and `_`, not starting with a digit, at most 255 characters. */
export function checkNodeName(name: string): NameCheck {
  if (name.length === 0) return fail('a node name must not be empty');
  if (name.length > 255) return fail(`node name '${name}' is longer than 255 characters`);
  if (!/^[A-Za-z0-9_]+$/.test(name)) return fail(`node name '${name}' may only contain letters, digits and '_'`);
  if (/^[0-9]/.test(name)) return fail(`node name '${name}' must not start with a digit`);
  return OK;
}

function checkTokens(name: string, what: string): NameCheck {
  if (name.includes('//')) return fail(`${what} '${name}' must not contain '//'`);
  for (const token of name.split('/')) {
    if (/^[0-9]/.test(token)) return fail(`${what} '${name}': token '${token}' must not start with a digit`);
  }
  return OK;
}

/** Namespaces: empty (the root) or absolute, `/`-separated tokens, no trailing `/`. */
export function checkNamespace(namespace: string): NameCheck {
  if (namespace === '' || namespace === '/') return OK;
  if (!namespace.startsWith('/')) return fail(`namespace '${namespace}' must start with '/'`);
  if (namespace.endsWith('/')) return fail(`namespace '${namespace}' must not end with '/'`);
  if (!/^[A-Za-z0-9_/]+$/.test(namespace)) return fail(`namespace '${namespace}' may only contain letters, digits, '_' and '/'`);
  return checkTokens(namespace, 'namespace');
}

/** Topic and service names before expansion: absolute, relative or private (`~/x`), `{node}`/`{ns}` substitutions. */
export function checkTopicName(name: string): NameCheck {
  if (name.length === 0) return fail('a topic or service name must not be empty');
  if (name.endsWith('/')) return fail(`name '${name}' must not end with '/'`);
  if (!/^[A-Za-z0-9_/~{}]+$/.test(name)) return fail(`name '${name}' may only contain letters, digits, '_', '/', '~', '{', '}'`);
  if (name.indexOf('~') > 0) return fail(`name '${name}': '~' is only allowed as the first character`);
  if (name.startsWith('~') && name.length > 1 && name[1] !== '/') return fail(`name '${name}': '~' must be followed by '/'`);
  if (!/^[^{}]*(\{[A-Za-z0-9_]+\}[^{}]*)*$/.test(name)) return fail(`name '${name}' has unbalanced or empty '{}'`);
  return checkTokens(name.replace(/^~/, ''), 'name');
}

/** Throws with the broken rule; returns the name otherwise. */
export function assertName(check: (name: string) => NameCheck, name: string): string {
  const result = check(name);
  if (!result.ok) throw new Error(result.reason);
  return name;
}

/** A port namespace (`'robot'`, `'/robot'`, `''`) as ROS wants it (`'/robot'`, `''`). */
export function rosNamespace(namespace: string | undefined): string {
  if (namespace === undefined || namespace === '' || namespace === '/') return '';
  return assertName(checkNamespace, namespace.startsWith('/') ? namespace : `/${namespace}`);
}
