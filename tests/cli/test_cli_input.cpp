// SPDX-License-Identifier: MIT
// Bad input and awkward places through the dpg binary: a store in a folder nobody may write to is
// read by every read-only command and refused, with the reason, by the writing ones; ids outside
// the vocabulary, argument errors and broken JSON are each one line and a non-zero exit; bytes the
// vocabulary has no token for are named in a warning.
#include "core/store/run_store.h"
#include "tests/common/test_paths.h"

#include <torch/cuda.h>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

#include <functional>

namespace {

struct Result {
  int code;
  QString out, err;
};

Result run_dpg(const QStringList& args, const QByteArray& input = {}, int timeout_ms = 300000) {
  QProcess p;
  p.start(dpg::test::bin_dir() + QStringLiteral("/dpg"), args);
  if (!p.waitForStarted()) qFatal("dpg did not start");
  p.write(input);
  p.closeWriteChannel();
  if (!p.waitForFinished(timeout_ms)) qFatal("dpg did not finish");
  return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

/// The error of a failed command: exactly one line "dpg: error: ..." that contains @p needle.
void checkOneLineError(const Result& r, const QString& needle) {
  QVERIFY2(r.code != 0, qPrintable(r.out));
  const auto lines = r.err.trimmed().split(QLatin1Char('\n'));
  QVERIFY2(lines.size() == 1, qPrintable(r.err));
  QVERIFY2(lines[0].startsWith(QStringLiteral("dpg: error: ")) && lines[0].contains(needle),
           qPrintable(lines[0]));
}

bool run_tool(const QString& program, const QStringList& args) {
  QProcess p;
  p.start(program, args);
  return p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

/// Makes @p dir and everything in it read-only for this process: the mode bits (0555 folders, 0444
/// files) and, for root, whom they do not restrict, the immutable attribute (chattr +i). Undoes it
/// on destruction. ok() says whether creating a file in @p dir now fails.
class ReadOnlyTree {
 public:
  explicit ReadOnlyTree(const QString& dir) : dir_(dir) {
    walk([](const QString& path, bool is_dir) {
      QFile::setPermissions(path, is_dir ? QFile::Permissions(0x5555) : QFile::Permissions(0x4444));
    });
    if (::geteuid() == 0)
      walk([this](const QString& path, bool is_dir) {
        if (is_dir) immutable_ &= run_tool(QStringLiteral("chattr"), {QStringLiteral("+i"), path});
      });
  }
  ~ReadOnlyTree() {
    if (::geteuid() == 0)
      walk([](const QString& path, bool is_dir) {
        if (is_dir) run_tool(QStringLiteral("chattr"), {QStringLiteral("-i"), path});
      });
    walk([](const QString& path, bool is_dir) {
      QFile::setPermissions(path, is_dir ? QFile::Permissions(0x7755) : QFile::Permissions(0x6644));
    });
  }
  bool ok() const {
    QFile probe(dir_ + QStringLiteral("/probe"));
    if (!probe.open(QIODevice::WriteOnly)) return true;
    probe.close();
    probe.remove();
    return false;
  }
  bool immutable() const { return immutable_; }

 private:
  void walk(const std::function<void(const QString&, bool)>& fn) const {
    QStringList dirs{dir_};
    while (!dirs.isEmpty()) {
      const QString d = dirs.takeFirst();
      fn(d, true);
      for (const auto& e :
           QDir(d).entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)) {
        if (e.isDir())
          dirs << e.filePath();
        else
          fn(e.filePath(), false);
      }
    }
  }
  QString dir_;
  bool immutable_ = true;
};

QStringList tinyRun(const QString& db) {
  QStringList run{QStringLiteral("run"), QStringLiteral("--preset"), QStringLiteral("67-tiny"),
                  QStringLiteral("--db"), db};
  for (const char* kv : {"grpo.steps=2", "grpo.prompts_per_step=4", "grpo.minibatch_prompts=4",
                         "grpo.max_new_tokens=16", "inner.T=4", "validation.every=2",
                         "validation.prompts=4", "validation.T=4", "seed=3", "threads=1"})
    run << QStringLiteral("--set") << QString::fromLatin1(kv);
  return run;
}

/// The 21 bytes SmolLM2's vocabulary has no token for (docs/models.md).
const QString kSmolLM2Dropped = QStringLiteral(
    "0x04 0x06 0x13 0x14 0x16 0x1D 0xC0 0xC1 0xF1 0xF2 0xF5 0xF6 0xF7 0xF8 0xF9 0xFA 0xFB 0xFC "
    "0xFD 0xFE 0xFF");

}  // namespace

class TestCliInput : public QObject {
  Q_OBJECT
 private slots:
  /// A store in a read-only folder (0555 folders, a 0444 file; immutable for root): runs list/show,
  /// export, eval and the read-only RunStore behind the GUI's History read it; no -wal or -shm
  /// appears; resume and run say in one line why they cannot write.
  void readOnlyStoreIsReadNotWritten() {
    QTemporaryDir tmp;
    const QString dir = tmp.path() + QStringLiteral("/store"), db = dir + QStringLiteral("/r.db");
    QVERIFY(QDir().mkpath(dir));
    auto made = run_dpg(tinyRun(db));
    QVERIFY2(made.code == 0, qPrintable(made.err));
    QVERIFY2(!QFile::exists(db + QStringLiteral("-wal")), "a clean exit folds the WAL in");
    ReadOnlyTree ro(dir);
    QVERIFY2(ro.ok(), "this user can still create files in a 0555 folder (root without chattr?)");
    QVERIFY(ro.immutable());

    const QStringList at{QStringLiteral("--db"), db};
    auto list = run_dpg(QStringList{QStringLiteral("runs"), QStringLiteral("list")} + at);
    QVERIFY2(list.code == 0, qPrintable(list.err));
    QVERIFY2(
        list.out.contains(QStringLiteral("67-tiny")) && list.out.contains(QStringLiteral(" done ")),
        qPrintable(list.out));
    auto show = run_dpg(
        QStringList{QStringLiteral("runs"), QStringLiteral("show"), QStringLiteral("1")} + at);
    QVERIFY2(show.code == 0 && show.out.contains(QStringLiteral("steps: 2")), qPrintable(show.err));
    QTemporaryDir out;
    const QString csv = out.path() + QStringLiteral("/c.csv");
    auto exp = run_dpg(
        QStringList{QStringLiteral("export"), QStringLiteral("1"), QStringLiteral("--csv"), csv} +
        at);
    QVERIFY2(exp.code == 0, qPrintable(exp.err));
    QFile c(csv);
    QVERIFY(c.open(QIODevice::ReadOnly));
    QCOMPARE(c.readAll().count('\n'), 3);  // the header and two steps
    auto ev = run_dpg(QStringList{QStringLiteral("eval"), QStringLiteral("1")} + at);
    QVERIFY2(ev.code == 0 && ev.out.contains(QStringLiteral("mean")), qPrintable(ev.err));
    {
      auto st = dpg::store::RunStore::open(db.toStdString(), /*read_only=*/true);
      QCOMPARE(st.list_runs().size(), size_t(1));
      QCOMPARE(st.steps(1).size(), size_t(2));
    }
    QVERIFY(!QFile::exists(db + QStringLiteral("-wal")) &&
            !QFile::exists(db + QStringLiteral("-shm")));

    checkOneLineError(run_dpg(QStringList{QStringLiteral("resume"), QStringLiteral("1"),
                                          QStringLiteral("--set"), QStringLiteral("grpo.steps=3")} +
                              at),
                      QStringLiteral("read-only"));
    checkOneLineError(run_dpg(tinyRun(dir + QStringLiteral("/new.db"))),
                      QStringLiteral("is not writable"));
  }

