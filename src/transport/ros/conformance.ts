/**
 * Compile-time proof that the port's message shapes (`../messages.ts`) are
 * exactly what rclnodejs sends and delivers for each ROS type, checked against
 * rclnodejs's typings and the ROS interface declarations (`types/ros`, or the
 * ones rclnodejs generates on a ROS machine). A wrong field, a missing field
 * or a wrong type fails `npm run typecheck:ros` naming the ROS type.
 * Type-only: nothing here exists at run time.
 */
import type * as R from 'rclnodejs';
import type { MessageTypeName, MessageTypes, RequestOf, ResponseOf, ServiceTypeName } from '../messages.js';

/** What rclnodejs delivers with `enableTypedArray`: numeric arrays as typed arrays over a plain ArrayBuffer, never as number[]. */
export type Received<T> = T extends Float64Array
  ? Float64Array<ArrayBuffer>
  : T extends Float32Array
    ? Float32Array<ArrayBuffer>
    : T extends Int32Array
      ? Int32Array<ArrayBuffer>
      : T extends Uint32Array
        ? Uint32Array<ArrayBuffer>
        : T extends Int8Array
          ? Int8Array<ArrayBuffer>
          : T extends Uint8Array
            ? Uint8Array<ArrayBuffer>
            : T extends Int16Array
              ? Int16Array<ArrayBuffer>
              : T extends Uint16Array
                ? Uint16Array<ArrayBuffer>
                : T extends number[]
                  ? never
                  : T extends (infer E)[]
                    ? Received<E>[]
                    : T extends object
                      ? { [P in keyof T]: Received<T[P]> }
                      : T;

/** Fails to compile, naming the offending key, unless every property is `true`. */
type AllTrue<T extends Record<string, true>> = T;

/** Every port type is a ROS type rclnodejs knows. */
export type KnownTypes = AllTrue<{
  messages: MessageTypeName extends R.MessageTypeClassName ? true : false;
  services: ServiceTypeName extends R.ServiceTypeClassName ? true : false;
}>;

/** What we publish is a valid rclnodejs message of that type. */
export type MessagesOut = AllTrue<{ [K in MessageTypeName]: MessageTypes[K] extends R.MessageType<K> ? true : false }>;
/** What rclnodejs delivers has every field our shape declares, with our types. */
export type MessagesIn = AllTrue<{ [K in MessageTypeName]: Received<R.MessageType<K>> extends MessageTypes[K] ? true : false }>;

/** Requests we send and responses we return are valid rclnodejs service messages. */
export type ServicesOut = AllTrue<{
  [S in ServiceTypeName]: RequestOf<S> extends R.ServiceRequestMessage<S>
    ? ResponseOf<S> extends R.ServiceResponseMessage<S>
      ? true
      : false
    : false;
}>;
/** Requests and responses rclnodejs delivers match our shapes. */
export type ServicesIn = AllTrue<{
  [S in ServiceTypeName]: Received<R.ServiceRequestMessage<S>> extends RequestOf<S>
    ? Received<R.ServiceResponseMessage<S>> extends ResponseOf<S>
      ? true
      : false
    : false;
}>;
