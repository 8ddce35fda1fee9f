/**
 * onnxruntime-common's type declarations name a few browser (DOM) types in
 * its web-only APIs. This project compiles with `lib: ["ES2022"]` and
 * `skipLibCheck: false`, so those names are declared here as opaque
 * interfaces (they merge harmlessly with the DOM lib if it is ever added).
 * Nothing in the Node runtime uses them.
 */
declare global {
  interface WebGLRenderingContext {}
  interface WebGLTexture {}
  interface ImageData {}
  interface HTMLImageElement {}
  interface ImageBitmap {}
}
export {};
