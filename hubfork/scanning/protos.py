"""The parts of TensorFlow's SavedModel protobufs the scanner reads, declared here so that
scanning needs the `protobuf` package but not TensorFlow.

The messages keep TensorFlow's field numbers and wire types (enums read as int32) and
leave out every field the scanner does not look at: protobuf skips those while parsing,
so TensorFlow's files parse as they are. ``tests/scanning/test_protos.py`` checks every
field here against TensorFlow's own descriptors.
"""

from __future__ import annotations

import functools
from typing import Any

_PACKAGE = "hubfork.scanning"

# message -> (field name, number, type, repeated?, message type or None); a "map" type is
# map<string, VALUE> where VALUE is the fifth element (a message name, or "string").
_STRING, _BYTES, _INT32, _INT64, _UINT64 = "string", "bytes", "int32", "int64", "uint64"
_MESSAGE, _MAP = "message", "map"
_SCHEMA: dict[str, list[tuple[str, int, str, bool, str | None]]] = {
    "SavedModel": [("saved_model_schema_version", 1, _INT64, False, None),
                   ("meta_graphs", 2, _MESSAGE, True, "MetaGraphDef")],
    "MetaGraphDef": [("meta_info_def", 1, _MESSAGE, False, "MetaInfoDef"),
                     ("graph_def", 2, _MESSAGE, False, "GraphDef"),
                     ("saver_def", 3, _MESSAGE, False, "SaverDef"),
                     ("collection_def", 4, _MAP, True, "CollectionDef"),
                     ("signature_def", 5, _MAP, True, "SignatureDef"),
                     ("asset_file_def", 6, _MESSAGE, True, "AssetFileDef"),
                     ("object_graph_def", 7, _MESSAGE, False, "SavedObjectGraph")],
    "MetaInfoDef": [("tags", 4, _STRING, True, None)],
    "SaverDef": [("filename_tensor_name", 1, _STRING, False, None),
                 ("save_tensor_name", 2, _STRING, False, None),
                 ("restore_op_name", 3, _STRING, False, None)],
    "CollectionDef": [("node_list", 1, _MESSAGE, False, "NodeList"),
                      ("any_list", 5, _MESSAGE, False, "AnyList")],
    "AnyList": [("value", 1, _MESSAGE, True, "Any")],
    "Any": [("type_url", 1, _STRING, False, None),
            ("value", 2, _BYTES, False, None)],
    "NodeList": [("value", 1, _STRING, True, None)],
    "SignatureDef": [("inputs", 1, _MAP, True, "TensorInfo"),
                     ("outputs", 2, _MAP, True, "TensorInfo"),
                     ("method_name", 3, _STRING, False, None)],
    "TensorInfo": [("name", 1, _STRING, False, None),
                   ("coo_sparse", 4, _MESSAGE, False, "CooSparse"),
                   ("composite_tensor", 5, _MESSAGE, False, "CompositeTensor")],
    "CooSparse": [("values_tensor_name", 1, _STRING, False, None),
                  ("indices_tensor_name", 2, _STRING, False, None),
                  ("dense_shape_tensor_name", 3, _STRING, False, None)],
    "CompositeTensor": [("components", 2, _MESSAGE, True, "TensorInfo")],
    "AssetFileDef": [("tensor_info", 1, _MESSAGE, False, "TensorInfo"),
                     ("filename", 2, _STRING, False, None)],
    "GraphDef": [("node", 1, _MESSAGE, True, "NodeDef"),
                 ("library", 2, _MESSAGE, False, "FunctionDefLibrary")],
    "NodeDef": [("name", 1, _STRING, False, None),
                ("op", 2, _STRING, False, None),
                ("input", 3, _STRING, True, None),
                ("attr", 5, _MAP, True, "AttrValue")],
    "FunctionDefLibrary": [("function", 1, _MESSAGE, True, "FunctionDef"),
                           ("gradient", 2, _MESSAGE, True, "GradientDef")],
    "GradientDef": [("function_name", 1, _STRING, False, None),
                    ("gradient_func", 2, _STRING, False, None)],
    "FunctionDef": [("signature", 1, _MESSAGE, False, "OpDef"),
                    ("node_def", 3, _MESSAGE, True, "NodeDef")],
    "OpDef": [("name", 1, _STRING, False, None),
              ("input_arg", 2, _MESSAGE, True, "ArgDef")],
    "ArgDef": [("name", 1, _STRING, False, None)],
    "AttrValue": [("list", 1, _MESSAGE, False, "ListValue"),
                  ("s", 2, _BYTES, False, None),
                  ("tensor", 8, _MESSAGE, False, "TensorProto"),
                  ("func", 10, _MESSAGE, False, "NameAttrList")],
    "ListValue": [("s", 2, _BYTES, True, None),
                  ("func", 9, _MESSAGE, True, "NameAttrList")],
    "NameAttrList": [("name", 1, _STRING, False, None),
                     ("attr", 2, _MAP, True, "AttrValue")],
    "TensorProto": [("dtype", 1, _INT32, False, None),
                    ("string_val", 8, _BYTES, True, None)],
    "SavedObjectGraph": [("nodes", 1, _MESSAGE, True, "SavedObject"),
                         ("concrete_functions", 2, _MAP, True, "SavedConcreteFunction")],
    "SavedConcreteFunction": [("bound_inputs", 2, _INT32, True, None)],
    "SavedObject": [("children", 1, _MESSAGE, True, "ObjectReference"),
                    ("user_object", 4, _MESSAGE, False, "SavedUserObject"),
                    ("asset", 5, _MESSAGE, False, "SavedAsset"),
                    ("function", 6, _MESSAGE, False, "SavedFunction"),
                    ("bare_concrete_function", 8, _MESSAGE, False, "SavedBareConcreteFunction"),
                    ("saveable_objects", 11, _MAP, True, "SaveableObject")],
    "ObjectReference": [("node_id", 1, _INT32, False, None),
                        ("local_name", 2, _STRING, False, None)],
    "SavedUserObject": [("identifier", 1, _STRING, False, None)],
    "SavedAsset": [("asset_file_def_index", 1, _INT32, False, None)],
    "SavedFunction": [("concrete_functions", 1, _STRING, True, None)],
    "SavedBareConcreteFunction": [("concrete_function_name", 1, _STRING, False, None)],
    "SaveableObject": [("save_function", 2, _INT32, False, None),
                       ("restore_function", 3, _INT32, False, None)],
    # keras_metadata.pb (tf_keras's SavedMetadata): each Keras object's class and config, as JSON.
    "KerasMetadata": [("nodes", 1, _MESSAGE, True, "KerasObject")],
    "KerasObject": [("node_id", 2, _INT32, False, None),
                    ("node_path", 3, _STRING, False, None),
                    ("identifier", 4, _STRING, False, None),
                    ("metadata", 5, _STRING, False, None)],
    # fingerprint.pb
    "Fingerprint": [("saved_model_checksum", 1, _UINT64, False, None),
                    ("graph_def_program_hash", 2, _UINT64, False, None),
                    ("signature_def_hash", 3, _UINT64, False, None),
                    ("saved_object_graph_hash", 4, _UINT64, False, None),
                    ("checkpoint_hash", 5, _UINT64, False, None)],
}


