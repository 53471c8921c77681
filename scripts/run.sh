#!/usr/bin/env bash
# hubfork's main job from nothing: install, check the project's cards, rebuild
# the registry from them (it must match the committed registry.yaml), browse it
# the way a user would; then convert a real BERT (all-MiniLM-L6-v2) into TF Hub
# format, serve it from a local hub on loopback, pull it back and embed text.
set -euo pipefail
source "$(dirname "$0")/env.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== checking the cards in cards/"
hubfork cards validate cards

echo "== rebuilding the registry from cards/ (in a scratch copy)"
cp -r cards "$work/cards"
hubfork registry build "$work/cards" -o "$work/registry.yaml"
if cmp -s "$work/registry.yaml" registry.yaml; then
  echo "registry.yaml is up to date with cards/"
else
  echo "registry.yaml differs from a fresh build of cards/; run: hubfork registry build" >&2
  exit 1
fi

echo "== hubfork list"
hubfork list
echo "== hubfork search bert --language en --task embedding"
hubfork search bert --language en --task embedding
echo "== hubfork show tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16  (newest version)"
hubfork show tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16
echo "== hubfork show Dimitre/bert_en_cased_L-12_H-768_A-12 --json"
hubfork show Dimitre/bert_en_cased_L-12_H-768_A-12 --json

echo "== model pipeline: convert, serve on a local hub, pull_from_hub, embed"
HF_HUB_CACHE="$work/hf-cache" python scripts/demo_pipeline.py "$work/pipeline"
