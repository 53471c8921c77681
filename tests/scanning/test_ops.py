"""The allowlist names real ops, and the categories never overlap it."""

from __future__ import annotations

import tensorflow as tf  # noqa: F401  (registers TensorFlow's ops)
import tensorflow_text  # noqa: F401  (registers TF Text's)
from tensorflow.core.framework import op_def_pb2
from tensorflow.python.client import _pywrap_tf_session

from hubfork.scanning import ops


def registered_ops() -> set[str]:
    listing = op_def_pb2.OpList.FromString(_pywrap_tf_session.TF_GetBuffer(_pywrap_tf_session.TF_GetAllOpList()))
    return {op.name for op in listing.op}


def test_every_listed_name_is_an_op_tensorflow_or_tf_text_registers():
    registered = registered_ops()
    assert sorted(ops.ALLOWED - registered) == []
    assert sorted(set(ops.KNOWN_RISKS) - registered) == []
    assert sorted(ops.CHECKPOINT_ONLY - registered) == []


def test_no_op_is_both_allowed_and_a_known_risk():
    assert ops.ALLOWED.isdisjoint(ops.KNOWN_RISKS)
    assert ops.CHECKPOINT_ONLY <= set(ops.KNOWN_RISKS)  # outside checkpointing they are findings


def test_the_ops_of_the_published_research_are_findings():
    expected = {
        "ReadFile": ops.FILE_READ, "ImmutableConst": ops.FILE_READ, "FixedLengthRecordDatasetV2": ops.FILE_READ,
        "CSVDatasetV2": ops.FILE_READ, "MatchingFiles": ops.FILE_READ, "WriteFile": ops.FILE_WRITE,
        "Save": ops.FILE_WRITE, "SaveSlices": ops.FILE_WRITE, "DistributedSave": ops.NETWORK,
        "DebugIdentityV3": ops.NETWORK, "RpcCall": ops.NETWORK, "RpcClient": ops.NETWORK,
        "DataServiceDatasetV4": ops.NETWORK, "PyFunc": ops.CODE_EXECUTION, "EagerPyFunc": ops.CODE_EXECUTION,
    }
    assert {op: ops.category(op) for op in expected} == expected
    assert ops.category("SomeCustomOp") == ops.UNKNOWN_OP
