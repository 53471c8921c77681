"""Which TensorFlow ops a model may run: an allowlist, by family, and the categories of
what the scanner reports.

An op is fine only if it is listed here as something a model's computation needs: math,
array and control flow, variables, lookup tables, random numbers, pure string and text
ops (TF Text's tokenizers included), in-memory datasets. Save and restore ops are fine
only in the functions the SavedModel format runs to write and read checkpoints.
Everything else is reported: the ops known to touch files, the network or run code
under their category, any other op as ``unknown-op`` (a new or custom op is not trusted
because nobody has looked at it). ``tests/scanning/test_ops.py`` checks that every name
here is an op TensorFlow (or TF Text) registers.
"""

from __future__ import annotations


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_MATH = _names("""
All Any Abs Acos Acosh Add AddN AddV2 Angle ApproximateEqual ArgMax ArgMin Asin Asinh Atan Atan2 Atanh BesselI0e
BesselI1e Betainc BiasAdd BiasAddV1 Bincount BitwiseAnd BitwiseOr BitwiseXor Bucketize Ceil ClipByValue Complex
ComplexAbs Conj Cos Cosh Cross Cumprod Cumsum CumulativeLogsumexp DenseBincount Digamma Div DivNoNan Equal Erf Erfc
Erfinv EuclideanNorm Exp Expm1 Floor FloorDiv FloorMod Greater GreaterEqual HistogramFixedWidth Igamma Igammac Imag
InTopKV2 Inv Invert IsFinite IsInf IsNan LeftShift Less LessEqual Lgamma Log Log1p LogicalAnd LogicalNot LogicalOr
Max Maximum Mean Min Minimum Mod Mul MulNoNan Ndtri Neg NextAfter NotEqual PopulationCount Pow Prod RaggedBincount
Real RealDiv Reciprocal RightShift Rint Round Rsqrt SegmentMax SegmentMean SegmentMin SegmentProd SegmentSum Sigmoid
Sign Sin Sinh Sqrt Square SquaredDifference Sub Sum Tan Tanh TruncateDiv TruncateMod UnsortedSegmentMax
UnsortedSegmentMin UnsortedSegmentProd UnsortedSegmentSum Xdivy Xlog1py Xlogy Zeta
""")
_LINEAR_ALGEBRA = _names("""
BatchMatMul BatchMatMulV2 BatchMatMulV3 Cholesky Einsum LogMatrixDeterminant MatMul MatrixBandPart MatrixDeterminant
MatrixDiag MatrixDiagPart MatrixDiagPartV2 MatrixDiagPartV3 MatrixDiagV2 MatrixDiagV3 MatrixInverse MatrixSetDiag
MatrixSetDiagV2 MatrixSetDiagV3 MatrixSolve MatrixTriangularSolve Qr SelfAdjointEigV2 SparseMatMul Svd FFT FFT2D
FFT3D IFFT IFFT2D IFFT3D IRFFT IRFFT2D IRFFT3D RFFT RFFT2D RFFT3D
""")
_NEURAL_NETWORKS = _names("""
AvgPool AvgPool3D Conv2D Conv2DBackpropFilter Conv2DBackpropInput Conv3D DepthwiseConv2dNative Dilation2D Elu
FusedBatchNorm FusedBatchNormV2 FusedBatchNormV3 L2Loss LRN LeakyRelu LogSoftmax MaxPool MaxPool3D MaxPoolV2
MaxPoolWithArgmax NthElement Relu Relu6 Selu Softmax SoftmaxCrossEntropyWithLogits Softplus Softsign
SparseSoftmaxCrossEntropyWithLogits TopKV2 FakeQuantWithMinMaxArgs FakeQuantWithMinMaxVars
FakeQuantWithMinMaxVarsPerChannel QuantizeAndDequantizeV2 QuantizeAndDequantizeV3 QuantizeAndDequantizeV4
""")
_ARRAYS = _names("""
Print ResourceGather ResourceGatherNd VariableShape Timestamp GuaranteeConst _Arg _Retval Assert BatchToSpaceND
Bitcast BroadcastArgs BroadcastGradientArgs BroadcastTo Cast CheckNumerics CheckNumericsV2 Concat ConcatOffset
ConcatV2 ConjugateTranspose Const DeepCopy DepthToSpace Diag DiagPart Empty EnsureShape ExpandDims
ExtractImagePatches Fill Gather GatherNd GatherV2 Identity IdentityN InplaceAdd InplaceSub InplaceUpdate
InvertPermutation LinSpace ListDiff LowerBound MirrorPad NoOp OneHot OnesLike Pack Pad PadV2 Placeholder
PlaceholderWithDefault PreventGradient Range Rank Reshape Reverse ReverseSequence ReverseV2 Roll ScatterNd Select
SelectV2 Shape ShapeN Size Slice Snapshot SpaceToBatchND SpaceToDepth Split SplitV Squeeze StopGradient StridedSlice
StridedSliceGrad TensorScatterAdd TensorScatterMax TensorScatterMin TensorScatterSub TensorScatterUpdate
TensorStridedSliceUpdate Tile Transpose Unique UniqueV2 UniqueWithCounts Unpack UpperBound Where ZerosLike
""")
_RAGGED_AND_SPARSE = _names("""
RaggedCross RaggedGather RaggedRange RaggedTensorFromVariant RaggedTensorToSparse RaggedTensorToTensor
RaggedTensorToVariant SparseAdd SparseConcat SparseCross SparseCrossHashed SparseCrossV2 SparseFillEmptyRows
SparseReduceMax SparseReduceSum SparseReorder SparseReshape SparseSegmentMean SparseSegmentMeanWithNumSegments
SparseSegmentSqrtN SparseSegmentSqrtNWithNumSegments SparseSegmentSum SparseSegmentSumWithNumSegments SparseSlice
SparseSplit SparseTensorDenseAdd SparseTensorDenseMatMul SparseToDense
""")
_STRINGS = _names("""
AsString DecodeBase64 DecodeCSV DecodeJSONExample DecodeRaw EncodeBase64 Fingerprint ParseExample ParseExampleV2
ParseSequenceExample ParseSequenceExampleV2 ParseSingleExample ParseSingleSequenceExample ParseTensor ReduceJoin
RegexFullMatch RegexReplace SerializeTensor StaticRegexFullMatch StaticRegexReplace StringFormat StringJoin
StringLength StringLower StringNGrams StringSplit StringSplitV2 StringStrip StringToHashBucket
StringToHashBucketFast StringToHashBucketStrong StringToNumber StringUpper Substr UnicodeDecode
UnicodeDecodeWithOffsets UnicodeEncode UnicodeScript UnicodeTranscode
""")
# TF Text's ops (tensorflow_text registers them when imported); none reads or writes anything
# but its inputs and attributes (a SentencePiece model travels as an attribute, not a file).
_TEXT = _names("""
CaseFoldUTF8 ConstrainedSequence FastBertNormalize FastWordpieceTokenizeWithOffsets FindSourceOffsets
MaxSpanningTree NormalizeUTF8 NormalizeUTF8WithOffsetsMap PhraseTokenize RegexSplitWithOffsets RougeL
SentenceFragments SentenceFragmentsV2 SentencepieceDetokenizeOp SentencepieceIdToStringOp SentencepieceOp
SentencepieceStringToIdOp SentencepieceTokenizeOp SentencepieceTokenizeWithOffsetsOp SentencepieceVocabSizeOp
SplitMergeTokenizeWithOffsets TFText>BoiseTagsToOffsets TFText>ByteSplitByOffsets TFText>ByteSplitWithOffsets
TFText>FastSentencepieceDetokenize TFText>FastSentencepieceTokenize TFText>FastWordpieceDetokenize
TFText>NgramsStringJoin TFText>OffsetsToBoiseTags TFText>PhraseDetokenize TFText>RoundRobinGenerateMasks
TFText>RoundRobinTrim TFText>Utf8Binarize TFText>WhitespaceTokenizeWithOffsetsV2 TokenizerFromLogits
UnicodeScriptTokenizeWithOffsets WhitespaceTokenizeWithOffsets WordpieceTokenizeWithOffsets
""")
_IMAGES = _names("""
AdjustContrastv2 AdjustHue AdjustSaturation CombinedNonMaxSuppression CropAndResize DecodeBmp DecodeGif DecodeImage
DecodeJpeg DecodePng EncodeJpeg EncodePng HSVToRGB NonMaxSuppressionV3 NonMaxSuppressionV4 NonMaxSuppressionV5
RGBToHSV ResizeArea ResizeBicubic ResizeBilinear ResizeNearestNeighbor
""")
_RANDOM = _names("""
AnonymousRandomSeedGenerator AnonymousSeedGenerator DeleteRandomSeedGenerator DeleteSeedGenerator DummySeedGenerator
ParameterizedTruncatedNormal RandomGamma RandomPoisson RandomPoissonV2 StatefulStandardNormalV2
StatefulTruncatedNormal StatefulUniform StatefulUniformFullInt StatefulUniformInt Multinomial RandomShuffle
RandomStandardNormal RandomUniform RandomUniformInt RngReadAndSkip RngSkip StatelessMultinomial
StatelessRandomGetAlg StatelessRandomGetKeyCounter StatelessRandomGetKeyCounterAlg StatelessRandomNormal
StatelessRandomNormalV2 StatelessRandomUniform StatelessRandomUniformFullIntV2 StatelessRandomUniformInt
StatelessRandomUniformIntV2 StatelessRandomUniformV2 StatelessTruncatedNormal StatelessTruncatedNormalV2
TruncatedNormal
""")
_CONTROL_FLOW = _names("""
Case ControlTrigger Enter Exit If LoopCond Merge NextIteration PartitionedCall StatefulPartitionedCall StatelessCase
StatelessIf StatelessWhile Switch While
""")
_VARIABLES = _names("""
ConsumeMutexLock MutexLock MutexV2 ResourceApplyAdaMax ResourceApplyAdadelta ResourceApplyAdagrad
ResourceApplyCenteredRMSProp ResourceApplyFtrl ResourceApplyFtrlV2 ResourceApplyMomentum ResourceScatterDiv
ResourceScatterMax ResourceScatterMin ResourceScatterMul ResourceScatterNdSub ResourceScatterSub TemporaryVariable
Assign AssignAdd AssignAddVariableOp AssignSub AssignSubVariableOp AssignVariableOp DestroyResourceOp
DisableCopyOnRead IsVariableInitialized ReadVariableOp ResourceScatterAdd ResourceScatterNdAdd
ResourceScatterNdUpdate ResourceScatterUpdate ResourceStridedSliceAssign VarHandleOp VarIsInitializedOp Variable
VariableV2 ResourceApplyAdam ResourceApplyAdagradV2 ResourceApplyGradientDescent ResourceApplyKerasMomentum
ResourceApplyRMSProp
""")
# Tables filled from tensors, or from a text file: the model's own vocab asset (checked where it is used).
_LOOKUP = _names("""
AnonymousHashTable HashTable HashTableV2 InitializeTable InitializeTableFromTextFileV2 InitializeTableV2
LookupTableExportV2 LookupTableFindV2 LookupTableImportV2 LookupTableInsertV2 LookupTableRemoveV2 LookupTableSizeV2
MutableDenseHashTableV2 MutableHashTableOfTensorsV2 MutableHashTableV2
""")
_TENSOR_LISTS = _names("""
FIFOQueueV2 PaddingFIFOQueueV2 QueueCloseV2 QueueDequeueManyV2 QueueDequeueUpToV2 QueueDequeueV2 QueueEnqueueManyV2
QueueEnqueueV2 QueueIsClosedV2 QueueSizeV2 StackCloseV2 StackPopV2 StackPushV2 StackV2 TensorArrayGradV2
TensorArrayV2 EmptyTensorList OptionalFromValue OptionalGetValue OptionalHasValue OptionalNone TensorArrayCloseV3
TensorArrayConcatV3 TensorArrayGatherV3 TensorArrayGradV3 TensorArrayReadV3 TensorArrayScatterV3 TensorArraySizeV3
TensorArraySplitV3 TensorArrayV3 TensorArrayWriteV3 TensorListConcatV2 TensorListElementShape TensorListFromTensor
TensorListGather TensorListGetItem TensorListLength TensorListPopBack TensorListPushBack TensorListReserve
TensorListScatterIntoExistingList TensorListSetItem TensorListSplit TensorListStack
""")
# Datasets made from tensors in memory (the ones that read files are below, under file-read).
_DATASETS = _names("""
AnonymousIterator AnonymousMemoryCache DeleteMemoryCache DummyMemoryCache GeneratorDataset
InitializeTableFromDataset IteratorGetNextAsOptional OneShotIterator RandomDataset RandomDatasetV2
ShuffleAndRepeatDatasetV2 ShuffleDatasetV2 SparseTensorSliceDataset AnonymousIteratorV2 AnonymousIteratorV3
AssertCardinalityDataset BatchDatasetV2 ConcatenateDataset DatasetCardinality DatasetToSingleElement DeleteIterator
FilterDataset FlatMapDataset InterleaveDataset IteratorGetNext IteratorGetNextSync IteratorV2 MakeIterator
MapDataset ModelDataset OptimizeDatasetV2 PaddedBatchDatasetV2 ParallelInterleaveDatasetV4 ParallelMapDatasetV2
PrefetchDataset RangeDataset ReduceDataset RepeatDataset ScanDataset ShuffleDatasetV3 SkipDataset TakeDataset
TakeWhileDataset TensorDataset TensorSliceDataset WindowDataset ZipDataset
""")

