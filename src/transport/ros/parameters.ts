/**
 * Config fields as ROS 2 parameters: each field of a node's config schema is
 * declared with a descriptor (type, range, description, read-only), so
 * `--ros-args -p`, `--params-file` and `ros2 param set` work; every change —
 * including the overrides given at start — goes through the same zod schema
 * (`./param-changes.ts`) and is refused with the reason when invalid or
 * unsafe, leaving the old value in place.
 *
 * rclnodejs checks type and range from the descriptor before our callback
 * runs (its refusal text is rclnodejs's own); everything else — enums,
 * exclusive bounds, cross-field rules, the caller's guard — is refused here
 * with the schema's message.
 */
import type { z } from 'zod';
import type { R } from './load.js';
import { applyParameterChanges, getPath, toRosValue, type ChangeGuard } from './param-changes.js';
import { describeParameters, PARAMETER_TYPE, type DescribeOptions, type ParameterSpec, type SkippedField } from './param-descriptors.js';
import type { RosTransportNode } from './transport.js';

export interface ConfigParametersOptions<T> extends DescribeOptions {
  /** Extra safety check on a schema-valid change (e.g. against the URDF): a reason to refuse, or null. */
  guard?: ChangeGuard<T>;
}

export type ConfigListener<T> = (config: T, changed: readonly string[]) => void;

export class RosConfigParameters<S extends z.ZodTypeAny> {
  readonly specs: readonly ParameterSpec[];
  readonly skipped: readonly SkippedField[];
  private readonly byName: ReadonlyMap<string, ParameterSpec>;
  private current: z.output<S>;
  private pending: { config: z.output<S>; changed: string[] } | undefined;
  private declaring = false;
  private readonly listeners = new Set<ConfigListener<z.output<S>>>();

  /** Declares the parameters; throws (naming the parameter and reason) if a start-up override is refused. */
  constructor(
    private readonly node: RosTransportNode,
    private readonly schema: S,
    initial: z.output<S>,
    private readonly options: ConfigParametersOptions<z.output<S>> = {},
  ) {
    const { specs, skipped } = describeParameters(schema, initial, options);
    this.specs = specs;
    this.skipped = skipped;
    this.byName = new Map(specs.map((s) => [s.name, s]));
    this.current = initial;
    const { raw, rcl } = node;
    raw.addPreSetParametersCallback((params) => params.map((p) => this.coerce(p)));
    raw.addOnSetParametersCallback((params) => this.validate(params));
    raw.addPostSetParametersCallback(() => this.commit());
    for (const s of skipped) node.log.debug({ parameter: s.name }, `not a ROS parameter: ${s.reason}`);
    const parameters = specs.map((s) => new rcl.Parameter(s.name, PARAMETER_TYPE[s.kind], toRosValue(s, getPath(initial, s.path))));
    const descriptors = specs.map((s) => this.descriptor(s));
    this.declaring = true;
    try {
      raw.declareParameters(parameters, descriptors);
    } finally {
      this.declaring = false;
    }
  }

  /** The current (validated) config. */
  get config(): z.output<S> {
    return this.current;
  }

  /** Called after each accepted change with the new config and the changed parameter names. */
  onChange(listener: ConfigListener<z.output<S>>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private descriptor(s: ParameterSpec): R.ParameterDescriptor {
    const { rcl } = this.node;
    let range: R.Range | undefined;
    if (s.range && s.kind === 'integer') {
      range = new rcl.IntegerRange(BigInt(Math.ceil(s.range.from)), BigInt(Math.floor(s.range.to)), BigInt(s.range.step));
    }
    else if (s.range && s.kind === 'double') range = new rcl.FloatingPointRange(s.range.from, s.range.to, s.range.step);
    const d = new rcl.ParameterDescriptor(s.name, PARAMETER_TYPE[s.kind], s.description, s.readOnly, range);
    d.additionalConstraints = s.additionalConstraints;
    return d;
  }

  /** `-p x:=1` arrives as an integer; a double parameter takes it as a double. */
  private coerce(p: R.Parameter): R.Parameter {
    const spec = this.byName.get(p.name);
    const { rcl } = this.node;
    if (spec?.kind === 'double' && p.type === PARAMETER_TYPE.integer) {
      return new rcl.Parameter(p.name, PARAMETER_TYPE.double, Number(p.value));
    }
    if (spec?.kind === 'double_array' && p.type === PARAMETER_TYPE.integer_array) {
      return new rcl.Parameter(p.name, PARAMETER_TYPE.double_array, (p.value as bigint[]).map(Number));
    }
    return p;
  }

  private validate(params: R.Parameter[]): R.rcl_interfaces.msg.SetParametersResult {
    const ours = params.filter((p) => this.byName.has(p.name)).map((p) => ({ name: p.name, value: p.value as unknown }));
    if (ours.length === 0) return { successful: true, reason: '' };
    const result = applyParameterChanges(this.schema, this.current, this.byName, ours, this.options.guard, {
      allowReadOnly: this.declaring,
    });
    if (!result.ok) {
      this.node.log.warn({ reason: result.reason }, 'parameter change refused');
      return { successful: false, reason: result.reason };
    }
    this.pending = { config: result.config, changed: result.changed };
    return { successful: true, reason: '' };
  }

  private commit(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    this.current = pending.config;
    if (!this.declaring) this.node.log.info({ changed: pending.changed }, 'parameters changed');
    for (const listener of this.listeners) listener(pending.config, pending.changed);
  }
}
