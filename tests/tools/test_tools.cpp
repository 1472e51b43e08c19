// SPDX-License-Identifier: MIT
// The tools library that builds the fixture models: each corpus reader on hand-written files in its
// source's format, and the pretraining loop (schedule, progress and checkpoints, determinism,
// cancel).
#include "core/model/byte_tokenizer.h"
#include "tests/common/errors.h"
#include "tests/common/tiny_configs.h"
#include "tools/corpus.h"
#include "tools/pretrain.h"

#include <torch/torch.h>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>

using dpg::test::contains;
using dpg::test::error_of;
namespace fs = std::filesystem;
namespace tools = dpg::tools;

namespace {

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

using Docs = std::vector<std::string>;

/// A byte-level GPT-2 of one block, small enough to train for a few steps in a test.
tools::PretrainOptions tiny_options() {
  tools::PretrainOptions o;
  o.config = dpg::test::tiny_config(dpg::model::Arch::Gpt2,
                                    {.vocab = 257, .d_model = 16, .layers = 1, .d_ff = 64});
  o.config.bos_id = o.config.eos_id = o.config.pad_id = dpg::model::ByteTokenizer::kEndOfText;
  o.steps = 40;
  o.batch = 8;
  o.lr = 1e-2;
  o.warmup = 5;
  o.eval_every = 20;
  o.seed = 3;
  return o;
}

Docs tiny_corpus() {
  Docs docs;
  for (int k = 0; k < 24; ++k)
    docs.push_back("the cat sat on the mat, and the dog sat on the log " + std::to_string(k));
  return docs;
}

}  // namespace

class TestTools : public QObject {
  Q_OBJECT

 private slots:
  // WordNet: the quoted examples after a gloss's '|', white space squashed, at least 12 printable
  // ASCII characters; licence lines (leading space) are skipped; the four data files in turn.
  void wordnetReadsTheQuotedExamples() {
    QTemporaryDir dir;
    const fs::path d = dir.path().toStdString();
    write(d / "data.noun",
          "  1 licence line | \"a quoted licence sentence\"\n"
          "00001740 03 n 01 entity 0 | a gloss; \"an example   sentence\there\"; \"short\"\n"
          "00001741 03 n 01 cafe 0 | a gloss; \"caf\xc3\xa9 is not plain ASCII\"\n");
    write(d / "data.verb", "00000001 29 v 01 run 0 | move fast; \"she runs every morning\"\n");
    write(d / "data.adj", "no gloss bar, \"not an example at all\"\n");
    write(d / "data.adv", "");
    Docs docs;
    tools::read_wordnet(d.string(), docs);
    QCOMPARE(docs, (Docs{"an example sentence here", "she runs every morning"}));
  }

  // Fortunes: '%'-separated entries of 12 to 600 characters, files in name order; files with an
  // extension, the art files and subfolders are not read.
  void fortunesReadsTheEntries() {
    QTemporaryDir dir;
    const fs::path d = dir.path().toStdString();
    write(d / "zen", "Last file's fortune, long enough.\n%\n");
    write(d / "people",
          "First fortune, long enough.\n%\nshort\n%\n  Indented\n  second   one\n%\n" +
              std::string(601, 'x') + "\n%\n");
    write(d / "people.dat", "An index file that is not read.\n%\n");
    write(d / "art", "An art file that is not read at all.\n%\n");
    write(d / "off" / "rude", "A fortune in a subfolder, not read.\n%\n");
    Docs docs;
    tools::read_fortunes(d.string(), docs);
    QCOMPARE(docs, (Docs{"First fortune, long enough.", "Indented second one",
                         "Last file's fortune, long enough."}));
  }

  // Brown: "word/tag" tokens rebuilt as text (punctuation glued, `` and '' as ", the tag after the
  // last '/'), sentences of at least 20 characters, only the files c???.
  void brownRebuildsTheSentences() {
    QTemporaryDir dir;
    const fs::path d = dir.path().toStdString();
    write(d / "ca01",
          "The/at jury/nn ,/, (/( he/pps )/) 's/bez ``/`` fine/jj ''/'' 1/2/cd ./.\n"
          "Yes/rb ./.\n");
    write(d / "README", "Not/rb a/at corpus/nn file/nn at/in all/abn ./.\n");
    Docs docs;
    tools::read_brown(d.string(), docs);
    QCOMPARE(docs, (Docs{"The jury, (he)'s \" fine \" 1/2."}));
  }

  // Warm-up then cosine decay to lr/10, reported at step 1, every eval_every steps and the last;
  // checkpoints at the same steps; the held-out loss falls; the same seed gives the same weights.
  void pretrainFollowsItsScheduleAndRepeats() {
    auto o = tiny_options();
    std::vector<tools::PretrainProgress> seen;
    std::vector<int64_t> checkpoints;
    o.progress = [&](const tools::PretrainProgress& p) { seen.push_back(p); };
    o.checkpoint = [&](int64_t step, const dpg::model::TensorMap&) { checkpoints.push_back(step); };
    const auto a = tools::pretrain(tiny_corpus(), o);
    QCOMPARE(seen.size(), size_t(3));
    QCOMPARE(seen[0].step, int64_t(1));
    QCOMPARE(seen[1].step, int64_t(20));
    QCOMPARE(seen[2].step, int64_t(40));
    QCOMPARE(checkpoints, (std::vector<int64_t>{1, 20, 40}));
    QCOMPARE(seen[0].lr, o.lr * 1.0 / 5.0);
    QVERIFY(std::abs(seen[2].lr - o.lr / 10) < 1e-12);
    QVERIFY2(seen[2].val_loss < seen[0].val_loss - 1.0,
             qPrintable(
                 QStringLiteral("val loss %1 -> %2").arg(seen[0].val_loss).arg(seen[2].val_loss)));
    QCOMPARE(a.val_loss, seen[2].val_loss);

    o.progress = nullptr;
    o.checkpoint = nullptr;
    const auto b = tools::pretrain(tiny_corpus(), o);
    QCOMPARE(a.params.size(), b.params.size());
    for (const auto& [name, t] : a.params)
      QVERIFY2(torch::equal(t, b.params.at(name)), name.c_str());
  }

  void pretrainRefusesATinyCorpusAndStopsWhenCancelled() {
    auto o = tiny_options();
    QVERIFY(contains(error_of([&] { tools::pretrain(Docs(19, "a document"), o); }),
                     "fewer than 20 documents"));
    o.cancelled = [] { return true; };
    QCOMPARE(error_of([&] { tools::pretrain(tiny_corpus(), o); }), std::string("cancelled"));
  }
};

QTEST_GUILESS_MAIN(TestTools)
#include "test_tools.moc"
