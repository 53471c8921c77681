"""Where the path an op opens comes from: the model's own asset, the loader's checkpoint prefix,
or anything else.

A file-opening op (a table filled from a text file, a checkpoint save or restore) is fine only
when the value reaching its path input is provably one the loader hands the graph:

- an asset: a graph tensor that ``asset_file_def`` or (TF1's SavedModelBuilder) the
  ``saved_model_assets`` collection names with a file inside the model (the loader feeds it the
  asset's real path, whatever build-time path a TF1 constant holds); a function argument the
  object graph binds to an asset object; a graph variable only ever assigned such a tensor (how
  TF2 exports hand an asset to the graph's init op);
- the checkpoint prefix: the saver's filename tensor.

Both pass into a function's argument only through calls that pass their inputs as its arguments
(``(Stateful)PartitionedCall``, a node whose op is the function), and only when every such call
and the loader itself pass the same: a function also run as a branch, a loop body, a dataset
function or a gradient, or one whose argument the loader binds to something else, gets "other".
Between the source and the op, only ops that cannot move the path to another folder are
followed: ``Identity``/``Snapshot``, ``ShardedFilename``/``ShardedFilespec``, ``Pack`` of such
paths, ``Select`` between them, and ``StringJoin`` of the checkpoint prefix with constant suffixes
that hold no ``..`` and end in no separator or dot (the format's own ``.part`` and
``_temp/part``); an asset is used as it is. Anything else (a regex, a variable read, a value read
from a tensor or a file, a signature's input, a captured resource, an arbitrary join) is "other".

Labels are worked out on demand, over the slice of the graphs a path may come from, and only
ever move down (unset, then a source, then "other"; a set of suffixes grows to at most
`_MAX_PARTS` strings): the questions of a whole scan cost time linear in the graphs' size.
"""

from __future__ import annotations

import functools
from collections import deque
from functools import cached_property
from typing import Any

from hubfork.scanning.protos import parse

#: What a value can be, as a path.
ASSET, PREFIX, OTHER = "asset", "checkpoint-prefix", "other"

#: Ops that open a file, and which of their inputs is the path. A table's file must be an asset;
#: a checkpoint's path must be the loader's prefix.
TABLE_FILE_INPUTS: dict[str, tuple[int, ...]] = {
    "InitializeTableFromTextFile": (1,),
    "InitializeTableFromTextFileV2": (1,),
}
CHECKPOINT_PATH_INPUTS: dict[str, tuple[int, ...]] = {
    **dict.fromkeys(("Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2", "RestoreSlice"), (0,)),
    "MergeV2Checkpoints": (0, 1),
}

_ASSET_COLLECTION = "saved_model_assets"  # TF1's SavedModelBuilder keeps its AssetFileDefs here
#: Ops that call the function their ``f`` attribute names, passing their inputs as its arguments.
CALLS = frozenset({"PartitionedCall", "StatefulPartitionedCall"})
_PASS_THROUGH = frozenset({"Identity", "Snapshot", "ShardedFilename", "ShardedFilespec"})
_MAX_PARTS = 8  # distinct constant suffixes a value may stand for before it counts as "other"
_MAX_INPUTS = 64  # a pure string op with more inputs than this is no path the format builds


class Parts(frozenset):
    """The constant strings a value may be (a suffix a path may be joined with)."""


Label = Any  # ASSET, PREFIX, OTHER or Parts; a missing key is "unset"


