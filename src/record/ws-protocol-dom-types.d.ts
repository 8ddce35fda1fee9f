/**
 * @foxglove/ws-protocol's type declarations name two browser (DOM) types.
 * This project compiles with `lib: ["ES2022"]` and `skipLibCheck: false`, so
 * they are declared here (`BufferSource` as the DOM defines it; `CloseEvent`
 * opaque, used only by its browser client's typings).
 */
declare global {
  type BufferSource = ArrayBufferView | ArrayBuffer;
  interface CloseEvent {}
}
export {};
