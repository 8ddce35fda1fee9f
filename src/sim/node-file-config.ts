/**
 * The config file of the standalone sim node (`ros-node.js sim`,
 * config/ros/sim.yaml): the robot's URDF, the sim and the sim node settings.
 * Unknown keys are refused at every depth.
 */
import { z } from 'zod';
import { deepStrict } from '../schema/strict.js';
import { SimConfigSchema } from './config.js';
import { SimNodeConfigSchema } from './sim-node.js';

export const SimNodeFileSchema = deepStrict(
  z.object({
    robot: z.object({ urdf: z.string().min(1).describe('Robot URDF path (relative to the package root, or absolute)') }),
    sim: SimConfigSchema.prefault({}),
    simNode: SimNodeConfigSchema.omit({ scenario: true }).prefault({}),
  }),
);