  void decodeRejectsIdsOutsideTheVocabulary_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("needle");
    QTest::addRow("negative") << QByteArray("[-1]\n") << QStringLiteral("id -1 is outside");
    QTest::addRow("huge") << QByteArray("[99999999]\n") << QStringLiteral("id 99999999 is outside");
    QTest::addRow("one past") << QByteArray("[1, 49152]\n")
                              << QStringLiteral("id 49152 is outside the vocabulary (0 to 49151)");
    QTest::addRow("second line") << QByteArray("[1]\n[2, -3]\n") << QStringLiteral("line 2: id -3");
    QTest::addRow("not ids") << QByteArray("[\"a\"]\n") << QStringLiteral("not an integer id");
    QTest::addRow("not an array") << QByteArray("{}\n") << QStringLiteral("not a JSON array");
  }
  void decodeRejectsIdsOutsideTheVocabulary() {
    QFETCH(QByteArray, input);
    QFETCH(QString, needle);
    checkOneLineError(run_dpg({QStringLiteral("tokenize"), QStringLiteral("--model"),
                               QStringLiteral("smollm2"), QStringLiteral("--decode")},
                              input),
                      needle);
  }

  /// Ids inside the vocabulary decode; the text they came from round-trips.
  void decodeKeepsValidIds() {
    const QStringList tok{QStringLiteral("tokenize"), QStringLiteral("--model"),
                          QStringLiteral("smollm2")};
    auto enc = run_dpg(tok, QByteArray("Hello, world\n"));
    QVERIFY2(enc.code == 0 && enc.err.isEmpty(), qPrintable(enc.err));
    auto dec = run_dpg(tok + QStringList{QStringLiteral("--decode")}, enc.out.toUtf8());
    QVERIFY2(dec.code == 0, qPrintable(dec.err));
    QCOMPARE(dec.out, QStringLiteral("Hello, world\n"));
  }

