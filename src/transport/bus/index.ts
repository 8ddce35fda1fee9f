export { EmbeddedBus, type BusStats, type BusTap, type EmbeddedBusOptions } from './embedded-bus.js';
export { BusNode } from './bus-node.js';
export { resolveName } from './names.js';