#: Every op a model's computation may run.
ALLOWED: frozenset[str] = (_MATH | _LINEAR_ALGEBRA | _NEURAL_NETWORKS | _ARRAYS | _RAGGED_AND_SPARSE | _STRINGS | _TEXT
                           | _IMAGES | _RANDOM | _CONTROL_FLOW | _VARIABLES | _LOOKUP | _TENSOR_LISTS | _DATASETS)

#: Ops that only the checkpointing functions (reached from the meta graph's saver) may run.
CHECKPOINT_ONLY: frozenset[str] = _names("""
MergeV2Checkpoints Restore RestoreSlice RestoreV2 Save SaveSlices SaveV2 ShardedFilename ShardedFilespec
""")

#: Of those, the ones that write a checkpoint (allowed only where the saver saves) and the ones that
#: read one (only where it restores).
SAVE_OPS: frozenset[str] = _names("MergeV2Checkpoints Save SaveSlices SaveV2")
RESTORE_OPS: frozenset[str] = _names("Restore RestoreSlice RestoreV2")

FILE_READ, FILE_WRITE, NETWORK, CODE_EXECUTION, UNKNOWN_OP = (
    "file-read", "file-write", "network", "code-execution", "unknown-op")
#: The categories of findings, in the order reports list them.
CATEGORIES = (CODE_EXECUTION, NETWORK, FILE_WRITE, FILE_READ, UNKNOWN_OP)

