"""Walking a SavedModel's graphs: which nodes and functions can run, from where, and which
of their ops are not allowed.

In each meta graph, entry points are its signatures (the ``__saved_model_init_op``
signature and TF1's init collections included), every function its saved objects
expose (``__call__``, ``.mlm``, ``tokenize``...), and its saver: the nodes the saver's
save and restore tensors need, and the functions they call, are the checkpointing
code where save and restore ops are allowed. Calls are followed through every attribute
that names a function (``PartitionedCall``/``StatefulPartitionedCall``, ``If``/``While``
branches, dataset functions, gradients) and through nodes whose op is a library
function, however deep. An op that opens a file (a table's text file, a checkpoint) must get
its path from the model's own asset or the loader's checkpoint prefix
(`hubfork.scanning.paths`). Graph nodes and library functions that no entry point reaches
are checked too, as computation: nothing in the file runs unchecked.

Every walk keeps a visited set and runs in time and memory linear in the graph's size, so
that a hostile graph (a chain of calls 50,000 deep, thousands of vocab tables at the end of
one long chain of nodes) is scanned like any other.
"""

from __future__ import annotations

import functools
import json
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from hubfork.scanning.calls import Call
from hubfork.scanning.ops import (
    ALLOWED,
    CHECKPOINT_ONLY,
    CODE_EXECUTION,
    FILE_READ,
    FILE_WRITE,
    NETWORK,
    RESTORE_OPS,
    SAVE_OPS,
    category,
    xla_call_module_problem,
)
from hubfork.scanning.paths import (
    ASSET,
    CALLS,
    CHECKPOINT_PATH_INPUTS,
    OTHER,
    PREFIX,
    TABLE_FILE_INPUTS,
    Provenance,
    asset_file_defs,
    describe,
    leaves_folder,
)
from hubfork.scanning.report import Finding

_INIT_COLLECTIONS = ("saved_model_main_op", "legacy_init_op", "table_initializer", "init_op")
# What runs a node: the computation, the saver's save or restore code, or code both of them run.
_COMPUTE, _SAVE, _RESTORE, _CHECKPOINT = "compute", "save", "restore", "checkpoint"
_CONTEXTS = (_COMPUTE, _SAVE, _RESTORE, _CHECKPOINT)


@dataclass
class GraphScan:
    """What the walk of one SavedModel found."""

    findings: list[Finding] = field(default_factory=list)
    ops: Counter = field(default_factory=Counter)
    functions: int = 0
    nodes: int = 0


def scan_saved_model(model: Any) -> GraphScan:
    """Walk every meta graph of a parsed ``SavedModel`` (see `hubfork.scanning.protos`)."""
    result = GraphScan()
    several = len(model.meta_graphs) > 1
    for meta_graph in model.meta_graphs:
        tags = ",".join(meta_graph.meta_info_def.tags) or "no tags"
        suffix = f" [{tags}]" if several else ""
        _MetaGraphWalk(meta_graph, suffix, result).run()
        result.findings += asset_findings(meta_graph, suffix)
    return result


