#!/usr/bin/env bash
# hubfork's main job from nothing: install, check the project's cards, rebuild
# the registry from them (it must match the committed registry.yaml), browse it
# the way a user would and write it as a web site; then build the embedded local hub (a real BERT,
# all-MiniLM-L6-v2, converted into TF Hub format) if needed, serve it on
# loopback, pull the model back and embed and compare text.
set -euo pipefail
HUBFORK_INSTALL=main
source "$(dirname "$0")/env.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== checking the cards in cards/ (the vendored tfhub.dev catalogue's warnings counted, not listed:"
echo "   hubfork cards validate cards lists each)"
hubfork cards validate --quiet cards

echo "== rebuilding the registry from cards/ (in a scratch copy)"
cp -r cards "$work/cards"
hubfork registry build "$work/cards" -o "$work/registry.yaml"
if cmp -s "$work/registry.yaml" registry.yaml; then
  echo "registry.yaml is up to date with cards/"
else
  echo "registry.yaml differs from a fresh build of cards/; run: hubfork registry build" >&2
  exit 1
fi

echo "== hubfork search universal-sentence-encoder  (the tfhub.dev catalogue, first page)"
hubfork search universal-sentence-encoder
echo "== hubfork search bert --publisher tensorflow --architecture L-12 --fine-tunable --per-page 5"
hubfork search bert --publisher tensorflow --architecture L-12 --fine-tunable --per-page 5
echo "== hubfork show google/universal-sentence-encoder/4"
hubfork show google/universal-sentence-encoder/4
echo "== hubfork show tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16  (newest version)"
hubfork show tensorflow/bert_en_wwm_uncased_L-24_H-1024_A-16
echo "== hubfork show Dimitre/bert_en_cased_L-12_H-768_A-12 --json"
hubfork show Dimitre/bert_en_cased_L-12_H-768_A-12 --json

echo "== hubfork registry site: the whole catalogue as a static web site, in build/site"
hubfork registry site -o build/site
echo "open build/site/index.html in a browser (it stays there), or: hubfork registry serve"

echo "== the embedded local hub: all-MiniLM-L6-v2 in TF Hub format (converted on first use)"
hubfork hub embedded

# A fresh download cache: the models travel from the local hub over loopback, as from any hub.
export HF_HUB_CACHE="$work/hf-cache"
echo "== model pipeline: serve the local hub on loopback, pull_from_hub, embed and compare"
python scripts/demo_pipeline.py

echo "== hubfork similarity --model hubfork/all-MiniLM-L6-v2 --pooling mean ..."
hubfork similarity --model hubfork/all-MiniLM-L6-v2 --pooling mean \
  "How do I bake bread at home?" "What is a simple recipe for homemade bread?" "The train leaves at noon."
echo "== hubfork embed --model hubfork/all-MiniLM-L6-v2 --pooling mean --normalize --json (first values)"
hubfork embed --model hubfork/all-MiniLM-L6-v2 --pooling mean --normalize --json "TF Hub models live on." \
  | python -c 'import json, sys; [print(item["text"], [round(v, 4) for v in item["embedding"][:6]], len(item["embedding"])) for item in json.load(sys.stdin)]'
