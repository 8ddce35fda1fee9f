/**
 * Config fields as ROS 2 parameters: each field of a node's config schema is
 * declared with a descriptor (type, range, description, read-only), so
 * `--ros-args -p`, `--params-file` and `ros2 param set` work; every change —
 * including the overrides given at start — goes through the same zod schema
 * (`./param-changes.ts`) and is refused with the reason when invalid or
 * unsafe, leaving the old value in place.
 *
 * rclnodejs checks the type from the descriptor before our callback runs;
 * everything else — ranges, enums, exclusive bounds, cross-field rules, the
 * caller's guard — is refused here with the schema's message (rclnodejs's own
 * range refusal reads "Parameter x does not  readonly", so ranges are not
 * given to its validator; they are only described, see
 * {@link describedRangeClass}).
 */
import type { z } from 'zod';
import type { R, Rclnodejs } from './load.js';
import { applyParameterChanges, getPath, toRosValue, type ChangeGuard } from './param-changes.js';
import { describeParameters, PARAMETER_TYPE, type DescribeOptions, type ParameterSpec, type SkippedField } from './param-descriptors.js';
import type { RosTransportNode } from './transport.js';

export interface ConfigParametersOptions<T> extends DescribeOptions {
  /** Extra safety check on a schema-valid change (e.g. against the URDF): a reason to refuse, or null. */
  guard?: ChangeGuard<T>;
}

export type ConfigListener<T> = (config: T, changed: readonly string[]) => void;

export class RosConfigParameters<S extends z.ZodType> {
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
    const d = new (describedRangeClass(this.node.rcl))(s.name, PARAMETER_TYPE[s.kind], s.description, s.readOnly);
    d.additionalConstraints = s.additionalConstraints;
    if (s.range) d.describedRange = s.range;
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

/** A ParameterDescriptor that tells `ros2 param describe` its range without rclnodejs enforcing it. */
export interface DescribedRangeDescriptor extends R.ParameterDescriptor {
  describedRange?: { from: number; to: number; step: number };
}
type DescribedRangeCtor = new (name: string, type: number, description: string, readOnly: boolean) => DescribedRangeDescriptor;
const describedRangeClasses = new WeakMap<object, DescribedRangeCtor>();

/**
 * rclnodejs (1.9 and 2.2) stores a descriptor's range as `_range` but its
 * `toMessage()` (what the describe_parameters service answers) reads
 * `_rangeConstraint`, so ranges never reach `ros2 param describe`. This
 * subclass adds the range to the message itself; validation of the range is
 * ours (zod), with a readable reason.
 */
export function describedRangeClass(rcl: Rclnodejs): DescribedRangeCtor {
  let ctor = describedRangeClasses.get(rcl);
  if (!ctor) {
    const { ParameterType } = rcl;
    class DescribedRange extends rcl.ParameterDescriptor {
      describedRange?: { from: number; to: number; step: number };
      override toMessage(): R.rcl_interfaces.msg.ParameterDescriptor {
        const msg = super.toMessage();
        const r = this.describedRange;
        if (!r) return msg;
        if (this.type === ParameterType.PARAMETER_INTEGER || this.type === ParameterType.PARAMETER_INTEGER_ARRAY) {
          msg.integer_range = [{ from_value: BigInt(Math.ceil(r.from)), to_value: BigInt(Math.floor(r.to)), step: BigInt(r.step) }];
        } else {
          msg.floating_point_range = [{ from_value: r.from, to_value: r.to, step: r.step }];
        }
        return msg;
      }
    }
    ctor = DescribedRange as unknown as DescribedRangeCtor;
    describedRangeClasses.set(rcl, ctor);
  }
  return ctor;
}
