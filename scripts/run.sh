#!/usr/bin/env bash
# The main job, with no training needed first:
#  1. the two models shipped in models/ (MotionRNN-PredRNN and PredRNN, trained on V-MNIST with
#     the same recipe and budget) predict the same 256 held-out V-MNIST sequences: metrics per
#     frame side by side with the copy-last and all-black floors, plots of MSE and SSIM per
#     predicted frame, and the same sequences predicted by both;
#  2. a fine-tuning demo: the shipped MotionRNN-PredRNN trains for a few minutes on a real clip
#     (people walking, Debian's opencv-doc vtest.avi, grey 64×64) with `train --init-from`, and
#     is compared on the clip's held-out frames (one in 2, as it trained) with the model it
#     started from and with the clip model shipped in models/ (750 iterations with reverse input
#     from the 2 × 32 V-MNIST model shipped before).
# Writes runs/default-<time>/index.html, which links both reports.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release
tool=.build/release/motionrnn
output="runs/default-$(date +%Y%m%d-%H%M%S)"
clip=/usr/share/doc/opencv-doc/examples/data/vtest.avi
mkdir -p "$output"

"$tool" compare vmnist-motionrnn-predrnn vmnist-predrnn --data vmnist --test-count 256 --examples 4 \
    --output "$output/vmnist"
"$tool" train --init-from vmnist-motionrnn-predrnn --data "$clip" --frame-stride 2 --iterations 150 \
    --learning-rate 3e-4 --validation-interval 50 --checkpoint-interval 50 --examples 2 \
    --output "$output/finetune-vtest"
# The fine-tuned model first: the report's best/median/worst sequences and paired counts are its own.
"$tool" compare "$output/finetune-vtest" vmnist-motionrnn-predrnn vtest-motionrnn-predrnn --data "$clip" --frame-stride 2 \
    --examples 2 \
    --output "$output/vtest"

cat > "$output/index.html" <<HTML
<!doctype html><meta charset="utf-8"><title>MotionRNN-Swift main job</title>
<h1>MotionRNN-Swift: the main job of $(date -u +"%Y-%m-%d %H:%M UTC")</h1>
<ul>
<li><a href="vmnist/report/index.html">The shipped MotionRNN-PredRNN and PredRNN on 256 held-out V-MNIST sequences</a></li>
<li><a href="vtest/report/index.html">Fine-tuning demo: the shipped MotionRNN-PredRNN before and after 150 iterations on a walking-people clip, and the shipped clip model</a>
 (<a href="finetune-vtest/report/index.html">the fine-tuning run</a>)</li>
</ul>
HTML
echo "report: $output/index.html"
