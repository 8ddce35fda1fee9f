/**
 * Managed (lifecycle) node hooks, independent of rclnodejs: the shield and
 * policy nodes implement {@link ManagedNodeHooks}; `./lifecycle.ts` plugs
 * them into an rclnodejs LifecycleNode.
 *
 * rcl lifecycle transitions are synchronous (rclnodejs calls the callback and
 * needs its result at once), so the hooks return a result, not a Promise.
 * Async work (ONNX session creation and warm-up) goes in `prepare`, which the
 * helper awaits once before the node answers any transition request;
 * `onConfigure` then validates parameters and binds what `prepare` loaded.
 */

/** The outcome of a transition hook (lifecycle_msgs TRANSITION_CALLBACK_*). */
export const ManagedResult = { Success: 'success', Failure: 'failure', Error: 'error' } as const;
export type ManagedResult = (typeof ManagedResult)[keyof typeof ManagedResult];

export interface ManagedNodeHooks {
  /** Async loading awaited once before transitions are served (models, warm-up). A rejection aborts start-up. */
  prepare?(): Promise<void>;
  /** unconfigured → inactive: validate config, create publishers/timers, bind loaded resources. */
  onConfigure(): ManagedResult;
  /** inactive → active: start publishing. */
  onActivate(): ManagedResult;
  /** active → inactive: stop publishing (the shield publishes a hold command first). */
  onDeactivate(): ManagedResult;
  /** inactive → unconfigured: release what configure created. */
  onCleanup(): ManagedResult;
  /** any primary state → finalized; also run on SIGINT/SIGTERM before the process exits. */
  onShutdown(): ManagedResult;
  /** error processing; `success` returns the node to unconfigured, anything else finalizes it. */
  onError?(): ManagedResult;
}

/** lifecycle_msgs/msg/Transition TRANSITION_CALLBACK_SUCCESS/FAILURE/ERROR. */
export const CALLBACK_CODE = { success: 97, failure: 98, error: 99 } as const;
export type CallbackCode = (typeof CALLBACK_CODE)[ManagedResult];

export function callbackCode(result: ManagedResult): CallbackCode {
  return CALLBACK_CODE[result];
}

/** lifecycle_msgs/msg/State primary state ids. */
export const PrimaryState = { Unknown: 0, Unconfigured: 1, Inactive: 2, Active: 3, Finalized: 4 } as const;

/** Runs a hook; a throw becomes `error` (rcl then runs error processing) and is reported. */
export function runHook(hook: () => ManagedResult, onThrow: (error: unknown) => void): ManagedResult {
  try {
    const result = hook();
    return result === 'success' || result === 'failure' || result === 'error' ? result : ManagedResult.Error;
  } catch (error) {
    onThrow(error);
    return ManagedResult.Error;
  }
}

/** Whether a `shutdown` transition exists from this primary state (used on SIGINT/SIGTERM). */
export function canShutdownFrom(stateId: number): boolean {
  return stateId === PrimaryState.Unconfigured || stateId === PrimaryState.Inactive || stateId === PrimaryState.Active;
}
