#!/usr/bin/env bash
# Train Veille's English spaCy pipeline "veille_ud" (tokenizer, tagger, morphologizer, parser,
# edit-tree lemmatizer) from the Universal Dependencies treebanks UD_English-EWT (CC BY-SA 4.0)
# and UD_English-GUM (only its genres whose texts may be redistributed in a derived work, see
# below), and install it into src/veille/lang/en/pipeline/.
#
#   scripts/train_en_pipeline.sh [UD_EWT_DIR [UD_GUM_DIR]]   (or set UD_EWT=... UD_GUM=...)
#
# UD_EWT_DIR is a checkout of https://github.com/UniversalDependencies/UD_English-EWT and
# UD_GUM_DIR one of https://github.com/UniversalDependencies/UD_English-GUM.
#
# EWT: en_ewt-ud-{train,dev,test}.conllu. If a split file is missing or empty (some mirrors leave
# out the 14 MB train file), it is rebuilt the treebank's own way (not-to-release/tools/build.py):
# the per-document files of not-to-release/sources concatenated in the order of
# not-to-release/file-lists/files.<split>.
#
# GUM: dev and test are the released en_gum-ud-{dev,test}.conllu. The train split is
# en_gum-ud-train.conllu if present, else rebuilt from not-to-release/sources: every
# per-document source file whose document is not in the released dev or test file, in file-name
# order (GUM's not-to-release/file-lists are not kept in step with the released splits).
# Only the documents of these genres are used for training and model selection:
#   academic, bio, conversation, court, interview, news, speech, textbook, vlog, voyage
# (texts under CC BY 2.5/4.0, CC BY-SA 3.0 or in the public domain; GUM's annotations are
# CC BY 4.0). Left out: essay, fiction, letter, podcast, whow (CC BY-NC-SA, non-commercial) and
# reddit (no text in the repository). The GUM test scores are given on the whole released test
# file (all 15 genres) and on the genres used.
#
# The checkouts are never modified. Nothing is downloaded. Environment:
#   PYTHON    interpreter with spaCy 3.8 (default: .venv/bin/python)
#   WORK      scratch directory (default: a new temp dir, kept; its path is printed)
#   OMP_NUM_THREADS  default 1 (the config's step budget was sized for one CPU thread: ~40 min)
#   NO_INSTALL=1     train and evaluate only, do not touch src/veille/lang/en/pipeline
set -euo pipefail