class Provenance:
    """The path label of the values of one meta graph: `label(body, tensor)`, where `body` is None
    for the graph's own nodes or a function's name.

    Worked out on demand: a question walks back from the tensor through the ops and calls a path
    could come through (its slice), then carries labels forwards over that slice only. Every value
    joins one slice at most, so all the questions of a scan cost one pass over what they reach.

    `callers` maps each function to the nodes that name it, by (body, node name): (node, direct),
    where direct is True for a call that passes its inputs as the function's arguments.
    """

    def __init__(self, meta_graph: Any, graph_nodes: dict[str, Any], functions: dict[str, Any],
                 callers: dict[str, dict[tuple[str | None, str], tuple[Any, bool]]]):
        self._meta_graph = meta_graph
        self._graph = graph_nodes
        self._functions = functions
        self._callers = callers
        self._function_bodies: dict[str, dict[str, Any]] = {}
        self._call_inputs: dict[tuple[str | None, str], list[str]] = {}
        saver = meta_graph.saver_def.filename_tensor_name
        self._prefix = _node_name(saver) if saver else None
        self._labels: dict[tuple[str | None, str], Label] = {}  # final, once a slice is done

    def label(self, body: str | None, tensor: str) -> Label:
        key = (body, _node_name(tensor))
        if key not in self._labels:
            self._solve(key)
        return self._labels[key]

    # ------------------------------------------------------------------ one slice

    def _solve(self, start: tuple[str | None, str]) -> None:
        """Label `start` and everything its path may come from that is not labelled yet."""
        slice_: dict[tuple[str | None, str], tuple[bool, list]] = {}  # value -> (an argument?, what it reads)
        readers: dict[tuple[str | None, str], list[tuple[str | None, str]]] = {}
        stack = [start]
        while stack:
            key = stack.pop()
            if key in slice_ or key in self._labels:
                continue
            slice_[key] = argument, sources = self._sources(key)
            for source in sources:
                readers.setdefault(source, []).append(key)
                stack.append(source)
        labels: dict[tuple[str | None, str], Label] = {}
        # An argument takes each label passed to it as it comes (a meet, O(1) per change, however many
        # calls pass it one); a node is worked out again from its few inputs.
        queue: deque[tuple[tuple[str | None, str], Label]] = deque((key, None) for key in slice_)
        while queue:
            key, passed = queue.popleft()
            argument, sources = slice_[key]
            if argument:
                label = self._argument_start(key, sources) if passed is None else passed
            else:
                label = self._compute(key, sources, labels)
            if label is None:
                continue
            old = labels.get(key)
            new = label if old is None else _meet(old, label)
            if new != old:
                labels[key] = new
                queue.extend((reader, new if slice_[reader][0] else None) for reader in readers.get(key, ()))
        for key in slice_:
            self._labels[key] = labels[key] if key in labels else OTHER

    def _sources(self, key: tuple[str | None, str]) -> tuple[bool, list[tuple[str | None, str]]]:
        """Whether `key` is a function's argument, and the values its label is made of."""
        body, name = key
        node = self._body(body).get(name)
        if node is None:  # an argument: what every direct call passes it
            return True, [(caller_body, _node_name(inputs[position]))
                          for caller_body, position, inputs in self._call_sites(body, name)]
        if self._fixed(body, node) is not None:
            return False, []
        inputs = _data_inputs(node)
        if node.op in ("Select", "SelectV2"):
            inputs = inputs[1:]
        return False, [(body, _node_name(tensor)) for tensor in inputs]

    def _compute(self, key: tuple[str | None, str], sources: list, labels: dict) -> Label:
        """A node's label from its sources' (None while one it needs is unset)."""
        body, name = key
        node = self._body(body)[name]
        fixed = self._fixed(body, node)
        if fixed is not None:
            return fixed
        found = [labels.get(source, self._labels.get(source)) for source in sources]
        if None in found:
            return None
        if node.op in _PASS_THROUGH:
            return found[0]
        if node.op in ("Select", "SelectV2", "Pack"):
            return functools.reduce(_meet, found)
        return _joined(found, node.attr["separator"].s.decode("utf-8", "replace") if "separator" in node.attr else "")

    def _fixed(self, body: str | None, node: Any) -> Label:
        """The label of a node that is a source of its own (None for one that passes its inputs on)."""
        if body is None and node.name in self._assets:
            return ASSET
        if body is None and node.name == self._prefix:
            return PREFIX
        if node.op == "Const":
            return _constant(node)
        if node.op == "ReadVariableOp" and body is None and node.input:
            return ASSET if _node_name(node.input[0]) in self._asset_variables else OTHER
        if node.op not in _PURE or len(node.input) > _MAX_INPUTS or not _data_inputs(node):
            return OTHER
        return None

    # ------------------------------------------------------------------ arguments and calls

    def _argument_start(self, key: tuple[str | None, str], sources: list) -> Label:
        """What an argument is passed apart from the calls being worked out: the loader's (as an entry
        point), "other" when anything runs the function but a call, and what labelled calls pass."""
        function, arg = key
        if function not in self._args or arg not in self._positions[function]:
            return OTHER  # a name no node or argument of the body has
        position = self._positions[function][arg]
        found = []
        if function in self._entries:
            entry = self._entries[function]
            found.append(entry[position] if position < len(entry) else OTHER)
        if any(not direct for _, direct in self._callers.get(function, {}).values()):
            found.append(OTHER)  # run as a branch, a loop body, a dataset function, a gradient
        found += [self._labels[source] for source in sources if source in self._labels]
        return functools.reduce(_meet, found) if found else None

    def _call_sites(self, function: str, arg: str) -> list[tuple[str | None, int, list[str]]]:
        """(body, position, data inputs) of each direct call that passes `arg` one of its inputs."""
        if function not in self._args or arg not in self._positions[function]:
            return []
        position = self._positions[function][arg]
        sites = []
        for (body, name), (node, direct) in self._callers.get(function, {}).items():
            inputs = self._call_inputs.setdefault((body, name), _data_inputs(node)) if direct else []
            if position < len(inputs):
                sites.append((body, position, inputs))
        return sites

    @cached_property
    def _args(self) -> dict[str, list[str]]:
        return {name: [arg.name for arg in f.signature.input_arg] for name, f in self._functions.items()}

    @cached_property
    def _positions(self) -> dict[str, dict[str, int]]:
        return {name: {arg: position for position, arg in enumerate(args)} for name, args in self._args.items()}

    @cached_property
    def _entries(self) -> dict[str, list[Label]]:
        """The functions the loader calls by themselves, with what it passes: its own inputs (a
        signature's, a caller's) are "other", captured objects are assets only if they are one."""
        object_graph = self._meta_graph.object_graph_def
        # A function an object names without saying what it captures: nothing it is passed is known.
        found = {name: [OTHER] * len(self._args[name]) for name in _object_functions(object_graph)
                 if name in self._functions}
        for name, bound in _captures(object_graph).items():
            if name in self._functions:
                free = len(self._args[name]) - len(bound)
                found[name] = [OTHER] * free + [ASSET if asset else OTHER for asset in bound]
        return found

    def _body(self, body: str | None) -> dict[str, Any]:
        if body is None:
            return self._graph
        if body not in self._function_bodies:
            function = self._functions.get(body)
            self._function_bodies[body] = {} if function is None else {n.name: n for n in function.node_def}
        return self._function_bodies[body]

    @cached_property
    def _assets(self) -> set[str]:
        return _asset_tensors(self._meta_graph)

    # ------------------------------------------------------------------ asset variables

    @cached_property
    def _asset_variables(self) -> set[str]:
        """Graph variables (TF2 exports keep an asset's path in one for the init op) that are only
        read, or assigned an asset tensor, and that no other handle shares."""
        shared: dict[bytes, int] = {}
        bodies = [self._graph.values(), *(f.node_def for f in self._functions.values())]
        for nodes in bodies:
            for node in nodes:
                if node.op == "VarHandleOp":
                    shared[_shared_name(node)] = shared.get(_shared_name(node), 0) + 1
        found = set()
        consumers = _consumers(self._graph, control=True)
        for name, node in self._graph.items():
            if node.op != "VarHandleOp" or shared[_shared_name(node)] != 1:
                continue
            users = [self._graph[user] for user in consumers.get(name, ())]
            if users and all(self._only_reads_or_asset_assign(name, user) for user in users):
                found.add(name)
        return found

    def _only_reads_or_asset_assign(self, variable: str, user: Any) -> bool:
        inputs = _data_inputs(user)
        if user.op in ("ReadVariableOp", "VarIsInitializedOp"):
            return True
        return (user.op == "AssignVariableOp" and len(inputs) == 2 and _node_name(inputs[0]) == variable
                and _node_name(inputs[1]) != variable and _node_name(inputs[1]) in self._assets)


