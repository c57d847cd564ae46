// Stand-in for onnxruntime-node: @huggingface/transformers requires it at load time but only uses it to run ONNX
// models, which beliefscope's tests never do (they use its tokenizers). See package.json's "overrides".
module.exports = {};
