"""The facts an entry's page lists: its metadata and what the registry derived from its card,
as (label, text) pairs, empty ones left out."""

from __future__ import annotations

from hubfork.constants import STATUS_DELETED
from hubfork.registry.entry import RegistryEntry

#: What the API generations the registry names mean.
_API = {"tf1-hub": "TF1 Hub module (hub.Module format)", "dict": "TF2 SavedModel, dict outputs",
        "list": "TF2 SavedModel, list outputs"}


def is_deleted(entry: RegistryEntry) -> bool:
    """Whether the entry's model is gone: tfhub.dev deleted it and no mirror holds it."""
    return entry.status == STATUS_DELETED


def flag(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def architecture_text(entry: RegistryEntry) -> str:
    """``L-12_H-768_A-12 (12 layers, hidden size 768, 12 heads); transformer``: the stated size and
    the card's network architectures."""
    parts = []
    arch = entry.architecture
    if arch is not None and arch.label:
        said = [f"{arch.layers} layers" if arch.layers is not None else "",
                f"hidden size {arch.hidden_size}" if arch.hidden_size is not None else "",
                f"{arch.heads} heads" if arch.heads is not None else ""]
        parts.append(f"{arch.label} ({', '.join(s for s in said if s)})")
    parts += entry.network_architectures
    return "; ".join(parts)


def fact_rows(entry: RegistryEntry) -> list[tuple[str, str]]:
    """The page's facts, in reading order."""
    rows = [
        ("Kind", entry.kind),
        ("Status", "deleted: tfhub.dev removed it and no mirror is known" if is_deleted(entry) else
         (entry.status or "")),
        ("Publisher", entry.publisher or ""),
        ("Version", "" if entry.version is None else str(entry.version)),
        ("Format", entry.format or ""),
        ("API generation", _API.get(entry.api or "", entry.api or "")),
        ("Architecture", architecture_text(entry)),
        ("Casing", entry.casing or ""),
        ("Masked LM head", flag(entry.mlm)),
        ("Fine-tunable", flag(entry.fine_tunable)),
        ("Languages", ", ".join(entry.languages)),
        ("Tasks", ", ".join(entry.tasks)),
        ("Pooling", entry.pooling or ""),
        ("License", str(entry.metadata.get("license") or "")),
    ]
    return [(label, value) for label, value in rows if value]


__all__ = ["is_deleted", "flag", "architecture_text", "fact_rows"]
