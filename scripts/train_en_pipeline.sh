#!/usr/bin/env bash
# Train Veille's English spaCy pipeline "veille_ud" (tokenizer, tagger, morphologizer, parser,
# edit-tree lemmatizer) from the Universal Dependencies treebank UD_English-EWT (CC BY-SA 4.0)
# and install it into src/veille/lang/en/pipeline/.
#
#   scripts/train_en_pipeline.sh [UD_EWT_DIR]      (or set UD_EWT=...)
#
# UD_EWT_DIR is a checkout of https://github.com/UniversalDependencies/UD_English-EWT with
# en_ewt-ud-{train,dev,test}.conllu. If a split file is missing or empty (some mirrors leave out
# the 14 MB train file), it is rebuilt the treebank's own way (not-to-release/tools/build.py):
# the per-document files of not-to-release/sources concatenated in the order of
# not-to-release/file-lists/files.<split>. The checkout is never modified.
#
# Nothing is downloaded. Environment:
#   PYTHON    interpreter with spaCy 3.8 (default: .venv/bin/python)
#   WORK      scratch directory (default: a new temp dir, kept; its path is printed)
#   OMP_NUM_THREADS  default 1 (the config's step budget was sized for one CPU thread: ~30 min)
#   NO_INSTALL=1     train and evaluate only, do not touch src/veille/lang/en/pipeline
set -euo pipefail

die() { echo "train_en_pipeline.sh: $1" >&2; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UD_EWT=${1:-${UD_EWT:-}}
[ -n "$UD_EWT" ] || die "give the UD_English-EWT checkout as argument or in UD_EWT"
[ -d "$UD_EWT" ] || die "not a directory: $UD_EWT"
UD_EWT=$(cd "$UD_EWT" && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PYTHON" ] || die "no python at $PYTHON (run make install or set PYTHON)"
CONFIG=$ROOT/training/en/config.cfg
DEST=$ROOT/src/veille/lang/en/pipeline
WORK=${WORK:-$(mktemp -d /tmp/veille-en-train.XXXXXX)}
mkdir -p "$WORK/conllu" "$WORK/corpus"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export OPENBLAS_NUM_THREADS=$OMP_NUM_THREADS MKL_NUM_THREADS=$OMP_NUM_THREADS
echo "work dir: $WORK"

# 1. The three splits (copied, or rebuilt from the per-document sources).
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

# 2. CoNLL-U -> .spacy, 10 sentences per doc. No -m: in spaCy 3 it would append the
#    morphology to the TAG (XPOS) labels; MORPH, POS, LEMMA, HEAD/DEP are kept without it.
for split in train dev test; do
    "$PYTHON" -m spacy convert "$WORK/conllu/en_ewt-ud-$split.conllu" "$WORK/corpus" \
        --converter conllu -n 10 >/dev/null
done

# 3. Train (seeded; evaluates on dev every eval_frequency steps, keeps model-best).
start=$(date +%s)
nice -n 10 "$PYTHON" -m spacy train "$CONFIG" --output "$WORK/out" \
    --paths.train "$WORK/corpus/en_ewt-ud-train.spacy" \
    --paths.dev "$WORK/corpus/en_ewt-ud-dev.spacy" 2>&1 | tee "$WORK/train.log"
echo "training took $(( $(date +%s) - start )) s"

# 4. Test scores of model-best.
"$PYTHON" -m spacy evaluate "$WORK/out/model-best" "$WORK/corpus/en_ewt-ud-test.spacy" \
    --output "$WORK/test-metrics.json" 2>&1 | tee "$WORK/test-eval.log"

# 5. Meta (name, version, licence, description with the test scores).
UD_REV=$(git -C "$UD_EWT" rev-parse HEAD 2>/dev/null || echo unknown)
"$PYTHON" - "$WORK/out/model-best" "$WORK/test-metrics.json" "$UD_REV" <<'PY'
import json
import sys

import srsly

model, metrics_path, rev = sys.argv[1:4]
m = json.load(open(metrics_path))
meta = srsly.read_json(f"{model}/meta.json")
pct = lambda k: f"{100 * m[k]:.1f}"  # noqa: E731
meta.update(
    name="veille_ud",
    lang="en",
    version="0.1.0",
    license="CC BY-SA 4.0",
    author="Veille",
    description=(
        "English pipeline for Veille (tokenizer, tagger, morphologizer, parser, edit-tree "
        "lemmatizer; CNN tok2vec, no vectors), trained on CPU from Universal Dependencies "
        "UD_English-EWT (CC BY-SA 4.0). Test scores (en_ewt-ud-test): "
        f"TAG {pct('tag_acc')}, POS {pct('pos_acc')}, MORPH {pct('morph_acc')}, "
        f"LEMMA {pct('lemma_acc')}, UAS {pct('dep_uas')}, LAS {pct('dep_las')}, "
        f"sentence F {pct('sents_f')}."
    ),
    sources=[
        {
            "name": "UD_English-EWT",
            "url": "https://github.com/UniversalDependencies/UD_English-EWT",
            "license": "CC BY-SA 4.0",
            "author": "Universal Dependencies; The Board of Trustees of the Leland "
            "Stanford Junior University (annotations); LDC English Web Treebank (texts)",
            "commit": rev,
        }
    ],
)
meta["test_performance"] = {k: m[k] for k in (
    "token_acc", "tag_acc", "pos_acc", "morph_acc", "lemma_acc", "dep_uas", "dep_las", "sents_f"
) if k in m}
srsly.write_json(f"{model}/meta.json", meta)
print(meta["description"])
PY

# 6. Install.
if [ "${NO_INSTALL:-0}" = 1 ]; then
    echo "NO_INSTALL=1: model left in $WORK/out/model-best"
    exit 0
fi
rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
cp -r "$WORK/out/model-best" "$DEST"
du -sh "$DEST"
"$PYTHON" -c "import spacy, sys; nlp = spacy.load(sys.argv[1]); print(nlp.meta['name'], nlp.pipe_names)" "$DEST"
