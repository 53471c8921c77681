"""The facts an entry's page lists: its metadata and what the registry derived from its card,
as (label, text) pairs, empty ones left out."""

from __future__ import annotations

from hubfork.registry.availability import status_text
from hubfork.registry.entry import RegistryEntry, yes_no

#: What the API generations the registry names mean.
_API = {"tf1-hub": "TF1 Hub module (hub.Module format)", "dict": "TF2 SavedModel, dict outputs",
        "list": "TF2 SavedModel, list outputs"}


def architecture_text(entry: RegistryEntry) -> str:
    """``L-12_H-768_A-12 (12 layers, hidden size 768, 12 heads); transformer``: the stated size and
    the card's network architectures."""
    stated = entry.architecture.described if entry.architecture is not None else ""
    return "; ".join(([stated] if stated else []) + entry.network_architectures)


def fact_rows(entry: RegistryEntry) -> list[tuple[str, str]]:
    """The page's facts, in reading order."""
    rows = [
        ("Kind", entry.kind),
        ("Status", status_text(entry)),
        ("Publisher", entry.publisher or ""),
        ("Version", "" if entry.version is None else str(entry.version)),
        ("Format", entry.format or ""),
        ("API generation", _API.get(entry.api or "", entry.api or "")),
        ("Architecture", architecture_text(entry)),
        ("Casing", entry.casing or ""),
        ("Masked LM head", yes_no(entry.mlm)),
        ("Fine-tunable", yes_no(entry.fine_tunable)),
        ("Languages", ", ".join(entry.languages)),
        ("Tasks", ", ".join(entry.tasks)),
        ("Pooling", entry.pooling or ""),
        ("License", str(entry.metadata.get("license") or "")),
    ]
    return [(label, value) for label, value in rows if value]


__all__ = ["architecture_text", "fact_rows"]
