export * from './messages.js';
export type * from './port.js';
