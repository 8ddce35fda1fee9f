/** Types of `./generate.mjs` (the interface declaration generator). */
export interface ParsedInterface {
  pkg: string;
  folder: 'msg' | 'srv';
  name: string;
  kind: 'msg' | 'srv';
}
export function parseDefinitions(text: string): ParsedInterface[];
export function generateInterfaces(text: string): string;
export const DEFINITIONS_PATH: string;
export const INTERFACES_PATH: string;
