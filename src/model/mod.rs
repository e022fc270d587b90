//! The ONNX graph index and pairing a config with its model.
