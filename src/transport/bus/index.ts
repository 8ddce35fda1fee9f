export { EmbeddedBus, type BusStats, type EmbeddedBusOptions } from './embedded-bus.js';
export { resolveName } from './names.js';
