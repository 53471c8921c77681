"""`install` / `uninstall`: hubfork as a resolver in tensorflow_hub's own resolver registry,
so that plain ``hub.load``, ``hub.KerasLayer`` and ``hub.resolve`` accept hubfork's names.

tensorflow_hub asks its registered resolvers, the last registered first, whether they
support a handle (``tensorflow_hub.registry.resolver``); the first that does resolves it.
`install` registers a `HubforkResolver` last, so it is asked before tensorflow_hub's
HTTP resolvers: tfhub.dev and Kaggle names then come through hubfork (every source the
registry knows, a hardened unpack, one cache, a scan), any other http(s) URL is still
downloaded by tensorflow_hub's own resolver and scanned, and local paths and ``gs://``
fall through to tensorflow_hub's resolvers as before. A call tensorflow_hub alone would
serve is served with hubfork installed too.
"""

from __future__ import annotations

import sys


def install() -> None:
    """Make tensorflow_hub's ``hub.load``, ``hub.KerasLayer`` and ``hub.resolve`` accept every
    name hubfork fetches (tfhub.dev and Kaggle URLs, kagglehub handles, TF Hub handles,
    ``hf://org/repo@rev``, repo ids, Hugging Face and mirror URLs).

    tfhub.dev URLs keep working as they do in plain tensorflow_hub (tfhub.dev, served by Kaggle
    Models; ``HUBFORK_TFHUB_ENDPOINT``), with the user's own mappings tried first and the
    registry's mirrors after. Models come into hubfork's one cache (``HF_HUB_CACHE``;
    ``HF_HUB_OFFLINE`` and ``HUBFORK_SOURCES`` are read at each load) and are scanned before
    tensorflow_hub loads them; other http(s) URLs are downloaded by tensorflow_hub's own
    resolver and scanned too. Local paths and ``gs://`` stay with tensorflow_hub's resolvers.
    Calling it again registers nothing new: it puts hubfork back in front. Where tensorflow_hub has
    no ``hub.Module`` (0.16 removed it), TF1 notebooks get one back (`hubfork.models.hub_compat`).

    TensorFlow may be imported before it: ``tf.keras`` is still made Keras 2 (``TF_USE_LEGACY_KERAS``)
    as long as nothing has used ``tf.keras`` yet (tensorflow_hub's import does).

    Raises:
        ModuleNotFoundError: tensorflow_hub (``pip install "hubfork[tf]"``) is not installed.
        SettingError: ``tf.keras`` was already Keras 3 (`KERAS3_FIRST`), unless the user set
            ``TF_USE_LEGACY_KERAS=0``; nothing was installed.
    """
    from hubfork.loading.tfhub_resolver import HubforkResolver
    from hubfork.models import _tf

    hub = _tf.tensorflow_hub()
    _refuse_keras3_tf_keras()
    registry = hub.registry.resolver
    others = [impl for impl in _registered(registry) if not isinstance(impl, HubforkResolver)]
    _replace(registry, [*others, HubforkResolver()])
    if not hasattr(hub, "Module"):
        # TF1 notebooks call hub.Module(...)(inputs, signature="tokens", as_dict=True); tensorflow_hub
        # 0.16 dropped it. Given back only while installed, and only where tensorflow_hub lacks one.
        from hubfork.models.hub_compat import module_class

        hub.Module = module_class()


#: Why `install` refuses when ``tf.keras`` is already Keras 3, and what to do instead.
KERAS3_FIRST = (
    "tf.keras was already Keras 3 when hubfork.install() ran (TensorFlow and tf.keras or tensorflow_hub were "
    "used first), and hub.KerasLayer cannot go into its models; restart and call hubfork.install() (or set "
    "TF_USE_LEGACY_KERAS=1) before importing TensorFlow, use hubfork.keras3.KerasLayer in Keras 3 models, or "
    "set TF_USE_LEGACY_KERAS=0 to install with Keras 3 anyway")


def _refuse_keras3_tf_keras() -> None:
    from hubfork.models import _tf

    # A tfhub.dev card's code (tf.keras.layers.Input, then hub.KerasLayer, then tf.keras.Model) would
    # fail deep inside tensorflow_hub ("A KerasTensor is symbolic"); it is said here, once, instead.
    if _tf.legacy_keras_asked() and _tf.tf_keras_is_keras3(_tf.tensorflow()):
        from hubfork.errors import SettingError

        raise SettingError("TF_USE_LEGACY_KERAS", KERAS3_FIRST)


def uninstall() -> None:
    """Undo `install`: tensorflow_hub resolves names with its own resolvers only, as before.
    Does nothing when hubfork is not installed.
    """
    resolver_module = sys.modules.get("hubfork.loading.tfhub_resolver")
    if resolver_module is None:
        return  # install() imports it: hubfork was never installed, and tensorflow_hub need not be imported
    from hubfork.models import _tf

    hub = _tf.tensorflow_hub()
    registry = hub.registry.resolver
    kept = [impl for impl in _registered(registry) if not isinstance(impl, resolver_module.HubforkResolver)]
    if len(kept) != len(_registered(registry)):
        _replace(registry, kept)
    compat = sys.modules.get("hubfork.models.hub_compat")
    if compat is not None and getattr(hub, "Module", None) is compat.module_class():
        del hub.Module


def is_installed() -> bool:
    """True when hubfork is among tensorflow_hub's resolvers."""
    resolver_module = sys.modules.get("hubfork.loading.tfhub_resolver")
    if resolver_module is None:
        return False
    from hubfork.models import _tf

    registry = _tf.tensorflow_hub().registry.resolver
    return any(isinstance(impl, resolver_module.HubforkResolver) for impl in _registered(registry))


def _registered(registry) -> list:
    # tensorflow_hub's registry can add and clear implementations but has no way to list or remove
    # one; its list is the private `_impls`. It is only read here; changes go through its own
    # clear_implementations and add_implementation.
    return list(registry._impls)


def _replace(registry, impls: list) -> None:
    registry.clear_implementations()
    for impl in impls:
        registry.add_implementation(impl)


__all__ = ["install", "uninstall", "is_installed"]
