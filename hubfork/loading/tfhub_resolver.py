"""`HubforkResolver`: hubfork's names, served to tensorflow_hub's own ``hub.load``,
``hub.KerasLayer`` and ``hub.resolve`` through tensorflow_hub's resolver registry.

Importing this module imports TensorFlow (the class extends tensorflow_hub's
``Resolver``); `hubfork.loading.tfhub` imports it only when hubfork is installed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from hubfork.errors import HubError, NotInRegistryError
from hubfork.handles import KAGGLE_HOSTS, TFHUB_HOSTS
from hubfork.hub.resolvers import ARCHIVE_SUFFIXES, resolve
from hubfork.loading.pull import fetch_checked
from hubfork.models import _tf


class HubforkResolver(_tf.tensorflow_hub().resolver.Resolver):
    """Resolves every name hubfork places on a hub (tfhub.dev and Kaggle URLs and TF Hub handles
    through the registry, ``hf://org/repo@rev``, repo ids, Hugging Face and mirror URLs) to a
    scanned folder in huggingface_hub's cache.

    Names it cannot serve (local paths, ``file://``, ``gs://``, archive URLs) are left to
    tensorflow_hub's own resolvers.
    """

    def is_supported(self, handle: object) -> bool:
        if not isinstance(handle, str):
            return False
        try:
            resolved = resolve(handle)
        except NotInRegistryError:
            # tfhub.dev and Kaggle no longer serve these: hubfork's message says what the registry
            # lacks, where tensorflow_hub's HTTP resolvers would fail with an HTTP error.
            return True
        except HubError:
            # A malformed hf:// or tfhub.dev name is still hubfork's to explain; anything else
            # (a missing local path, a scheme hubfork does not know) is tensorflow_hub's.
            return _hub_only(handle)
        return resolved.kind == "repo" and not _archive_url(handle)

    def __call__(self, handle: str) -> str:
        path = fetch_checked(handle)
        # Preprocessors use TF Text ops, registered only once tensorflow_text is imported; TF Hub's
        # notebooks imported it by hand, and the load that follows this call would fail without it.
        _tf.tensorflow_text()
        return str(path)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _hub_only(name: str) -> bool:
    """Names only hubfork can serve: ``hf://``, tfhub.dev and Kaggle URLs."""
    if name.lower().startswith("hf://"):
        return True
    parts = urlsplit(name)
    return parts.scheme in ("http", "https") and (parts.hostname or "") in TFHUB_HOSTS | KAGGLE_HOSTS


def _archive_url(name: str) -> bool:
    """An http(s) URL of a TF Hub-format archive: tensorflow_hub downloads and unpacks those itself."""
    parts = urlsplit(name)
    return parts.path.lower().endswith(ARCHIVE_SUFFIXES) or "tf-hub-format=compressed" in parts.query


__all__ = ["HubforkResolver"]
