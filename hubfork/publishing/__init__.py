"""Publishing a model: a card written from the SavedModel (`hubfork.publishing.card_writer`),
checked against it (`hubfork.publishing.model_checks`), pushed to a local hub or an
HF-compatible endpoint and recorded in a registry (`hubfork.publishing.publish`).

Sits above every other layer but the command line: it inspects models, fetches companion
preprocessors, scans, pushes and rebuilds registries.
"""
