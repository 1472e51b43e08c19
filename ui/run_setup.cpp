// SPDX-License-Identifier: MIT
#include "ui/run_setup.h"

#include "core/config/presets.h"
#include "ui/objective_kinds.h"
#include "ui/types.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace dpg::ui {

namespace {
QString valueText(const nlohmann::json& v) {
  if (v.is_string()) return qs(v.get<std::string>());
  return qs(v.dump());
}

nlohmann::json at_path(const nlohmann::json& j, const std::string& path) {
  const nlohmann::json* cur = &j;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string key =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object() || !cur->contains(key)) return nullptr;
    cur = &(*cur)[key];
    if (dot == std::string::npos) return *cur;
    start = dot + 1;
  }
}
}  // namespace

RunSetup::RunSetup(QWidget* parent) : QWidget(parent) {
  auto* top = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Preset:")));
  presets_ = new QComboBox;
  for (const auto& p : config::list_presets()) {
    presets_->addItem(qs(p.name));
    presets_->setItemData(presets_->count() - 1, qs(p.description), Qt::ToolTipRole);
  }
  bar->addWidget(presets_, 1);
  auto* load = new QPushButton(tr("Load"));
  bar->addWidget(load);
  top->addLayout(bar);
  status_ = new QLabel;
  status_->setWordWrap(true);
  top->addWidget(status_);

  auto* form_host = new QWidget;
  auto* fl = new QVBoxLayout(form_host);
  std::map<std::string, QFormLayout*> sections;
  auto sectionOf = [](const std::string& path) {
    const auto dot = path.find('.');
    return dot == std::string::npos ? std::string("run") : path.substr(0, dot);
  };
  for (const auto& f : config::run_config_fields()) {
    const std::string sec = sectionOf(f.path);
    if (!sections.count(sec)) {
      auto* box = new QGroupBox(qs(sec));
      auto* form = new QFormLayout(box);
      form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
      fl->addWidget(box);
      sections[sec] = form;
    }
    QWidget* editor = nullptr;
    if (f.type == "bool") {
      auto* cb = new QCheckBox;
      connect(cb, &QCheckBox::toggled, this, &RunSetup::revalidate);
      editor = cb;
    } else if (!f.choices.empty()) {
      auto* combo = new QComboBox;
      for (const auto& c : f.choices) combo->addItem(qs(c));
      connect(combo, &QComboBox::currentTextChanged, this, &RunSetup::revalidate);
      editor = combo;
    } else {
      auto* le = new QLineEdit;
      connect(le, &QLineEdit::textChanged, this, &RunSetup::revalidate);
      editor = le;
    }
    editor->setToolTip(qs(f.doc));
    if (auto* le = qobject_cast<QLineEdit*>(editor)) {
      // The field's help, then its full value: long values do not fit the form's width.
      const QString doc = qs(f.doc);
      connect(le, &QLineEdit::textChanged, le, [le, doc](const QString& text) {
        le->setToolTip(text.size() > 24 ? doc + QStringLiteral("\n\n") + text : doc);
      });
    }
    editors_[f.path] = editor;
    types_[f.path] = f.type;
    const std::string label = f.path.substr(sec == "run" ? 0 : sec.size() + 1);
    if (f.path == "generator.model" || f.path == "target.model") {
      auto* row = new QWidget;
      auto* rl = new QHBoxLayout(row);
      rl->setContentsMargins(0, 0, 0, 0);
      rl->addWidget(editor, 1);
      auto* browse = new QPushButton(tr("…"));
      browse->setToolTip(tr("Pick a GGUF file or a safetensors model folder"));
      browse->setMaximumWidth(32);
      rl->addWidget(browse);
      auto* le = static_cast<QLineEdit*>(editor);
      connect(browse, &QPushButton::clicked, this, [this, le] {
        QString f = QFileDialog::getOpenFileName(this, tr("Model file"), {},
                                                 tr("Models (*.gguf *.safetensors config.json)"));
        if (f.isEmpty()) return;
        if (!f.endsWith(QStringLiteral(".gguf")))
          f = QFileInfo(f).absolutePath();  // safetensors: the folder
        le->setText(f);
      });
      sections[sec]->addRow(qs(label), row);
    } else {
      sections[sec]->addRow(qs(label), editor);
    }
  }
  fl->addStretch();
  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(
      Qt::ScrollBarAlwaysOff);  // fields shrink to the pane; no sideways scrolling
  scroll->setWidget(form_host);
  top->addWidget(scroll, 1);

  connect(load, &QPushButton::clicked, this, [this] { loadPreset(presets_->currentText()); });
  loadPreset(qs(config::kDefaultPreset));
}

