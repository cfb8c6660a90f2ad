/** MiniRocket, the reference baseline of every sweep (see classifier.ts). */
export { fitMiniRocket, predictMiniRocket, decisionMiniRocket, type MiniRocketFit, type MiniRocketOptions } from './classifier.js';
export {
  MINIROCKET_FILE,
  MiniRocketModelSchema,
  loadMiniRocket,
  miniRocketJson,
  saveMiniRocket,
  type MiniRocketModel,
} from './model-file.js';
