"""The op table covers what TensorFlow, tf.data and TF Text register, by category, with the counts
docs/security.md prints; the ops of common authoring paths are allowed; XlaCallModule's check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tensorflow as tf
import tensorflow_text as tf_text
from tensorflow.compiler.tf2xla.ops import gen_xla_ops

from hubfork.scanning import ops
from tests.conftest import ROOT
from tests.fixtures.scripts import load_script

op_registry = load_script("scripts/op_registry.py")


@pytest.fixture(scope="module")
def registered() -> set[str]:
    return op_registry.registered_ops()


def test_every_listed_name_is_an_op_tensorflow_or_tf_text_registers(registered):
    assert sorted(ops.ALLOWED - registered) == []
    assert sorted(set(ops.KNOWN_RISKS) - registered) == []
    assert sorted(ops.CHECKPOINT_ONLY - registered) == []
    assert sorted(ops.UNVETTED - registered) == []


def test_every_registered_op_is_allowed_a_known_risk_or_unvetted(registered):
    assert op_registry.differences(registered) == ([], [])


def test_no_op_is_in_two_parts_or_two_categories():
    rows = op_registry.parts()
    seen: dict[str, str] = {}
    twice = []
    for part, name, names in rows:
        for op in names:
            if op in seen:
                twice.append((op, seen[op], f"{part}: {name}"))
            seen[op] = f"{part}: {name}"
    assert twice == []
    assert ops.CHECKPOINT_ONLY <= set(ops.KNOWN_RISKS)  # outside checkpointing they are findings


def test_docs_print_the_counts_by_category():
    security = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert op_registry.counts_table() in security, "run `python scripts/op_registry.py` and paste its table"


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


def test_ops_that_name_a_file_in_an_attribute_or_run_a_hidden_graph_are_findings():
    expected = {
        "DecodeProtoV2": ops.FILE_READ, "EncodeProto": ops.FILE_READ, "FixedUnigramCandidateSampler": ops.FILE_READ,
        "Skipgram": ops.FILE_READ, "SnapshotDatasetReader": ops.FILE_READ, "Copy": ops.NETWORK,
        "XlaSendToHost": ops.NETWORK, "DatasetFromGraph": ops.CODE_EXECUTION,
        "MlirPassthroughOp": ops.CODE_EXECUTION, "XlaCustomCallV2": ops.CODE_EXECUTION,
    }
    assert {op: ops.category(op) for op in expected} == expected
    assert ops.category("TPUExecute") == ops.UNKNOWN_OP  # unvetted


def test_every_op_tf_text_registers_is_allowed():
    from tensorflow.core.framework import op_def_pb2
    from tensorflow.python.client import pywrap_tf_session

    # TF Text's op libraries (its ops and metrics); loading one again returns the handle TF already holds.
    libraries = sorted(Path(tf_text.__file__).parent.glob("python/*/_*.so"))
    handles = [pywrap_tf_session.TF_LoadLibrary(str(library)) for library in libraries]
    text_ops = {op.name for handle in handles
                for op in op_def_pb2.OpList.FromString(pywrap_tf_session.TF_GetOpList(handle)).op}
    assert len(libraries) >= 20 and {"RougeL", "WordpieceTokenizeWithOffsets", "SentencepieceOp"} <= text_ops
    assert sorted(text_ops - ops.ALLOWED) == []
    assert text_ops <= ops.ALLOWED_FAMILIES["text"]


# The ops real authoring paths put in a graph: traced here with the libraries themselves, every op of the
# graph and of every function in its library (the branches never taken included, like tf_keras's cuDNN one).

def _ops_of(function, *specs) -> set[str]:
    graph = function.get_concrete_function(*specs).graph.as_graph_def()
    names = {node.op for node in graph.node}
    names |= {node.op for fdef in graph.library.function for node in fdef.node_def}
    return names - {fdef.signature.name for fdef in graph.library.function}


def _not_allowed(names: set[str]) -> list[str]:
    return sorted(names - ops.ALLOWED)


def test_keras_3_augmentation_and_preprocessing_layers_run_allowed_ops():
    import keras

    layers = keras.Sequential([
        keras.Input((32, 32, 3)), keras.layers.Resizing(24, 24), keras.layers.RandomFlip(),
        keras.layers.RandomRotation(0.1), keras.layers.RandomZoom(0.1), keras.layers.RandomTranslation(0.1, 0.1),
        keras.layers.RandomCrop(20, 20), keras.layers.RandomContrast(0.2), keras.layers.RandomBrightness(0.2),
        keras.layers.CenterCrop(16, 16), keras.layers.Rescaling(1 / 255), keras.layers.Normalization(mean=0.5,
                                                                                                     variance=0.25),
    ])
    found = _ops_of(tf.function(lambda x: layers(x, training=True)), tf.TensorSpec([None, 32, 32, 3]))
    assert {"ImageProjectiveTransformV3", "StatelessRandomUniformV2"} <= found
    assert _not_allowed(found) == []


def test_tf_keras_recurrent_layers_keep_allowed_cudnn_branches():
    import tf_keras

    model = tf_keras.Sequential([tf_keras.layers.Embedding(20, 4), tf_keras.layers.LSTM(3, return_sequences=True),
                                 tf_keras.layers.GRU(3), tf_keras.layers.Dense(2)])
    found = _ops_of(tf.function(lambda ids: model(ids)), tf.TensorSpec([None, 5], tf.int32))
    assert found & {"CudnnRNN", "CudnnRNNV2", "CudnnRNNV3"}  # the cuDNN branch, beside the CPU one
    assert _not_allowed(found) == []


def test_audio_and_signal_run_allowed_ops():
    def audio(wav):
        waveform, rate = tf.audio.decode_wav(wav, desired_channels=1)
        spectrogram = tf.raw_ops.AudioSpectrogram(input=waveform, window_size=64, stride=32)
        mfcc = tf.raw_ops.Mfcc(spectrogram=spectrogram, sample_rate=rate)
        stft = tf.signal.stft(waveform[:, 0], frame_length=64, frame_step=32)
        mel = tf.tensordot(tf.abs(stft), tf.signal.linear_to_mel_weight_matrix(8, 33, 16000), 1)
        features = tf.signal.mfccs_from_log_mel_spectrograms(tf.math.log(mel + 1e-6))
        back = tf.signal.inverse_stft(stft, frame_length=64, frame_step=32)
        return tf.audio.encode_wav(back[:, None], rate), mfcc, features

    found = _ops_of(tf.function(audio), tf.TensorSpec([], tf.string))
    assert {"DecodeWav", "EncodeWav", "AudioSpectrogram", "Mfcc", "RFFT", "IRFFT"} <= found
    assert _not_allowed(found) == []


def test_tf_image_runs_allowed_ops():
    def image(png, boxes):
        pixels = tf.cast(tf.io.decode_png(png, channels=3), tf.float32)[None]
        sizes = [tf.image.resize(pixels, [8, 8], method=method, antialias=antialias)
                 for method in ("bilinear", "nearest", "bicubic", "area", "lanczos3", "mitchellcubic")
                 for antialias in (False, True)]
        seed = tf.constant([1, 2])
        pieces = [
            tf.image.crop_and_resize(pixels, boxes, tf.zeros([2], tf.int32), [4, 4]),
            tf.image.adjust_hue(pixels / 255, 0.1), tf.image.adjust_saturation(pixels, 2.0),
            tf.image.adjust_contrast(pixels, 0.5), tf.image.hsv_to_rgb(tf.image.rgb_to_hsv(pixels / 255)),
            tf.image.stateless_random_flip_left_right(pixels, seed),
            tf.image.stateless_random_crop(pixels, [1, 4, 4, 3], seed),
            tf.image.extract_patches(pixels, [1, 2, 2, 1], [1, 2, 2, 1], [1, 1, 1, 1], "VALID"),
            tf.image.draw_bounding_boxes(pixels, boxes[None], [[1.0, 0.0, 0.0, 1.0]]),
            tf.image.sobel_edges(pixels), tf.image.per_image_standardization(pixels), tf.image.rot90(pixels),
        ]
        kept = tf.image.non_max_suppression(boxes, tf.ones([2]), 2)
        begin, size, _ = tf.image.stateless_sample_distorted_bounding_box(
            tf.shape(pixels)[1:], boxes[None], seed, min_object_covered=0.1)
        encoded = tf.io.encode_png(tf.cast(sizes[0][0], tf.uint8))
        return [tf.reduce_sum(piece) for piece in sizes + pieces] + [kept, begin, size, encoded]

    found = _ops_of(tf.function(image), tf.TensorSpec([], tf.string), tf.TensorSpec([2, 4]))
    assert {"ScaleAndTranslate", "ResizeBilinear", "CropAndResize", "DecodePng", "EncodePng"} <= found
    assert _not_allowed(found) == []


def test_a_training_step_runs_allowed_gradient_and_optimizer_ops():
    import tf_keras

    model = tf_keras.Sequential([tf_keras.Input((8, 8, 1)), tf_keras.layers.Conv2D(2, 3, activation="relu"),
                                 tf_keras.layers.BatchNormalization(), tf_keras.layers.MaxPooling2D(),
                                 tf_keras.layers.Flatten(), tf_keras.layers.Dense(3, activation="tanh"),
                                 tf_keras.layers.Dense(2)])
    optimizer = tf_keras.optimizers.Adam()
    optimizer.build(model.trainable_variables)

    def train(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, model(x, training=True)))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss

    found = _ops_of(tf.function(train), tf.TensorSpec([None, 8, 8, 1]), tf.TensorSpec([None], tf.int32))
    assert {"BiasAddGrad", "ReluGrad", "Conv2DBackpropFilter", "MaxPoolGrad", "TanhGrad"} <= found
    assert _not_allowed(found) == []


# XlaCallModule: jax2tf's op, written here with a StableHLO module in its textual form (the op takes text
# or bytecode, and custom-call target names are stored verbatim in both).

_ADD = """module @jit_f {
  func.func public @main(%arg0: tensor<3xf32>) -> tensor<3xf32> {
    %0 = stablehlo.add %arg0, %arg0 : tensor<3xf32>
    return %0 : tensor<3xf32>
  }
}"""
_CALLBACK = """module @jit_f {
  func.func public @main(%arg0: tensor<3xf32>) -> tensor<3xf32> {
    %0 = stablehlo.custom_call @TARGET(%arg0) {api_version = 4 : i32, backend_config = {index = 0 : ui64},
      has_side_effect = true} : (tensor<3xf32>) -> tensor<3xf32>
    return %0 : tensor<3xf32>
  }
}"""


def _xla_call_module(module: str, **attrs) -> tf.types.experimental.GenericFunction:
    @tf.function(input_signature=[tf.TensorSpec([3], tf.float32)])
    def call(x):
        return gen_xla_ops.xla_call_module([x], version=9, module=module, Sout=[[3]], Tout=[tf.float32],
                                           platforms=["CPU"], **attrs)[0]
    return call


def _xla_node(call) -> object:
    graph = call.get_concrete_function().graph.as_graph_def()
    return next(node for node in graph.node if node.op == "XlaCallModule")


def test_a_stablehlo_computation_in_a_saved_model_is_allowed(tmp_path):
    from tensorflow.core.protobuf import saved_model_pb2

    module = tf.Module()
    module.f = _xla_call_module(_ADD)
    assert module.f(tf.constant([1.0, 2.0, 3.0])).numpy().tolist() == [2.0, 4.0, 6.0]  # a module TF runs
    tf.saved_model.save(module, str(tmp_path))
    saved = saved_model_pb2.SavedModel.FromString((tmp_path / "saved_model.pb").read_bytes())
    nodes = [node for fdef in saved.meta_graphs[0].graph_def.library.function for node in fdef.node_def
             if node.op == "XlaCallModule"]
    assert len(nodes) == 1 and "XlaCallModule" in ops.ALLOWED
    assert ops.xla_call_module_problem(nodes[0].attr) is None


@pytest.mark.parametrize("target", ["xla_python_cpu_callback", "xla_ffi_python_cpu_callback",
                                    "xla_python_gpu_callback", "xla_ffi_python_gpu_callback"])
def test_a_stablehlo_module_that_calls_back_into_python_is_code_execution(target):
    node = _xla_node(_xla_call_module(_CALLBACK.replace("TARGET", target)))
    assert ops.xla_call_module_problem(node.attr) == f"its StableHLO module calls back into Python ({target})"


def test_a_stablehlo_module_with_an_effect_token_or_unchecked_custom_calls_is_code_execution():
    token = _xla_node(_xla_call_module(_ADD, has_token_input_output=True))
    assert re.search("effect token", ops.xla_call_module_problem(token.attr))
    unchecked = _xla_node(_xla_call_module(_ADD, disabled_checks=["platform", "custom_call:my_kernel"]))
    assert ops.xla_call_module_problem(unchecked.attr) == (
        "its export disabled the check on custom calls (custom_call:my_kernel)")
    platform_only = _xla_node(_xla_call_module(_ADD, disabled_checks=["platform"]))
    assert ops.xla_call_module_problem(platform_only.attr) is None


def test_a_saved_model_whose_stablehlo_module_calls_back_into_python_is_refused_by_the_scan(tmp_path):
    from hubfork.scanning import scan

    module = tf.Module()
    module.f = _xla_call_module(_CALLBACK.replace("TARGET", "xla_ffi_python_cpu_callback"))
    tf.saved_model.save(module, str(tmp_path), signatures=module.f.get_concrete_function())
    findings = scan(tmp_path).findings
    # Found in each function that holds the call (the signature's and the object's traces).
    detail = "its StableHLO module calls back into Python (xla_ffi_python_cpu_callback)"
    assert findings and {(f.op, f.category, f.detail) for f in findings} == {("XlaCallModule", ops.CODE_EXECUTION,
                                                                              detail)}
