// Entry point of the WebAssembly kernels: every export takes byte offsets into the run's shared
// memory (imported as env.memory) and allocates nothing. Built by `npm run build:wasm`.
export { matmul, matmulAT, matmulBT } from './products';
export { addRow, sumRows, softmaxCrossEntropy, softmaxCrossEntropyDense } from './rows';
export { softmaxCrossEntropyWeighted, softmaxCrossEntropyDenseWeighted } from './weighted-losses';
export { reluForward, reluBackward, sigmoidForward, sigmoidBackward, tanhForward, tanhBackward } from './activations';
export { sgd, momentum, adagrad, adam } from './optimizers';
export { reduceSlots4 } from './reduce';
export { gatherRows, gatherByteRows } from './gather';
export { dropoutMask } from './dropout';
export { staticDataEnd, panelLocks, panelCount, panelsEnd } from './scratch';
export { setSparsePath } from './sparsemask';
export { im2col, col2im, unpackChannels, packChannels } from './window';
export { maxPool, maxPoolBackward, avgPool, avgPoolBackward } from './pool';