@functools.cache
def _classes() -> dict[str, type]:
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    types = descriptor_pb2.FieldDescriptorProto
    scalar = {_STRING: types.TYPE_STRING, _BYTES: types.TYPE_BYTES, _INT32: types.TYPE_INT32,
              _INT64: types.TYPE_INT64, _UINT64: types.TYPE_UINT64}
    file = descriptor_pb2.FileDescriptorProto(name="hubfork_scanning_saved_model.proto", package=_PACKAGE,
                                              syntax="proto3")
    for message_name, fields in _SCHEMA.items():
        message = file.message_type.add(name=message_name)
        for name, number, kind, repeated, target in fields:
            field = message.field.add(name=name, number=number,
                                      label=types.LABEL_REPEATED if repeated else types.LABEL_OPTIONAL)
            if kind == _MAP:
                # A map is a repeated nested "...Entry" message of key and value, marked as a map entry.
                entry = message.nested_type.add(name="".join(p.title() for p in name.split("_")) + "Entry")
                entry.options.map_entry = True
                entry.field.add(name="key", number=1, label=types.LABEL_OPTIONAL, type=types.TYPE_STRING)
                entry.field.add(name="value", number=2, label=types.LABEL_OPTIONAL, type=types.TYPE_MESSAGE,
                                type_name=f".{_PACKAGE}.{target}")
                field.type, field.type_name = types.TYPE_MESSAGE, f".{_PACKAGE}.{message_name}.{entry.name}"
            elif kind == _MESSAGE:
                field.type, field.type_name = types.TYPE_MESSAGE, f".{_PACKAGE}.{target}"
            else:
                field.type = scalar[kind]
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.{name}"))
            for name in _SCHEMA}


def parse(message: str, data: bytes) -> Any:
    """`data` parsed as `message` (a name in the schema above).

    Raises:
        google.protobuf.message.DecodeError: the bytes are not that message (truncated, garbage).
    """
    parsed = _classes()[message]()
    parsed.ParseFromString(data)
    return parsed


def schema() -> dict[str, list[tuple[str, int, str, bool, str | None]]]:
    """The declared messages and fields (for the test that holds them to TensorFlow's)."""
    return {name: list(fields) for name, fields in _SCHEMA.items()}


__all__ = ["parse", "schema"]
