#!/usr/bin/env python3
"""The human-rated sentences of VADER (Hutto & Gilbert, ICWSM 2014) as a yardstick: never trained or tuned on.

The vaderSentiment 3.3.2 source package carries additional_resources/hutto_ICWSM_2014.tar.gz, whose *_GroundTruth.txt
files rate each text by the mean of 20 human raters on -4..+4. This script fetches that package (pip, no wheel:
`pip download --no-deps --no-binary :all: vaderSentiment==3.3.2`, cached), and writes one JSONL file per domain —
tweets (4,200), amazon (product review snippets, 3,708), nyt (editorial snippets, 5,190) — with `text`, `label`
(positive when the mean rating is > 0, negative when < 0; the few rated exactly 0 are dropped) and `split` = test,
so that `sentiment evaluate --model M --data vader-tweets.jsonl --split test` scores every text. The movie snippets
are left out: they are Pang & Lee's Rotten Tomatoes sentences, our training domain.

    python3 scripts/yardstick/vader.py [OUT_DIR]      # default: $SENTIMENTKIT_HOME or ~/.cache/sentimentkit, /yardsticks
"""
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

home = Path(os.environ.get("SENTIMENTKIT_HOME", Path.home() / ".cache" / "sentimentkit"))
out = Path(sys.argv[1]) if len(sys.argv) > 1 else home / "yardsticks"
download = home / "downloads" / "vaderSentiment-3.3.2"
download.mkdir(parents=True, exist_ok=True)
sdist = download / "vaderSentiment-3.3.2.tar.gz"
if not sdist.exists():
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--disable-pip-version-check",
                    "-q", "vaderSentiment==3.3.2", "-d", str(download)], check=True)
with tarfile.open(sdist) as outer:
    inner = outer.extractfile("vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz").read()
out.mkdir(parents=True, exist_ok=True)
with tarfile.open(fileobj=io.BytesIO(inner)) as resources:
    for domain, member in [("tweets", "tweets_GroundTruth.txt"), ("amazon", "amazonReviewSnippets_GroundTruth.txt"),
                           ("nyt", "nytEditorialSnippets_GroundTruth.txt")]:
        raw = resources.extractfile(f"hutto_ICWSM_2014/{member}").read().decode("utf-8", errors="replace")
        rows, dropped = [], 0
        for line in raw.splitlines():
            parts = line.split("\t", 2)
            if len(parts) < 3 or not parts[2].strip():
                continue
            score = float(parts[1])
            if score == 0:
                dropped += 1
                continue
            rows.append({"text": parts[2].strip(), "label": "positive" if score > 0 else "negative", "split": "test"})
        path = out / f"vader-{domain}.jsonl"
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        tmp.replace(path)
        positive = sum(r["label"] == "positive" for r in rows)
        print(f"{path}: {len(rows)} texts ({positive} positive, {len(rows) - positive} negative; {dropped} rated 0 dropped)")
