/** Training: optimizers and schedules, the loop, the next-token objective, runs on processes, evaluation. */
export * from "./optimizer.js";
export { train, type DeviceBatch, type FastStepper, type StepMetrics, type TrainerEvents, type TrainerOptions, type TrainingSnapshot, type TrainResult, type TrainTask } from "./trainer.js";
export { batchArrays, crossEntropy, lossAndGrad, nextTokenLoss, nextTokenPairs, nextTokenTask, type TokenBatch } from "./objective.js";
export { processTokens, type ProcessBatchOptions } from "./processData.js";
export * from "./runConfig.js";
export * from "./runStore.js";
export * from "./fastEngines.js";
export * from "./trainOnProcess.js";
export * from "./evaluate.js";
export * from "./runTraining.js";
