"""Uploading a model folder to Kaggle Models with ``kagglehub.model_upload`` itself (credentials, endpoint and
proxies as kagglehub reads them; see `hubfork.hub.backends.kaggle`).

Where the card goes: kagglesdk's ``CreateModel`` request has a ``description`` (and ``CreateModelInstance`` an
``overview`` and ``usage``), but ``kagglehub.model_upload`` sets none of them (it creates a model with its slug
as title, private) and takes no card. So the card travels as ``README.md`` among the uploaded files, as it does
to a Hugging Face hub, and nothing else of kagglehub's upload is redone here.

Kaggle numbers versions itself, and every upload is a new version: unlike a push to a hub, uploading the same
files again is not a no-op. The version an upload became is read back with ``GetModelInstance``.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from hubfork.errors import InvalidNameError, PublishError

#: Patterns kagglehub skips on upload (kagglehub.models.DEFAULT_IGNORE_PATTERNS), for the file count.
_SKIPPED_PARTS = (".git", ".cache", ".huggingface")


@dataclass(frozen=True)
class KaggleUpload:
    """What an upload did: `handle` (``owner/model/framework/variation``) is now at `version`."""

    handle: str
    version: int
    #: The variation did not exist before this upload (its version is 1).
    created: bool
    files: int
    endpoint: str


def check_handle(handle: str) -> str:
    """`handle` if it is ``owner/model/framework/variation`` (no version: Kaggle numbers them).

    Raises:
        InvalidNameError: what is wrong with it.
    """
    from hubfork.cards.checks import kaggle_handle_problem

    problem = kaggle_handle_problem(handle, versioned=False)
    if problem is not None:
        raise InvalidNameError(handle, problem + " (Kaggle numbers the versions of an upload itself)")
    return handle


def current_version(handle: str) -> int | None:
    """The newest version of the variation `handle` on Kaggle, None when there is none yet (or it cannot be
    seen: Kaggle answers 403 for a model another account owns, as kagglehub's own upload assumes).

    Raises:
        PublishError: Kaggle could not be reached, or answered with another error (``step="push"``).
    """
    import requests
    from kagglehub.clients import build_kaggle_client
    from kagglehub.exceptions import handle_call
    from kagglehub.handle import parse_model_handle
    from kagglesdk.models.types.model_api_service import ApiGetModelInstanceRequest

    parsed = parse_model_handle(handle)
    request = ApiGetModelInstanceRequest()
    request.owner_slug, request.model_slug, request.instance_slug = parsed.owner, parsed.model, parsed.variation
    request.framework = parsed.framework_enum()
    with _translate_errors(handle), build_kaggle_client() as client:
        try:
            instance = handle_call(lambda: client.models.model_api_client.get_model_instance(request))
        except requests.HTTPError as exc:
            if exc.response is not None and exc.response.status_code in (403, 404):
                return None
            raise
    return int(instance.version_number)


def upload_folder(folder: Path, handle: str, *, license_name: str | None, version_notes: str,
                  before: int | None) -> KaggleUpload:
    """Upload `folder` (the model's files and its card as README.md) as a new version of `handle`, the variation
    being created (and the model, private) when missing. `before` is `current_version` read before.

    Raises:
        PublishError: ``step="push"``: refused credentials (with what to set), Kaggle unreachable, or an upload
            Kaggle did not take; the message says whether a version may have been made.
    """
    import kagglehub

    from hubfork.hub.backends.kaggle import api_endpoint

    endpoint = api_endpoint()
    with _translate_errors(handle):
        kagglehub.model_upload(handle, str(folder), license_name=license_name, version_notes=version_notes)
    after = current_version(handle)
    if after is None or (before is not None and after <= before):
        raise PublishError(f"uploaded to {endpoint}, but Kaggle lists no new version of it (newest: {after}); look at "
                           "the model's page before uploading again", repo_id=handle, step="push")
    return KaggleUpload(handle, after, before is None, _count_files(folder), endpoint)


def _count_files(folder: Path) -> int:
    def skipped(path: Path) -> bool:
        return bool(set(path.relative_to(folder).parts) & set(_SKIPPED_PARTS))

    return sum(1 for p in folder.rglob("*") if p.is_file() and not skipped(p))


@contextmanager
def _translate_errors(handle: str) -> Iterator[None]:
    """kagglehub's, kagglesdk's and requests' failures as `PublishError` (``step="push"``)."""
    import requests
    from kagglehub.exceptions import BackendError

    from hubfork.hub.backends.kaggle import _CREDENTIALS_HINT, api_endpoint, notices_to_stderr

    try:
        with notices_to_stderr():
            yield
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in (401, 403):
            raise PublishError(f"Kaggle ({api_endpoint()}) refused the upload (HTTP {status}): {_CREDENTIALS_HINT}, "
                               "of an account that may write to this model", repo_id=handle, step="push") from exc
        raise PublishError(f"Kaggle ({api_endpoint()}) answered HTTP {status}: {_first_line(exc)}", repo_id=handle,
                           step="push") from exc
    except (requests.ConnectionError, requests.Timeout, ConnectionError) as exc:
        raise PublishError(f"could not reach Kaggle at {api_endpoint()} ({_first_line(exc)}); if files were sent, "
                           "no version was made of them", repo_id=handle, step="push") from exc
    except (BackendError, ValueError) as exc:
        raise PublishError(f"Kaggle ({api_endpoint()}) did not take the upload: {_first_line(exc)}", repo_id=handle,
                           step="push") from exc


def _first_line(exc: BaseException) -> str:
    text = [line for line in str(exc).strip().splitlines() if line.strip()]
    return text[0] if text else type(exc).__name__


__all__ = ["KaggleUpload", "check_handle", "current_version", "upload_folder"]
