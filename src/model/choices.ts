import { z } from 'zod';

/**
 * The choices a user makes about how a model is trained, owned by the model package; the
 * environment and CLI flags parse into these.
 */

/** tfjs backend: auto (the first of tensorflow, wasm, cpu that initialises) | tensorflow | wasm | cpu. */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export const BackendChoiceSchema = z.enum(BACKEND_CHOICES);
export type BackendChoice = z.infer<typeof BackendChoiceSchema>;

/**
 * Training engine: auto (fast unless the backend is tensorflow) | fast | layers |
 * gpu: the packed WebGPU engine (src/model/gpu).
 */
export const ENGINE_CHOICES = ['auto', 'fast', 'layers', 'gpu'] as const;
export const EngineChoiceSchema = z.enum(ENGINE_CHOICES);
export type EngineChoice = z.infer<typeof EngineChoiceSchema>;
