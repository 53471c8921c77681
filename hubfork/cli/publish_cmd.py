"""``hubfork publish``: a model folder and its card, checked, pushed and recorded in a registry."""

from __future__ import annotations

import argparse

from hubfork._progress import HELP_NOTE
from hubfork.cli.cards_cmd import add_card_options
from hubfork.cli.options import add_json, add_message, add_no_run, add_repo_id, add_tag, add_trust
from hubfork.constants import DEFAULT_HF_ENDPOINT


def register(commands: argparse._SubParsersAction) -> None:
    publish = commands.add_parser(
        "publish", help="check a model and its card, push them to a hub, record the card in a registry",
        description="Scan MODEL_DIR, take its card (--card, else one written from the model), check the card "
        "against the model (facts, companion preprocessor, one batch), push the model's files and the card "
        "(README.md) as one commit and tag to a local hub (--hub) or an HF-compatible endpoint (--endpoint), or as a "
        "new version of a Kaggle Models variation (--kaggle, through kagglehub and its credentials), then "
        "put the card, with its hub-repo, into the registry (--cards/--registry; default the user's own registry "
        "in $HUBFORK_HOME). Nothing is pushed when a check fails; the same files again make no new commit.",
        epilog="--repo-id and --tag go with --hub or --endpoint; with --trust, scan findings are warnings. "
        f"{HELP_NOTE} See docs/publishing.md.")
    publish.add_argument("model_dir", metavar="MODEL_DIR", help="the SavedModel folder to publish")
    add_repo_id(publish)
    publish.add_argument("--card", metavar="FILE", help="the model's card (default: one written from the model)")
    publish.add_argument("--handle", metavar="PUBLISHER/NAME/VERSION",
                         help="the TF Hub handle of a written card (default: ORG/NAME/N, N from --tag vN, else 1)")
    add_tag(publish)
    where = publish.add_mutually_exclusive_group(required=True)
    where.add_argument("--hub", metavar="DIR", help="a local hub folder (created if missing)")
    where.add_argument("--endpoint", metavar="URL", help=f"an HF-compatible hub ({DEFAULT_HF_ENDPOINT} for the Hub)")
    where.add_argument("--kaggle", metavar="OWNER/MODEL/FRAMEWORK/VARIATION",
                       help="upload to Kaggle Models as a new version of this variation (no --repo-id, no --tag; "
                       "-m is its version notes)")
    publish.add_argument("--kaggle-license", metavar="NAME",
                         help="the Kaggle license name of a --kaggle upload (e.g. 'Apache 2.0'; default Kaggle's)")
    publish.add_argument("--token", metavar="T", help="the hub token (default: huggingface_hub's, e.g. HF_TOKEN)")
    publish.add_argument("--cards", metavar="DIR", help="the folder of cards the card goes into")
    publish.add_argument("--registry", metavar="FILE", help="the registry rebuilt from it")
    add_card_options(publish.add_argument_group("a card written from the model (without --card)"))
    add_message(publish)
    add_no_run(publish)
    add_trust(publish)
    add_json(publish, "what was published")
    publish.set_defaults(func=run_publish)


def run_publish(args: argparse.Namespace) -> int:
    import sys

    from hubfork._progress import Progress
    from hubfork.cli.output import print_fields, print_json, safe_text
    from hubfork.publishing.card_writer import check_values
    from hubfork.publishing.publish import push_to_hub

    # Before the model is scanned and inspected: a value no card can hold fails at once.
    check_values(preprocessor=args.preprocessor, license=args.license, language=args.language,
                 description=args.description)
    with Progress("publish") as progress:
        published = push_to_hub(
            args.model_dir, args.repo_id, token=args.token, card=args.card, handle=args.handle, tag=args.tag,
            hub=args.hub, endpoint=args.endpoint, kaggle=args.kaggle, kaggle_license=args.kaggle_license,
            cards=args.cards, registry=args.registry, preprocessor=args.preprocessor, license=args.license,
            language=args.language, description=args.description, card_format=args.card_format or "tfhub",
            message=args.message, run=args.run, trust=args.trust, progress=progress.step)
    for warning in published.warnings:
        print(safe_text(warning), file=sys.stderr)
    if args.json:
        print_json(published.to_dict())
        return 0
    if published.version is not None:
        where = [("kaggle", f"{published.repo_id}/{published.version}"), ("version", str(published.version))]
    else:
        where = [("repo", f"{published.repo_id}@{published.revision}"),
                 ("commit", published.commit + ("" if published.changed else
                                                " (unchanged: the hub already held these files)"))]
    print_fields(f"published {published.handle}", [
        *where,
        ("hub", published.endpoint),
        ("files", str(published.files)),
        ("card", str(published.card)),
        ("registry", str(published.registry)),
    ])
    return 0