#: Ops known to do more than compute, by what they do.
KNOWN_RISKS: dict[str, str] = {
    **dict.fromkeys(_names("""
        CSVDataset CSVDatasetV2 ExperimentalCSVDataset ExperimentalLMDBDataset ExperimentalSqlDataset
        FixedLengthRecordDataset FixedLengthRecordDatasetV2 FixedLengthRecordReader FixedLengthRecordReaderV2
        IdentityReader IdentityReaderV2 ImmutableConst LMDBDataset LMDBReader LoadAndRemapMatrix LoadDataset
        MatchingFiles MatchingFilesDataset ReadFile ReaderRead ReaderReadUpTo ReaderReadUpToV2 ReaderReadV2
        ReaderRestoreState ReaderRestoreStateV2 Restore RestoreSlice RestoreV2 SqlDataset TFRecordDataset
        TFRecordDatasetV2 TFRecordReader TFRecordReaderV2 TextLineDataset TextLineReader TextLineReaderV2
        WholeFileReader WholeFileReaderV2 InitializeTableFromTextFile GenerateVocabRemapping
        ExperimentalMatchingFilesDataset RecordInput DTensorRestoreV2"""), FILE_READ),
    **dict.fromkeys(_names("""
        CacheDataset CacheDatasetV2 CloseSummaryWriter CreateSummaryDbWriter CreateSummaryFileWriter
        DatasetToTFRecord ExperimentalDatasetToTFRecord FlushSummaryWriter ImportEvent MergeV2Checkpoints Save
        SaveDataset SaveDatasetV2 SaveSlices SaveV2 ShardedFilename ShardedFilespec SnapshotDataset SnapshotDatasetV2
        SummaryWriter WriteAudioSummary WriteFile WriteGraphSummary WriteHistogramSummary WriteImageSummary
        WriteRawProtoSummary WriteScalarSummary WriteSummary DebugIdentityV2 DumpTensor CalibrationStatisticsSaver"""),
        FILE_WRITE),
    **dict.fromkeys(_names("""
        CollectiveAllToAllV2 CollectiveAllToAllV3 CollectiveBcastRecv CollectiveBcastRecvV2 CollectiveBcastSend
        CollectiveBcastSendV2 CollectiveGather CollectiveGatherV2 CollectiveInitializeCommunicator CollectiveReduce
        CollectiveReduceV2 CollectiveReduceV3 DataServiceDataset DataServiceDatasetV2 DataServiceDatasetV3
        DataServiceDatasetV4 DebugIdentity DebugIdentityV3 DebugNanCount DebugNumericSummary DebugNumericSummaryV2
        DistributedSave NcclAllReduce Recv RegisterDataset RegisterDatasetV2 RpcCall RpcCheckStatus RpcClient
        RpcGetValue RpcServer RpcServerRegister RpcServerStart Send _HostRecv _HostSend _Recv _Send RemoteCall
        FileSystemSetConfiguration"""), NETWORK),
    **dict.fromkeys(_names("EagerPyFunc PyFunc PyFuncStateless"), CODE_EXECUTION),
}

#: What each category means, for messages.
MEANING = {
    FILE_READ: "reads files",
    FILE_WRITE: "writes files",
    NETWORK: "talks to other machines or processes",
    CODE_EXECUTION: "runs code that is not part of the graph",
    UNKNOWN_OP: "is not an op a model's computation is known to need",
}


def category(op: str) -> str:
    """The category an op that is not allowed falls in."""
    return KNOWN_RISKS.get(op, UNKNOWN_OP)


__all__ = ["ALLOWED", "CHECKPOINT_ONLY", "SAVE_OPS", "RESTORE_OPS", "KNOWN_RISKS", "CATEGORIES", "MEANING",
           "category", "FILE_READ", "FILE_WRITE", "NETWORK", "CODE_EXECUTION", "UNKNOWN_OP"]
