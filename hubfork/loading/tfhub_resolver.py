"""`HubforkResolver`: hubfork's names, served to tensorflow_hub's own ``hub.load``,
``hub.KerasLayer`` and ``hub.resolve`` through tensorflow_hub's resolver registry.

Importing this module imports TensorFlow (the class extends tensorflow_hub's
``Resolver``); `hubfork.loading.tfhub` imports it only when hubfork is installed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from hubfork.errors import HubError, ModelDeletedError
from hubfork.hub.resolvers import resolve
from hubfork.loading.pull import fetch_checked
from hubfork.models import _tf
from hubfork.models.model_files import check_assets
from hubfork.scanning.scanner import check_model

#: The forms of name hubfork serves better than tensorflow_hub: tfhub.dev and Kaggle names (every source the
#: registry knows, hardened unpack, one cache), kagglehub handles, TF Hub handles, and Hugging Face-style repos.
_HUBFORK_FORMS = frozenset({"tfhub-url", "kaggle-url", "kaggle-handle", "registry-handle", "hf-uri", "hub-url",
                            "repo-id"})


class HubforkResolver(_tf.tensorflow_hub().resolver.Resolver):
    """Resolves every name hubfork serves (tfhub.dev and Kaggle URLs, kagglehub handles, TF Hub
    handles, ``hf://org/repo@rev``, repo ids, Hugging Face and mirror URLs) to a scanned folder in
    hubfork's cache, and hands any other http(s) URL (an archive on some server) to tensorflow_hub's
    own resolvers, then scans what they fetched.

    Local paths, ``file://`` and ``gs://`` stay with tensorflow_hub's own resolvers, as before.
    """

    def is_supported(self, handle: object) -> bool:
        if not isinstance(handle, str):
            return False
        if handle.lower().startswith("hf://"):
            return True  # only hubfork serves these: a malformed one still gets hubfork's explanation
        try:
            resolved = resolve(handle)
        except ModelDeletedError:
            return True  # hubfork's message says when it was deleted; tensorflow_hub's would be an HTTP 404
        except HubError:
            return _is_http(handle)  # a URL hubfork cannot read: tensorflow_hub's resolvers get it (scanned)
        return resolved.form in _HUBFORK_FORMS or _is_http(handle)

    def __call__(self, handle: str) -> str:
        served = self._served_by_hubfork(handle)
        if served is not None:
            path = str(served)
        else:
            path = _tensorflow_hub_resolves(handle, self)
            check_model(path, name=handle)
        check_assets(path)  # TensorFlow reads a model's assets by itself as it loads them
        # Preprocessors use TF Text ops, registered only once tensorflow_text is imported; TF Hub's
        # notebooks imported it by hand, and the load that follows this call would fail without it.
        _tf.tensorflow_text()
        return path

    def _served_by_hubfork(self, handle: str):
        """The scanned folder hubfork fetched, or None for a URL that is tensorflow_hub's to fetch: an
        archive on some server, or a page on a host that turned out to be no Hugging Face-style hub."""
        try:
            resolved = resolve(handle)
        except HubError:
            if handle.lower().startswith("hf://") or not _is_http(handle):
                raise
            return None
        if resolved.form not in _HUBFORK_FORMS:
            return None
        if resolved.form != "hub-url":
            return fetch_checked(handle)
        try:
            return fetch_checked(handle)
        except HubError as exc:
            # A URL on an unknown host may be an archive tensorflow_hub downloads; only if it cannot either
            # is hubfork's error the answer.
            try:
                path = _tensorflow_hub_resolves(handle, self)
            except Exception:
                raise exc from None
        check_model(path, name=handle)  # what tensorflow_hub fetched: the scan's verdict is the answer
        return path

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _tensorflow_hub_resolves(handle: str, me: HubforkResolver) -> str:
    """`handle` resolved by tensorflow_hub's own resolvers (those registered besides hubfork), as
    tensorflow_hub would without hubfork: unscanned."""
    registry = _tf.tensorflow_hub().registry.resolver
    for impl in reversed(list(registry._impls)):  # tensorflow_hub asks the last registered first
        if impl is me or isinstance(impl, HubforkResolver) or not impl.is_supported(handle):
            continue
        return impl(handle)
    raise HubError(f"{handle!r}: no tensorflow_hub resolver supports it")


def _is_http(name: str) -> bool:
    return urlsplit(name).scheme in ("http", "https")


__all__ = ["HubforkResolver"]
