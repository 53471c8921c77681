"""Lazy re-exports for package ``__init__`` modules: a name's module is imported
on first use, so that importing the package stays cheap (no TensorFlow, no
huggingface_hub until a function that needs them is touched)."""

from __future__ import annotations

import importlib
from typing import Any, Callable


def attach(package: str, namespace: dict[str, Any], exports: dict[str, str]) -> tuple[Callable, Callable]:
    """Module-level ``__getattr__`` and ``__dir__`` serving `exports` (name -> defining module)."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