die() { echo "train_en_pipeline.sh: $1" >&2; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UD_EWT=${1:-${UD_EWT:-}}
UD_GUM=${2:-${UD_GUM:-}}
[ -n "$UD_EWT" ] || die "give the UD_English-EWT checkout as first argument or in UD_EWT"
[ -n "$UD_GUM" ] || die "give the UD_English-GUM checkout as second argument or in UD_GUM"
[ -d "$UD_EWT" ] || die "not a directory: $UD_EWT"
[ -d "$UD_GUM" ] || die "not a directory: $UD_GUM"
UD_EWT=$(cd "$UD_EWT" && pwd)
UD_GUM=$(cd "$UD_GUM" && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PYTHON" ] || die "no python at $PYTHON (run make install or set PYTHON)"
CONFIG=$ROOT/training/en/config.cfg
DEST=$ROOT/src/veille/lang/en/pipeline
WORK=${WORK:-$(mktemp -d /tmp/veille-en-train.XXXXXX)}
mkdir -p "$WORK/conllu" "$WORK/corpus/train" "$WORK/corpus/dev" "$WORK/corpus/test"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export OPENBLAS_NUM_THREADS=$OMP_NUM_THREADS MKL_NUM_THREADS=$OMP_NUM_THREADS
GUM_GENRES="academic bio conversation court interview news speech textbook vlog voyage"
echo "work dir: $WORK"

# 1. EWT: the three splits (copied, or rebuilt from the per-document sources).
for split in train dev test; do
    src=$UD_EWT/en_ewt-ud-$split.conllu
    out=$WORK/conllu/en_ewt-ud-$split.conllu
    if [ -s "$src" ]; then
        cp "$src" "$out"
    else
        list=$UD_EWT/not-to-release/file-lists/files.$split
        [ -f "$list" ] || die "$src is missing and there is no $list to rebuild it from"
        echo "rebuilding en_ewt-ud-$split.conllu from not-to-release/sources"
        : > "$out"
        while IFS= read -r f || [ -n "$f" ]; do
            f=${f%$'\r'}
            [ -n "$f" ] || continue
            cat "$UD_EWT/not-to-release/sources/$f" >> "$out"
        done < "$list"
    fi
    [ -s "$out" ] || die "empty split: $out"
done

# 2. GUM: dev and test as released, train as released or rebuilt; then the documents of the
#    genres used (gum-<split>.conllu; the test file is also kept whole).
for split in dev test; do
    [ -s "$UD_GUM/en_gum-ud-$split.conllu" ] || die "missing $UD_GUM/en_gum-ud-$split.conllu"
    cp "$UD_GUM/en_gum-ud-$split.conllu" "$WORK/conllu/"
done
if [ -s "$UD_GUM/en_gum-ud-train.conllu" ]; then
    cp "$UD_GUM/en_gum-ud-train.conllu" "$WORK/conllu/"
else
    [ -d "$UD_GUM/not-to-release/sources" ] || die "no en_gum-ud-train.conllu and no sources"
    echo "rebuilding en_gum-ud-train.conllu from not-to-release/sources"
    "$PYTHON" - "$UD_GUM" "$WORK/conllu/en_gum-ud-train.conllu" <<'PY'
import re
import sys
from pathlib import Path

gum, out = Path(sys.argv[1]), Path(sys.argv[2])
held_out = set()
for split in ("dev", "test"):
    text = (gum / f"en_gum-ud-{split}.conllu").read_text(encoding="utf-8")
    held_out.update(re.findall(r"^# newdoc id = (\S+)", text, flags=re.M))
n = 0
with out.open("w", encoding="utf-8") as f:
    for src in sorted((gum / "not-to-release" / "sources").glob("GUM_*.conllu")):
        if src.stem in held_out:
            continue
        text = src.read_text(encoding="utf-8")
        f.write(text if text.endswith("\n\n") else text.rstrip("\n") + "\n\n")
        n += 1
print(f"  {n} documents")
PY
fi
"$PYTHON" - "$WORK/conllu" $GUM_GENRES <<'PY'
import re
import sys
from collections import Counter
from pathlib import Path

folder, genres = Path(sys.argv[1]), set(sys.argv[2:])
for split in ("train", "dev", "test"):
    text = (folder / f"en_gum-ud-{split}.conllu").read_text(encoding="utf-8")
    docs = re.split(r"(?m)^(?=# newdoc id = )", text)
    kept, counts = [], Counter()
    for doc in docs:
        m = re.match(r"# newdoc id = GUM_([a-z]+)_", doc)
        if m and m.group(1) in genres:
            kept.append(doc.rstrip("\n") + "\n\n")
            counts[m.group(1)] += len(re.findall(r"(?m)^\d+\t", doc))
    (folder / f"gum-{split}.conllu").write_text("".join(kept), encoding="utf-8")
    print(f"  GUM {split}: {len(kept)} documents, {sum(counts.values())} words of the genres used")
PY

# 3. CoNLL-U -> .spacy, 10 sentences per doc. No -m: in spaCy 3 it would append the
#    morphology to the TAG (XPOS) labels; MORPH, POS, LEMMA, HEAD/DEP are kept without it.
#    Training and dev read a folder each (EWT + GUM); the test sets stay apart.
conv() { "$PYTHON" -m spacy convert "$1" "$2" --converter conllu -n 10 >/dev/null; }
for split in train dev; do
    conv "$WORK/conllu/en_ewt-ud-$split.conllu" "$WORK/corpus/$split"
    conv "$WORK/conllu/gum-$split.conllu" "$WORK/corpus/$split"
done
conv "$WORK/conllu/en_ewt-ud-test.conllu" "$WORK/corpus/test"
conv "$WORK/conllu/en_gum-ud-test.conllu" "$WORK/corpus/test"
conv "$WORK/conllu/gum-test.conllu" "$WORK/corpus/test"

# 4. Train (seeded; evaluates on dev every eval_frequency steps, keeps model-best).
start=$(date +%s)
nice -n 10 "$PYTHON" -m spacy train "$CONFIG" --output "$WORK/out" \
    --paths.train "$WORK/corpus/train" --paths.dev "$WORK/corpus/dev" 2>&1 | tee "$WORK/train.log"
echo "training took $(( $(date +%s) - start )) s" | tee -a "$WORK/train.log"

# 5. Test scores of model-best: EWT test, the whole GUM test, GUM test of the genres used.
for t in en_ewt-ud-test en_gum-ud-test gum-test; do
    "$PYTHON" -m spacy evaluate "$WORK/out/model-best" "$WORK/corpus/test/$t.spacy" \
        --output "$WORK/metrics-$t.json" 2>&1 | tee "$WORK/eval-$t.log"
done

# 6. Meta (name, version, licence, description with the test scores, sources).
EWT_REV=$(git -C "$UD_EWT" rev-parse HEAD 2>/dev/null || echo unknown)
GUM_REV=$(git -C "$UD_GUM" rev-parse HEAD 2>/dev/null || echo unknown)
"$PYTHON" - "$WORK" "$EWT_REV" "$GUM_REV" $GUM_GENRES <<'PY'
import json
import sys

import srsly

work, ewt_rev, gum_rev, *genres = sys.argv[1:]
model = f"{work}/out/model-best"
ewt = json.load(open(f"{work}/metrics-en_ewt-ud-test.json"))
gum = json.load(open(f"{work}/metrics-en_gum-ud-test.json"))
gum_used = json.load(open(f"{work}/metrics-gum-test.json"))
meta = srsly.read_json(f"{model}/meta.json")
pct = lambda m, k: f"{100 * m[k]:.1f}"  # noqa: E731
keys = ("token_acc", "tag_acc", "pos_acc", "morph_acc", "lemma_acc", "dep_uas", "dep_las",
        "sents_f")
meta.update(
    name="veille_ud",
    lang="en",
    version="0.2.0",
    license="CC BY-SA 4.0",
    author="Veille",
    description=(
        "English pipeline for Veille (tokenizer, tagger, morphologizer, parser, edit-tree "
        "lemmatizer; CNN tok2vec, no vectors), trained on CPU from Universal Dependencies "
        "UD_English-EWT (CC BY-SA 4.0) and the genres of UD_English-GUM whose texts are "
        "CC BY / CC BY-SA / public domain (" + ", ".join(genres) + "; annotations CC BY 4.0). "
        "Test scores, en_ewt-ud-test: "
        f"TAG {pct(ewt, 'tag_acc')}, POS {pct(ewt, 'pos_acc')}, MORPH {pct(ewt, 'morph_acc')}, "
        f"LEMMA {pct(ewt, 'lemma_acc')}, UAS {pct(ewt, 'dep_uas')}, LAS {pct(ewt, 'dep_las')}; "
        "en_gum-ud-test (all genres): "
        f"TAG {pct(gum, 'tag_acc')}, POS {pct(gum, 'pos_acc')}, MORPH {pct(gum, 'morph_acc')}, "
        f"LEMMA {pct(gum, 'lemma_acc')}, UAS {pct(gum, 'dep_uas')}, LAS {pct(gum, 'dep_las')}."
    ),
    sources=[
        {
            "name": "UD_English-EWT",
            "url": "https://github.com/UniversalDependencies/UD_English-EWT",
            "license": "CC BY-SA 4.0",
            "author": "Universal Dependencies; The Board of Trustees of the Leland "
            "Stanford Junior University (annotations); LDC English Web Treebank (texts)",
            "commit": ewt_rev,
        },
        {
            "name": "UD_English-GUM (genres: " + ", ".join(genres) + ")",
            "url": "https://github.com/UniversalDependencies/UD_English-GUM",
            "license": "annotations CC BY 4.0; texts of these genres CC BY 2.5 / CC BY 4.0 / "
            "CC BY-SA 3.0 / public domain (see the treebank's LICENSE.txt and "
            "https://github.com/amir-zeldes/gum/blob/master/LICENSE.txt)",
            "author": "Amir Zeldes and the GUM annotators, Georgetown University "
            "(https://gucorpling.org/gum/)",
            "commit": gum_rev,
        },
    ],
)
meta["test_performance"] = {k: ewt[k] for k in keys if k in ewt}
meta["test_performance_gum"] = {k: gum[k] for k in keys if k in gum}
meta["test_performance_gum_genres_used"] = {k: gum_used[k] for k in keys if k in gum_used}
srsly.write_json(f"{model}/meta.json", meta)
print(meta["description"])
PY

# 7. Install.
if [ "${NO_INSTALL:-0}" = 1 ]; then
    echo "NO_INSTALL=1: model left in $WORK/out/model-best"
    exit 0
fi
rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
cp -r "$WORK/out/model-best" "$DEST"
du -sh "$DEST"
"$PYTHON" -c "import spacy, sys; nlp = spacy.load(sys.argv[1]); print(nlp.meta['name'], nlp.pipe_names)" "$DEST"