void RunSetup::loadPreset(const QString& name) {
  try {
    setConfig(config::load_preset(name.toStdString()));
    preset_ = name;
    QSignalBlocker b(presets_);
    presets_->setCurrentText(name);
  } catch (const std::exception& e) {
    status_->setText(qs(e.what()));
  }
}

void RunSetup::setConfig(const config::RunConfig& cfg) {
  loading_ = true;
  const auto j = cfg.to_json();
  for (auto& [path, editor] : editors_) {
    const auto v = at_path(j, path);
    if (auto* cb = qobject_cast<QCheckBox*>(editor))
      cb->setChecked(v.is_boolean() && v.get<bool>());
    else if (auto* combo = qobject_cast<QComboBox*>(editor))
      combo->setCurrentText(valueText(v));
    else if (auto* le = qobject_cast<QLineEdit*>(editor)) {
      le->setText(v.is_null() ? QString() : valueText(v));
      le->setCursorPosition(
          0);  // long values (description, objective params) show their start, not their end
    }
  }
  loading_ = false;
  revalidate();
}

config::RunConfig RunSetup::config() const {
  config::RunConfig cfg;
  // objective.kind first: changing it clears objective.params.
  std::vector<std::string> order{"objective.kind"};
  for (const auto& [path, e] : editors_)
    if (path != "objective.kind") order.push_back(path);
  for (const auto& path : order) {
    QWidget* editor = editors_.at(path);
    QString value;
    if (auto* cb = qobject_cast<QCheckBox*>(editor))
      value = cb->isChecked() ? QStringLiteral("true") : QStringLiteral("false");
    else if (auto* combo = qobject_cast<QComboBox*>(editor))
      value = combo->currentText();
    else if (auto* le = qobject_cast<QLineEdit*>(editor))
      value = le->text();
    cfg.apply_override(path + "=" + value.toStdString());
  }
  return cfg;
}

std::optional<config::RunConfig> RunSetup::validatedConfig() {
  revalidate();
  if (!message_.isEmpty()) return std::nullopt;
  return config();
}

void RunSetup::setObjectiveParams(const nlohmann::json& params) {
  auto cfg = config();
  cfg.objective.kind = designerKind(cfg.objective.kind);
  cfg.objective.params = params;
  setConfig(cfg);
}

void RunSetup::revalidate() {
  if (loading_) return;
  for (auto& [path, editor] : editors_) editor->setStyleSheet({});
  try {
    const auto cfg = config();
    cfg.validate();
    message_.clear();
    status_->setText(tr("✔ Config is valid: %1 steps, %2 rollouts a step.")
                         .arg(cfg.grpo.steps)
                         .arg(cfg.grpo.prompts_per_step * cfg.grpo.group_size));
    status_->setStyleSheet(QStringLiteral("color: #1b7a1b"));
    const QString target = qs(cfg.target.model);
    if (target != last_target_) {
      last_target_ = target;
      Q_EMIT targetModelChanged(target);
    }
    Q_EMIT configChanged(cfg);
  } catch (const std::exception& e) {
    message_ = qs(e.what());
    status_->setText(QStringLiteral("✖ ") + message_);
    status_->setStyleSheet(QStringLiteral("color: #b00020; font-weight: bold"));
    const std::string msg = e.what();
    const std::string field = msg.substr(0, msg.find(':'));
    auto it = editors_.find(field);
    if (it != editors_.end()) it->second->setStyleSheet(QStringLiteral("background: #ffe0e0"));
  }
}

}  // namespace dpg::ui
