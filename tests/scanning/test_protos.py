"""The scanner's own declaration of TensorFlow's SavedModel messages matches TensorFlow's:
every field it reads has TensorFlow's number, wire type and message type."""

from __future__ import annotations

import pytest
from google.protobuf import any_pb2
from tensorflow.core.framework import attr_value_pb2, function_pb2, graph_pb2, node_def_pb2, op_def_pb2, tensor_pb2
from tensorflow.core.protobuf import (
    fingerprint_pb2,
    meta_graph_pb2,
    saved_model_pb2,
    saved_object_graph_pb2,
    saver_pb2,
    trackable_object_graph_pb2,
)
from tf_keras.protobuf import saved_metadata_pb2

from hubfork.scanning.protos import parse, schema

TENSORFLOW = {
    "SavedModel": saved_model_pb2.SavedModel,
    "MetaGraphDef": meta_graph_pb2.MetaGraphDef,
    "MetaInfoDef": meta_graph_pb2.MetaGraphDef.MetaInfoDef,
    "SaverDef": saver_pb2.SaverDef,
    "CollectionDef": meta_graph_pb2.CollectionDef,
    "NodeList": meta_graph_pb2.CollectionDef.NodeList,
    "AnyList": meta_graph_pb2.CollectionDef.AnyList,
    "Any": any_pb2.Any,
    "SignatureDef": meta_graph_pb2.SignatureDef,
    "TensorInfo": meta_graph_pb2.TensorInfo,
    "CooSparse": meta_graph_pb2.TensorInfo.CooSparse,
    "CompositeTensor": meta_graph_pb2.TensorInfo.CompositeTensor,
    "GraphDef": graph_pb2.GraphDef,
    "NodeDef": node_def_pb2.NodeDef,
    "FunctionDefLibrary": function_pb2.FunctionDefLibrary,
    "GradientDef": function_pb2.GradientDef,
    "FunctionDef": function_pb2.FunctionDef,
    "OpDef": op_def_pb2.OpDef,
    "ArgDef": op_def_pb2.OpDef.ArgDef,
    "AssetFileDef": meta_graph_pb2.AssetFileDef,
    "AttrValue": attr_value_pb2.AttrValue,
    "ListValue": attr_value_pb2.AttrValue.ListValue,
    "NameAttrList": attr_value_pb2.NameAttrList,
    "TensorProto": tensor_pb2.TensorProto,
    "SavedObjectGraph": saved_object_graph_pb2.SavedObjectGraph,
    "SavedObject": saved_object_graph_pb2.SavedObject,
    "SavedConcreteFunction": saved_object_graph_pb2.SavedConcreteFunction,
    "SavedAsset": saved_object_graph_pb2.SavedAsset,
    "ObjectReference": trackable_object_graph_pb2.TrackableObjectGraph.TrackableObject.ObjectReference,
    "SavedUserObject": saved_object_graph_pb2.SavedUserObject,
    "SavedFunction": saved_object_graph_pb2.SavedFunction,
    "SavedBareConcreteFunction": saved_object_graph_pb2.SavedBareConcreteFunction,
    "SaveableObject": saved_object_graph_pb2.SaveableObject,
    "KerasMetadata": saved_metadata_pb2.SavedMetadata,
    "KerasObject": saved_metadata_pb2.SavedObject,
    "Fingerprint": fingerprint_pb2.FingerprintDef,
}
# Our declared kind -> the FieldDescriptor types TensorFlow may use for it (enums read as int32).
KINDS = {"string": {9}, "bytes": {12}, "int32": {5, 14}, "int64": {3}, "uint64": {4}, "message": {11}, "map": {11}}


def test_every_declared_message_is_checked():
    assert set(schema()) == set(TENSORFLOW)


@pytest.mark.parametrize("message", sorted(TENSORFLOW))
def test_fields_match_tensorflow(message):
    theirs = {f.name: f for f in TENSORFLOW[message].DESCRIPTOR.fields}
    for name, number, kind, repeated, target in schema()[message]:
        field = theirs[name]
        assert field.number == number, f"{message}.{name}"
        assert field.type in KINDS[kind], f"{message}.{name}: {field.type}"
        assert field.is_repeated == repeated, f"{message}.{name}"
        if kind == "map":
            assert field.message_type.GetOptions().map_entry, f"{message}.{name} is no map"
        elif kind == "message":
            assert field.message_type.name == TENSORFLOW[target].DESCRIPTOR.name, f"{message}.{name}"


def test_a_real_saved_model_parses_the_same(generations):
    data = (generations["v4"] / "saved_model.pb").read_bytes()
    theirs = saved_model_pb2.SavedModel.FromString(data)
    ours = parse("SavedModel", data)
    graph, our_graph = theirs.meta_graphs[0].graph_def, ours.meta_graphs[0].graph_def
    assert [(n.name, n.op, list(n.input)) for n in our_graph.node] == \
        [(n.name, n.op, list(n.input)) for n in graph.node]
    assert [f.signature.name for f in our_graph.library.function] == \
        [f.signature.name for f in graph.library.function]
    assert sorted(ours.meta_graphs[0].signature_def) == sorted(theirs.meta_graphs[0].signature_def)
