/**
 * A managed (lifecycle) node on rclnodejs: an rclnodejs LifecycleNode (with
 * its standard `~/change_state`, `~/get_state`, … services and
 * `~/transition_event`, so `ros2 lifecycle set`, launch_ros and nav2's
 * lifecycle manager drive it) whose transitions call {@link ManagedNodeHooks}.
 *
 * Start-up: create the node → build the hooks on its port node → declare the
 * read-only `autostart` parameter → await `hooks.prepare()` → spin (transition
 * requests are served from here on) → with autostart, configure and activate.
 * On SIGINT/SIGTERM the node takes the `shutdown` transition (its onShutdown
 * hook runs — the shield publishes its hold command there) before the
 * transport exits.
 */
import { nodeLogger } from '../../log.js';
import type { NodeOptions } from '../port.js';
import type { R } from './load.js';
import {
  callbackCode,
  canShutdownFrom,
  ManagedResult,
  runHook,
  type ManagedNodeHooks,
} from './lifecycle-hooks.js';
import { assertName, checkNodeName, rosNamespace } from './names.js';
import { PARAMETER_TYPE } from './param-descriptors.js';
import type { RosTransport, RosTransportNode } from './transport.js';

export type LifecycleTransition = 'configure' | 'activate' | 'deactivate' | 'cleanup' | 'shutdown';

export interface TransitionOutcome {
  /** The hook's result, or `unavailable` when the transition does not exist from the current state. */
  result: ManagedResult | 'unavailable';
  /** The primary state after the transition (lifecycle_msgs/msg/State id and label). */
  state: { id: number; label: string };
}

export interface ManagedNodeOptions extends NodeOptions {
  /** Default of the read-only `autostart` parameter: configure and activate once prepared. */
  autostart?: boolean;
}

const RESULT_BY_CODE: Readonly<Record<number, ManagedResult>> = { 97: 'success', 98: 'failure', 99: 'error' };

export class RosManagedNode {
  private constructor(
    readonly node: RosTransportNode,
    private readonly lifecycle: R.lifecycle.LifecycleNode,
    private readonly rcl: RosTransport['rcl'],
  ) {}

  /** Creates, prepares and spins a managed node; rejects if `prepare` rejects (nothing left running). */
  static async start(
    transport: RosTransport,
    name: string,
    makeHooks: (node: RosTransportNode) => ManagedNodeHooks,
    options: ManagedNodeOptions = {},
  ): Promise<RosManagedNode> {
    assertName(checkNodeName, name);
    const { rcl } = transport;
    const raw = new rcl.lifecycle.LifecycleNode(name, rosNamespace(options.namespace), transport.context, undefined, true);
    answerTransitionsWithStates(raw);
    const node = transport.adopt(raw, false);
    const managed = new RosManagedNode(node, raw, rcl);
    try {
      const hooks = makeHooks(node);
      managed.register(hooks);
      const [autostart] = raw.declareParameters(
        [new rcl.Parameter('autostart', PARAMETER_TYPE.bool, options.autostart ?? false)],
        [new rcl.ParameterDescriptor('autostart', PARAMETER_TYPE.bool, 'configure and activate once prepared', true)],
      );
      await hooks.prepare?.();
      transport.onShutdownSignal(() => managed.shutdownIfRunning());
      raw.spin();
      if (autostart?.value === true) {
        for (const t of ['configure', 'activate'] as const) {
          const outcome = managed.transition(t);
          node.log.info({ transition: t, ...outcome }, 'autostart');
          if (outcome.result !== 'success') break;
        }
      }
      return managed;
    } catch (error) {
      node.destroy();
      throw error;
    }
  }

  private register(hooks: ManagedNodeHooks): void {
    const log = nodeLogger(this.node.name);
    const wrap = (what: string, hook: () => ManagedResult) => () =>
      callbackCode(runHook(hook, (error) => log.error({ err: error }, `${what} hook threw`)));
    const n = this.lifecycle;
    n.registerOnConfigure(wrap('configure', () => hooks.onConfigure()));
    n.registerOnActivate(wrap('activate', () => hooks.onActivate()));
    n.registerOnDeactivate(wrap('deactivate', () => hooks.onDeactivate()));
    n.registerOnCleanup(wrap('cleanup', () => hooks.onCleanup()));
    n.registerOnShutdown(wrap('shutdown', () => hooks.onShutdown()));
    const onError = hooks.onError;
    if (onError) n.registerOnError(wrap('error', () => onError.call(hooks)));
  }

  /** The current lifecycle state. */
  get state(): { id: number; label: string } {
    // rclnodejs 1.9's State has `id`/`label` fields at run time; its typings
    // declare only `asMessage()`, which does not exist at run time.
    const s = this.lifecycle.currentState as unknown as { id: number; label: string };
    return { id: s.id, label: s.label };
  }

  /** Triggers a transition locally (the same state machine the ROS services drive). */
  transition(t: LifecycleTransition): TransitionOutcome {
    const holder = new this.rcl.lifecycle.CallbackReturnValue();
    try {
      this.lifecycle[t](holder);
    } catch {
      return { result: 'unavailable', state: this.state };
    }
    return { result: RESULT_BY_CODE[holder.value] ?? ManagedResult.Error, state: this.state };
  }

  /** Runs the shutdown transition if one exists from the current state (SIGINT/SIGTERM path). */
  shutdownIfRunning(): void {
    if (canShutdownFrom(this.state.id)) {
      const outcome = this.transition('shutdown');
      this.node.log.info(outcome, 'shutdown on signal');
    }
  }
}

/**
 * rclnodejs 2.2 answers `~/get_available_transitions` with its own
 * TransitionDescription objects, whose `startState`/`goalState` do not match
 * the message's `start_state`/`goal_state`: every description went out with
 * empty start and goal states (`ros2 lifecycle list` showed empty Start/Goal
 * labels). The node's handler is replaced by one that fills the message fields.
 */
function answerTransitionsWithStates(raw: R.lifecycle.LifecycleNode): void {
  type Desc = { transition: { id: number; label: string }; startState: { id: number; label: string }; goalState: { id: number; label: string } };
  const node = raw as unknown as {
    availableTransitions: Desc[];
    _onGetAvailableTransitions?: (request: unknown, response: { template: Record<string, unknown>; send(r: unknown): void }) => void;
  };
  if (typeof node._onGetAvailableTransitions !== 'function') return; // another rclnodejs: its own handler stays
  const state = (s: { id: number; label: string }) => ({ id: s.id, label: s.label });
  node._onGetAvailableTransitions = (_request, response) => {
    const result = response.template;
    result['available_transitions'] = node.availableTransitions.map((d) => ({
      transition: state(d.transition),
      start_state: state(d.startState),
      goal_state: state(d.goalState),
    }));
    response.send(result);
  };
}
