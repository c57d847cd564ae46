// Entry of the fused training kernels (AssemblyScript -> one wasm module).
// Built by scripts/build-kernels.mjs; all pointers are byte offsets into the exported memory,
// all sizes are runtime arguments, so one compiled module serves every model shape.
export { matmul, transpose, colSum } from "./matmul";
export { layerNormForward, layerNormBackward } from "./layerNorm";
export { attentionForward, attentionBackward, attentionScratch } from "./attention";
export { activationForward, activationBackward } from "./activation";
export { embedForward, embedBackward, crossEntropy, addInto } from "./model";
export { sumSquares, scaleInPlace, adamUpdate, sgdUpdate } from "./optimizer";