_PURE = _PASS_THROUGH | {"Select", "SelectV2", "Pack", "StringJoin"}


def _meet(a: Label, b: Label) -> Label:
    if a == b:
        return a
    if isinstance(a, Parts) and isinstance(b, Parts):
        union = a | b
        return Parts(union) if len(union) <= _MAX_PARTS else OTHER
    return OTHER


def _joined(labels: list[Label], separator: str) -> Label:
    """A StringJoin's label: the label of a first input that is a path, when every other input is a
    constant suffix that cannot take it out of its directory. An asset is used as it is: the
    format joins suffixes to the checkpoint prefix only (its shards' names)."""
    head, rest = labels[0], labels[1:]
    if not rest:
        return head if head in (ASSET, PREFIX) else OTHER
    if head != PREFIX or not all(isinstance(label, Parts) for label in rest):
        return OTHER
    suffixes = {""}
    for parts in rest:
        suffixes = {suffix + separator + part for suffix in suffixes for part in parts}
        if len(suffixes) > _MAX_PARTS:
            return OTHER
    return head if all(_harmless_suffix(suffix) for suffix in suffixes) else OTHER


def _harmless_suffix(suffix: str) -> bool:
    """A suffix joined to a path that ends in a file name stays beside or below that file: it
    cannot climb (``..``), and it leaves a last name that later suffixes cannot turn into ``..``."""
    normal = suffix.replace("\\", "/")
    return ".." not in normal and not normal.endswith(("/", "."))