class _MetaGraphWalk:
    def __init__(self, meta_graph: Any, suffix: str, result: GraphScan):
        self.meta_graph = meta_graph
        self.suffix = suffix
        self.result = result
        self.nodes = {node.name: node for node in meta_graph.graph_def.node}
        self.functions = {f.signature.name: f for f in meta_graph.graph_def.library.function}
        self.gradients = {g.function_name: g.gradient_func for g in meta_graph.graph_def.library.gradient}
        # function -> {(body, node): (node, direct)}: every node that names it (see `_callees`)
        self.callers: dict[str, dict[tuple[str | None, str], tuple[Any, bool]]] = {}

    def run(self) -> None:
        self.result.functions += len(self.functions)
        self.result.nodes += len(self.nodes) + sum(len(f.node_def) for f in self.functions.values())
        saver = self.meta_graph.saver_def
        # Graph nodes by the code that needs them: the saver's save tensor, its restore op, or
        # (everything else, reached from an entry point or not) the computation.
        save_nodes = self._closure([("saver (save)", saver.save_tensor_name)] if saver.save_tensor_name else [])
        restore_nodes = self._closure([("saver (restore)", saver.restore_op_name)] if saver.restore_op_name else [])
        compute_nodes = self._closure([*self._signature_roots(), *self._collection_roots()])
        contexts: dict[str, tuple[str, str]] = {}  # node -> (context, entry)
        for name in self.nodes:
            if name in compute_nodes:
                contexts[name] = (_COMPUTE, compute_nodes[name])
            elif name in save_nodes and name in restore_nodes:
                contexts[name] = (_CHECKPOINT, save_nodes[name])
            elif name in save_nodes:
                contexts[name] = (_SAVE, save_nodes[name])
            elif name in restore_nodes:
                contexts[name] = (_RESTORE, restore_nodes[name])
            else:
                contexts[name] = (_COMPUTE, "graph node not reached from a signature")

        objects, saveables = self._object_functions()
        starts: dict[str, list[tuple[str, tuple[str, ...], str]]] = {c: [] for c in _CONTEXTS}
        for name, (context, entry) in contexts.items():
            starts[context] += [(f"{entry}{self.suffix}", ("graph node " + name,), callee)
                                for callee in self._callees(self.nodes[name], None)]
        starts[_COMPUTE] += [(f"object {path}{self.suffix}", (), fn) for path, fn in objects]
        for kind, path, fn in saveables:
            starts[kind].append((f"object {path}{self.suffix}", (), fn))
        # A function reached from several kinds of code is held to the strictest: computation
        # first, then code both saving and restoring reach, then the rest.
        reach_save = set(self._call_closure(starts[_SAVE], {}))
        reach_restore = set(self._call_closure(starts[_RESTORE], {}))
        paths: dict[str, dict[str, Call]] = {}
        known: dict[str, Call] = {}
        for context in (_COMPUTE, _CHECKPOINT, _SAVE, _RESTORE):
            paths[context] = self._call_closure(starts[context], known)
            known.update(paths[context])
        for context in (_SAVE, _RESTORE):
            for name in [n for n in paths[context] if n in reach_save and n in reach_restore]:
                paths[_CHECKPOINT][name] = paths[context].pop(name)
        for name in self.functions:
            if name not in known:
                found = self._call_closure(
                    [(f"function library{self.suffix} (not reached from an entry point)", (), name)], known)
                paths[_COMPUTE].update(found)
                known.update(found)

        provenance = Provenance(self.meta_graph, self.nodes, self.functions, self.callers)
        graph_path_of = functools.partial(provenance.label, None)
        for name, (context, entry) in contexts.items():
            self._check(self.nodes[name], context, "graph", (entry + self.suffix,), graph_path_of)
        for context, found in paths.items():
            for name, call in found.items():
                path_of = functools.partial(provenance.label, name)
                for node in self.functions[name].node_def:
                    self._check(node, context, name, call, path_of)

    # ------------------------------------------------------------------ entry points

    def _signature_roots(self) -> Iterator[tuple[str, str]]:
        for key, signature in sorted(self.meta_graph.signature_def.items()):
            label = "init op" if key == "__saved_model_init_op" else f"signature {key}"
            for info in [*signature.outputs.values(), *signature.inputs.values()]:
                for tensor in _tensor_names(info):
                    yield label, tensor

    def _collection_roots(self) -> Iterator[tuple[str, str]]:
        for key in _INIT_COLLECTIONS:
            if key in self.meta_graph.collection_def:
                for tensor in self.meta_graph.collection_def[key].node_list.value:
                    yield f"init op ({key})", tensor

    def _object_functions(self) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
        """(object path, function) of every saved function of the computation, and (save or
        restore, object path, function) of the save and restore functions of saveable objects."""
        objects = self.meta_graph.object_graph_def.nodes
        if not objects:
            return [], []
        paths = {0: "root"}
        queue = deque([0])
        while queue:
            parent = queue.popleft()
            for child in objects[parent].children:
                if child.node_id not in paths and 0 <= child.node_id < len(objects):
                    paths[child.node_id] = f"{paths[parent]}.{child.local_name}"
                    queue.append(child.node_id)
        kinds = {}
        for obj in objects:
            for saveable in obj.saveable_objects.values():
                kinds[saveable.save_function] = _SAVE
                kinds[saveable.restore_function] = _RESTORE
        compute, checkpoint = [], []
        for index, obj in enumerate(objects):
            names = [*obj.function.concrete_functions, obj.bare_concrete_function.concrete_function_name]
            where = paths.get(index, f"node {index}")
            if index in kinds:
                checkpoint += [(kinds[index], where, name) for name in names if name]
            else:
                compute += [(where, name) for name in names if name]
        return compute, checkpoint

    # ------------------------------------------------------------------ reachability

    def _closure(self, roots: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Graph nodes the given tensors need (through data and control inputs): node -> entry."""
        reached: dict[str, str] = {}
        queue = deque()
        for entry, tensor in roots:
            queue.append((entry, _node_name(tensor)))
        while queue:
            entry, name = queue.popleft()
            if name in reached or name not in self.nodes:
                continue
            reached[name] = entry
            queue.extend((entry, _node_name(source)) for source in self.nodes[name].input)
        return reached

    def _call_closure(self, starts: list[tuple[str, tuple[str, ...], str]],
                      known: dict[str, Call]) -> dict[str, Call]:
        """Functions reachable from `starts` (entry, path prefix, function) and not in `known`:
        function -> how the walk first reached it (breadth first: by a shortest chain of calls)."""
        reached: dict[str, Call] = {}
        queue: deque[tuple[Call | None, tuple[str, ...], str]] = deque(
            (None, (entry, *prefix), name) for entry, prefix, name in starts)
        while queue:
            caller, entry, name = queue.popleft()
            if name in reached or name in known or name not in self.functions:
                continue
            call = reached[name] = Call.first(name, entry) if caller is None else caller.callee(name)
            callees = [callee for node in self.functions[name].node_def for callee in self._callees(node, name)]
            if name in self.gradients:
                callees.append(self.gradients[name])
                # The runtime calls a gradient function itself, with arguments of its own choosing.
                self.callers.setdefault(self.gradients[name], {})[(name, "gradient")] = (None, False)
            queue.extend((call, (), callee) for callee in callees)
        return reached

    def _callees(self, node: Any, body: str | None) -> list[str]:
        """Library functions a node of `body` calls: its op, or any function its attributes name.
        Each is noted in `callers`, as a direct call (inputs passed as arguments) or not."""
        op = node.op
        found = [op] if op in self.functions else []
        found += [name for name in _attr_functions(node.attr.values()) if name in self.functions]
        if found:
            direct = node.attr["f"].func.name if op in CALLS and "f" in node.attr else op
            key = (body, node.name)
            for name in found:
                self.callers.setdefault(name, {})[key] = (node, name == direct)
        return found

    # ------------------------------------------------------------------ checks

    def _check(self, node: Any, context: str, where: str, route: Call | tuple[str, ...],
               path_of: Callable[[str], Any]) -> None:
        if node.op in self.functions:
            return  # a call, followed by the walk
        self.result.ops[node.op] += 1
        problem = _problem(node, context, path_of)
        if problem is not None:
            kind, detail = problem
            path = route.path() if isinstance(route, Call) else route
            self.result.findings.append(Finding(node.op, kind, where, node.name, path, detail))


def _problem(node: Any, context: str, path_of: Callable[[str], Any]) -> tuple[str, str] | None:
    """(category, detail) when `node` may not run in `context`, else None. `path_of` gives the
    provenance label (`hubfork.scanning.paths`) of a tensor of the node's body."""
    op = node.op
    if op == "PrintV2":
        stream = node.attr["output_stream"].s.decode("utf-8", "replace") if "output_stream" in node.attr else ""
        return (FILE_WRITE, f"prints to {stream}") if stream.startswith("file://") else None
    if op in TABLE_FILE_INPUTS:
        return _path_problem(node, TABLE_FILE_INPUTS[op], ASSET, FILE_READ, "fills a lookup table from", path_of)
    if "debug_urls" in node.attr:
        urls = _debug_urls(node)
        return _debug_category(urls, node.op), ("sends tensors to " + ", ".join(urls)) if urls else ""
    if op == "XlaCallModule":  # computation, unless its StableHLO module calls back into the host
        detail = xla_call_module_problem(node.attr)
        return (CODE_EXECUTION, detail) if detail else None
    if op in ALLOWED:
        return None
    naming = CHECKPOINT_ONLY - SAVE_OPS - RESTORE_OPS  # shard file names, no I/O of their own
    allowed_here = {_SAVE: SAVE_OPS | naming, _RESTORE: RESTORE_OPS | naming, _CHECKPOINT: naming}
    if op in allowed_here.get(context, ()):
        if op not in CHECKPOINT_PATH_INPUTS:
            return None
        verb = "writes a checkpoint at" if op in SAVE_OPS else "reads a checkpoint from"
        return _path_problem(node, CHECKPOINT_PATH_INPUTS[op], PREFIX, category(op), verb, path_of)
    if op in CHECKPOINT_ONLY:
        where = {_SAVE: "saving", _RESTORE: "restoring"}.get(context, "the computation")
        return category(op), f"a save/restore op in {where}, where the SavedModel format has none"
    return category(op), ""


def _path_problem(node: Any, positions: tuple[int, ...], expected: str, kind: str, verb: str,
                  path_of: Callable[[str], Any]) -> tuple[str, str] | None:
    """A finding when a path input of `node` is not provably `expected` (the model's asset, the
    loader's checkpoint prefix), else None."""
    inputs = [source for source in node.input if not source.startswith("^")]
    for position in positions:
        label = path_of(inputs[position]) if position < len(inputs) else OTHER
        if label != expected:
            return kind, f"{verb} {describe(label)}: path not provably inside the model (expected {expected})"
    return None


def _debug_urls(node: Any) -> list[str]:
    return [url.decode("utf-8", "replace") for url in node.attr["debug_urls"].list.s]


def _debug_category(urls: list[str], op: str) -> str:
    """A debug op's category follows where its URLs send tensors: files, or another process."""
    if urls and all(url.startswith("file://") for url in urls):
        return FILE_WRITE
    if any(not url.startswith("file://") for url in urls):
        return NETWORK
    return category(op)


def asset_findings(meta_graph: Any, suffix: str = "") -> list[Finding]:
    """Assets whose file name leads outside the model's ``assets/`` folder: loading hands that
    path to whatever reads the asset (a vocab table, ...)."""
    return [Finding("AssetFileDef", FILE_READ, "graph", asset.tensor_info.name or asset.filename,
                    (f"assets{suffix}",), f"asset file {asset.filename!r} is outside the model's assets/ folder")
            for asset in asset_file_defs(meta_graph) if leaves_folder(asset.filename)]


class MetadataTooDeepError(ValueError):
    """A node of ``keras_metadata.pb`` whose JSON nests deeper than Python's decoder goes: the scan
    cannot tell what it holds (a loader with more stack to spare might), so cannot clear it."""


def keras_findings(metadata: Any) -> tuple[list[Finding], list[str]]:
    """Lambda layers (Python bytecode that ``tf_keras.models.load_model`` would run) as findings,
    and the custom classes a Keras SavedModel names, as notes, from parsed ``keras_metadata.pb``.

    Raises:
        MetadataTooDeepError: a node's JSON is nested too deep to decode.
    """
    nodes = []
    for node in metadata.nodes:
        try:
            data = json.loads(node.metadata) if node.metadata else {}
        except ValueError:
            data = {}
        except RecursionError:
            where = repr(node.node_path) if node.node_path else f"number {node.node_id}"
            reason = f"the JSON metadata of Keras object {where} is nested too deep to read"
            raise MetadataTooDeepError(reason) from None
        nodes.append((node, data if isinstance(data, dict) else {}))
    # A model's config repeats its layers' configs: report each Lambda layer once, as its own node
    # (or, where no node is one, where the bytecode sits).
    lambdas = [(node, data) for node, data in nodes if data.get("class_name") == "Lambda"]
    lambdas = lambdas or [(node, data) for node, data in nodes if _has_lambda(data)]
    findings = [Finding("Lambda", CODE_EXECUTION, node.node_path or "keras_metadata.pb", str(data.get("name", "")),
                        ("keras_metadata.pb", node.node_path),
                        "a Keras Lambda layer holds Python bytecode that tf_keras.models.load_model runs")
                for node, data in lambdas]
    custom = {data["class_name"] for _, data in nodes
              if isinstance(data.get("class_name"), str) and data["class_name"] not in _KERAS_CLASSES}
    notes = [f"Keras custom objects: {', '.join(sorted(custom))} (their code is not in the file: hub.load and "
             "hubfork restore them without it)"] if custom else []
    return findings, notes


# Keras classes whose code ships with Keras itself.
_KERAS_CLASSES = frozenset("""
Functional Sequential Model InputLayer Dense Dropout Embedding LayerNormalization BatchNormalization Activation
Add Concatenate Multiply Average Maximum Minimum Subtract Dot Reshape Flatten Permute RepeatVector Lambda Masking
Conv1D Conv2D Conv3D MaxPooling1D MaxPooling2D AveragePooling1D AveragePooling2D GlobalAveragePooling1D
GlobalAveragePooling2D GlobalMaxPooling1D GlobalMaxPooling2D MultiHeadAttention Attention EinsumDense LSTM GRU
SimpleRNN Bidirectional TimeDistributed ZeroPadding1D ZeroPadding2D Cropping1D Cropping2D UpSampling2D
SpatialDropout1D GaussianNoise GaussianDropout Softmax ReLU LeakyReLU PReLU ELU TFOpLambda SlicingOpLambda
KerasLayer TextVectorization StringLookup IntegerLookup Normalization Rescaling Resizing CenterCrop
""".split())


def _has_lambda(data: Any) -> bool:
    # A stack, not recursion: JSON nested as deep as the decoder allows must not overflow this walk.
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("function_type") == "lambda":
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _attr_functions(values: Iterable[Any]) -> Iterator[str]:
    # Recursion bounded by protobuf's own nesting limit (100 messages deep) on what it parses.
    for value in values:
        if value.HasField("func"):
            yield value.func.name
            yield from _attr_functions(value.func.attr.values())
        if value.HasField("list"):
            for func in value.list.func:
                yield func.name
                yield from _attr_functions(func.attr.values())


def _tensor_names(info: Any) -> Iterator[str]:
    # Recursion bounded by protobuf's own nesting limit, as for `_attr_functions`.
    if info.name:
        yield info.name
    sparse = info.coo_sparse
    yield from (n for n in (sparse.values_tensor_name, sparse.indices_tensor_name, sparse.dense_shape_tensor_name) if n)
    for component in info.composite_tensor.components:
        yield from _tensor_names(component)


def _node_name(tensor: str) -> str:
    """``^node`` (control input), ``node:0`` and, inside functions, ``node:output:0`` -> ``node``."""
    return tensor.lstrip("^").split(":")[0]


__all__ = ["GraphScan", "MetadataTooDeepError", "scan_saved_model", "keras_findings"]