  /// Every byte but the newline, once: the warning names exactly the 21 bytes SmolLM2 has no token
  /// for, and the ids decode to the input without them.
  void tokenizeWarnsOfDroppedBytes() {
    QSet<int> dropped;
    for (const auto& hex : kSmolLM2Dropped.split(QLatin1Char(' ')))
      dropped.insert(hex.mid(2).toInt(nullptr, 16));
    QByteArray all, kept;
    for (int b = 0; b < 256; ++b) {
      if (b == '\n') continue;
      all.append(char(b));
      if (!dropped.contains(b)) kept.append(char(b));
    }
    const QStringList tok{QStringLiteral("tokenize"), QStringLiteral("--model"),
                          QStringLiteral("smollm2")};
    auto enc = run_dpg(tok, all + '\n');
    QVERIFY2(enc.code == 0, qPrintable(enc.err));
    const auto lines = enc.err.trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 1);
    QCOMPARE(lines[0], QStringLiteral("dpg: warning: line 1: no token for the bytes ") +
                           kSmolLM2Dropped +
                           QStringLiteral("; they are dropped, as in HF (docs/models.md)"));
    QProcess p;
    p.start(dpg::test::bin_dir() + QStringLiteral("/dpg"),
            tok + QStringList{QStringLiteral("--decode")});
    QVERIFY(p.waitForStarted());
    p.write(enc.out.toUtf8());
    p.closeWriteChannel();
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.readAllStandardOutput(), kept + '\n');
    QCOMPARE(kept.size(), 255 - 21);
  }

  void argumentErrorsAreOneLine_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("needle");
    QTest::addRow("threads abc") << QStringList{QStringLiteral("run"), QStringLiteral("--threads"),
                                                QStringLiteral("abc")}
                                 << QStringLiteral("--threads");
    QTest::addRow("id abc") << QStringList{QStringLiteral("runs"), QStringLiteral("show"),
                                           QStringLiteral("abc")}
                            << QStringLiteral("abc");
    QTest::addRow("unknown command")
        << QStringList{QStringLiteral("frobnicate")} << QStringLiteral("frobnicate");
    QTest::addRow("no command") << QStringList{} << QStringLiteral("subcommand");
    QTest::addRow("missing value") << QStringList{QStringLiteral("run"), QStringLiteral("--preset")}
                                   << QStringLiteral("--preset");
    QTest::addRow("out of range") << QStringList{QStringLiteral("export"), QStringLiteral("1"),
                                                 QStringLiteral("--border"), QStringLiteral("99")}
                                  << QStringLiteral("--border");
  }
  void argumentErrorsAreOneLine() {
    QFETCH(QStringList, args);
    QFETCH(QString, needle);
    checkOneLineError(run_dpg(args), needle);
  }

  /// --help and --version still print in full and exit 0.
  void helpIsNotAnError() {
    auto help = run_dpg({QStringLiteral("--help")});
    QCOMPARE(help.code, 0);
    QVERIFY2(help.out.count(QLatin1Char('\n')) > 5, qPrintable(help.out));
    auto version = run_dpg({QStringLiteral("--version")});
    QCOMPARE(version.code, 0);
    QVERIFY2(version.out.startsWith(QStringLiteral("dpg ")), qPrintable(version.out));
  }

  /// A run that asks for absurd memory is refused before it touches the store, in one line with
  /// the estimate, what is available and what to change.
  void absurdMemoryIsRefused() {
    QTemporaryDir tmp;
    const QString db = tmp.path() + QStringLiteral("/r.db");
    const auto r =
        run_dpg({QStringLiteral("run"), QStringLiteral("--preset"), QStringLiteral("67-tiny"),
                 QStringLiteral("--set"), QStringLiteral("grpo.prompts_per_step=100000"),
                 QStringLiteral("--set"), QStringLiteral("grpo.minibatch_prompts=100000"),
                 QStringLiteral("--db"), db});
    checkOneLineError(r, QStringLiteral("dpg: error: the run needs about "));
    QVERIFY2(r.err.contains(QStringLiteral(" GiB of memory (models ")) &&
                 r.err.contains(QStringLiteral(" is available; even with inner.schedule=sqrt")) &&
                 r.err.contains(QStringLiteral("lower grpo.prompts_per_step")),
             qPrintable(r.err));
    QVERIFY(!QFile::exists(db));
  }

  /// --device on run, resume, eval and attribute: a misspelt device, or a CUDA device this machine
  /// cannot use, is one line naming why, before anything is written; --device cpu runs.
  void deviceFlagIsOneLine() {
    QTemporaryDir tmp;
    const QString db = tmp.path() + QStringLiteral("/r.db");
    const QString absent =
        torch::cuda::is_available() ? QStringLiteral("cuda:99") : QStringLiteral("cuda");
    const QString unusable = QStringLiteral("run.device: ") + absent + QStringLiteral(" asked for");
    const QString misspelt = QStringLiteral("run.device: must be cpu, cuda or cuda:N");
    const QStringList device{QStringLiteral("--device")};
    checkOneLineError(run_dpg(tinyRun(db) + device + QStringList{absent}), unusable);
    checkOneLineError(run_dpg(tinyRun(db) + device + QStringList{QStringLiteral("cuda:x")}),
                      misspelt);
    QVERIFY(!QFile::exists(db));
    const auto made = run_dpg(tinyRun(db) + device + QStringList{QStringLiteral("cpu")});
    QVERIFY2(made.code == 0, qPrintable(made.err));

    const QStringList eval{QStringLiteral("eval"), QStringLiteral("1"), QStringLiteral("--db"), db};
    checkOneLineError(run_dpg(eval + device + QStringList{absent}), unusable);
    const auto evaluated = run_dpg(eval + device + QStringList{QStringLiteral("cpu")});
    QVERIFY2(evaluated.code == 0, qPrintable(evaluated.err));
    checkOneLineError(run_dpg({QStringLiteral("resume"), QStringLiteral("1"),
                               QStringLiteral("--db"), db, QStringLiteral("--set"),
                               QStringLiteral("grpo.steps=3"), QStringLiteral("--device"), absent}),
                      unusable);

    QFile data(tmp.path() + QStringLiteral("/d.jsonl"));
    QVERIFY(data.open(QIODevice::WriteOnly));
    for (int i = 0; i < 4; ++i) data.write("{\"text\": \"some words\"}\n");
    data.close();
    const QStringList attribute{QStringLiteral("attribute"),
                                QStringLiteral("--data"),
                                data.fileName(),
                                QStringLiteral("--objective"),
                                QStringLiteral("lmhead_norm"),
                                QStringLiteral("--T"),
                                QStringLiteral("2")};
    checkOneLineError(run_dpg(attribute + device + QStringList{absent}), unusable);
    checkOneLineError(run_dpg(attribute + device + QStringList{QStringLiteral("gpu")}), misspelt);
  }

  /// A config file with broken JSON: the file, the line and the column of the fault, and none of
  /// the file's text.
  void brokenConfigNamesLineAndColumn() {
    QTemporaryDir tmp;
    const QString path = tmp.path() + QStringLiteral("/broken.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\n  \"name\": \"secret-marker\",\n  \"seed\": 3,,\n  \"grpo\": {}\n}\n");
    f.close();
    const auto r = run_dpg({QStringLiteral("run"), QStringLiteral("--config"), path,
                            QStringLiteral("--db"), tmp.path() + QStringLiteral("/r.db")});
    checkOneLineError(r, path + QStringLiteral(":3:13: not valid JSON ("));
    QVERIFY2(!r.err.contains(QStringLiteral("secret-marker")) && r.err.size() < 300,
             qPrintable(r.err));
    QVERIFY(!QFile::exists(tmp.path() + QStringLiteral("/r.db")));
  }
};

QTEST_GUILESS_MAIN(TestCliInput)
#include "test_cli_input.moc"