def _shared_name(node: Any) -> bytes:
    """The name a variable handle shares with every handle of that name (its own name by default)."""
    shared = node.attr["shared_name"].s if "shared_name" in node.attr else b""
    return shared or node.name.encode()


def _constant(node: Any) -> Label:
    tensor = node.attr["value"].tensor if "value" in node.attr else None
    if tensor is None or not tensor.string_val or len(tensor.string_val) > _MAX_PARTS:
        return OTHER
    return Parts(raw.decode("utf-8", "replace") for raw in tensor.string_val)


def asset_file_defs(meta_graph: Any) -> list[Any]:
    """The assets whose paths the loader feeds to graph tensors: ``asset_file_def`` and, in TF1
    models, the ``saved_model_assets`` collection."""
    assets = list(meta_graph.asset_file_def)
    if _ASSET_COLLECTION in meta_graph.collection_def:
        collection = meta_graph.collection_def[_ASSET_COLLECTION]
        assets += [parse("AssetFileDef", item.value) for item in collection.any_list.value]
    return assets


def _asset_tensors(meta_graph: Any) -> set[str]:
    """The graph tensors of the assets whose file is in the model (a tensor that any asset outside
    it names too is none: which of the two the loader feeds last is not the scanner's to guess)."""
    assets = [asset for asset in asset_file_defs(meta_graph) if asset.tensor_info.name]
    outside = {_node_name(asset.tensor_info.name) for asset in assets if leaves_folder(asset.filename)}
    return {_node_name(asset.tensor_info.name) for asset in assets} - outside


def leaves_folder(name: str) -> bool:
    """True for a path that is absolute, names a drive or URL scheme, or climbs out with ``..``."""
    normal = name.replace("\\", "/")
    return normal.startswith("/") or ":" in normal.split("/")[0] or ".." in normal.split("/")


def _object_functions(object_graph: Any) -> set[str]:
    """Every function the object graph's objects name (the loader may call any of them)."""
    names = set()
    for obj in object_graph.nodes:
        names.update(obj.function.concrete_functions)
        names.add(obj.bare_concrete_function.concrete_function_name)
    return names - {""}


def _captures(object_graph: Any) -> dict[str, list[bool]]:
    """Each concrete function of the object graph -> for each object it captures, whether that
    object is an asset (the loader passes captures after the function's own inputs)."""
    assets = [node.HasField("asset") for node in object_graph.nodes]
    return {name: [0 <= index < len(assets) and assets[index] for index in function.bound_inputs]
            for name, function in object_graph.concrete_functions.items()}


def _consumers(nodes: dict[str, Any], control: bool = False) -> dict[str, list[str]]:
    """Name -> the nodes of the body that read it (as data; with `control`, as a control input too)."""
    found: dict[str, dict[str, None]] = {}
    for node in nodes.values():
        for source in node.input:
            if control or not source.startswith("^"):
                found.setdefault(_node_name(source), {})[node.name] = None
    return {name: list(users) for name, users in found.items()}


def _data_inputs(node: Any) -> list[str]:
    return [source for source in node.input if not source.startswith("^")]


def _node_name(tensor: str) -> str:
    return tensor.lstrip("^").split(":")[0]


def describe(label: Label) -> str:
    """What a label says about a path, for a finding's detail."""
    if isinstance(label, Parts):
        return "a string written into the graph (" + ", ".join(repr(p) for p in sorted(label)) + ")"
    return {ASSET: "the model's own asset", PREFIX: "the loader's checkpoint prefix"}.get(
        label, "a value computed in the graph (not an asset or the checkpoint prefix)")


__all__ = ["ASSET", "CALLS", "PREFIX", "OTHER", "Parts", "Provenance", "TABLE_FILE_INPUTS", "CHECKPOINT_PATH_INPUTS",
           "asset_file_defs", "describe", "leaves_folder"]
