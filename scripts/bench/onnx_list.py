"""The Python side of the model index comparison: what a script does to list a model's nodes
without its weights' external files: onnx.load(path, load_external_data=False), then the name
and op type of every node of the main graph. Prints the node count."""

import sys

import onnx

model = onnx.load(sys.argv[1], load_external_data=False)
nodes = [(n.name, n.op_type) for n in model.graph.node]
print(len(nodes))
