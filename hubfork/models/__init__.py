"""The TensorFlow side of hubfork: BERT encoders and preprocessors, written as
TF Hub-format SavedModels of every generation, and the converter from Hugging
Face checkpoints.

Nothing here is imported by the card, registry or browse code; TensorFlow is
imported inside these modules' functions (see `hubfork.models._tf`). Everything
here works on folders on this machine and never imports `hubfork.hub`: taking a
model's name and fetching it is `hubfork.loading`'s work, a layer above both.
"""
