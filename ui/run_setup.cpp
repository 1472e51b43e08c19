// SPDX-License-Identifier: MIT
#include "ui/run_setup.h"

#include "core/config/presets.h"
#include "ui/json_dialog.h"
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
#include <QToolButton>
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

/// The settings most runs change, in this order, with readable labels; the "Run" group.
constexpr std::pair<const char*, const char*> kCommon[] = {
    {"grpo.steps", "Steps"},
    {"grpo.prompts_per_step", "Prompts a step (P)"},
    {"grpo.group_size", "Responses a prompt (G)"},
    {"inner.T", "Inner steps (T)"},
    {"grpo.lr", "Generator learning rate"},
    {"inner.lr", "Inner learning rate (η)"},
    {"seed", "Seed"}};
/// What the run is: names, models, objective and prompts.
constexpr std::pair<const char*, const char*> kWhat[] = {
    {"name", "Name"},
    {"description", "Description"},
    {"objective.kind", "Objective"},
    {"objective.params", "Objective parameters"},
    {"objective.stages", "Objective stages"},
    {"generator.model", "Generator model"},
    {"target.model", "Target model"},
    {"prompts.train", "Training prompts"},
    {"prompts.val", "Validation prompts"}};
/// The other fields, by section, under collapsed "Advanced" headers.
constexpr std::pair<const char*, const char*> kAdvanced[] = {
    {"grpo", "Advanced: generator update (GRPO)"},
    {"inner", "Advanced: inner training 𝒜"},
    {"validation", "Advanced: validation"},
    {"generator", "Advanced: models"},
    {"target", "Advanced: models"},
    {"run", "Advanced: snapshots, checkpoints, threads"}};

const char* labelOf(const std::string& path) {
  for (const auto& [p, label] : kCommon)
    if (path == p) return label;
  for (const auto& [p, label] : kWhat)
    if (path == p) return label;
  return nullptr;
}

QString advancedTitle(const std::string& section) {
  for (const auto& [s, title] : kAdvanced)
    if (section == s) return QString::fromUtf8(title);
  return qs(section);
}

std::string sectionOf(const std::string& path) {
  const auto dot = path.find('.');
  return dot == std::string::npos ? std::string("run") : path.substr(0, dot);
}

QFormLayout* newForm(QWidget* host) {
  auto* form = new QFormLayout(host);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  form->setRowWrapPolicy(QFormLayout::WrapLongRows);
  form->setLabelAlignment(Qt::AlignLeft);
  return form;
}
}  // namespace

QString RunSetup::jsonSummary(const nlohmann::json& v) {
  if (v.is_null()) return tr("(none)");
  if (v.is_object()) {
    if (v.empty()) return tr("(defaults)");
    QStringList parts;
    for (const auto& [key, value] : v.items())
      parts << QStringLiteral("%1 = %2").arg(qs(key), valueText(value));
    return parts.join(QStringLiteral(", "));
  }
  if (v.is_array()) {
    if (v.empty()) return tr("(none)");
    QStringList parts;
    for (const auto& e : v)
      parts
          << (e.is_object() && e.contains("from_step") && e.contains("params")
                  ? tr("from step %1: %2").arg(valueText(e["from_step"]), jsonSummary(e["params"]))
                  : valueText(e));
    return parts.join(QLatin1Char('\n'));
  }
  return valueText(v);
}

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
  std::map<std::string, config::FieldInfo> fields;
  for (auto& f : config::run_config_fields()) fields[f.path] = f;
  auto addGroup = [&](const QString& title, const auto& rows) {
    auto* box = new QGroupBox(title);
    auto* form = newForm(box);
    for (const auto& [path, label] : rows)
      form->addRow(QString::fromUtf8(label), makeEditor(fields.at(path)));
    fl->addWidget(box);
  };
  addGroup(tr("Run"), kCommon);
  addGroup(tr("Objective and models"), kWhat);
  buildAdvanced(fl, fields);
  fl->addStretch();
  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  // Fields shrink to the pane and long rows wrap under their label: no sideways scrolling.
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setWidget(form_host);
  top->addWidget(scroll, 1);

  connect(load, &QPushButton::clicked, this, [this] { loadPreset(presets_->currentText()); });
  loadPreset(qs(config::kDefaultPreset));
}

void RunSetup::buildAdvanced(QVBoxLayout* fl, const std::map<std::string, config::FieldInfo>& all) {
  // One collapsible section per title, fields in declaration order.
  std::vector<QString> order;
  std::map<QString, QFormLayout*> forms;
  for (const auto& f : config::run_config_fields()) {
    if (labelOf(f.path)) continue;
    const QString title = advancedTitle(sectionOf(f.path));
    if (!forms.count(title)) {
      auto* header = new QToolButton;
      header->setText(title);
      header->setCheckable(true);
      header->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
      header->setArrowType(Qt::RightArrow);
      header->setAutoRaise(true);
      header->setObjectName(QStringLiteral("advancedHeader"));
      auto* box = new QWidget;
      box->setVisible(false);
      forms[title] = newForm(box);
      connect(header, &QToolButton::toggled, box, [header, box](bool open) {
        header->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
        box->setVisible(open);
      });
      fl->addWidget(header);
      fl->addWidget(box);
      advanced_.push_back(header);
    }
    const std::string sec = sectionOf(f.path);
    const std::string label = f.path.substr(sec == "run" ? 0 : sec.size() + 1);
    forms[title]->addRow(qs(label), makeEditor(all.at(f.path)));
  }
}

QWidget* RunSetup::makeEditor(const config::FieldInfo& f) {
  QWidget* editor = nullptr;
  QWidget* row = nullptr;
  if (f.type == "bool") {
    auto* cb = new QCheckBox;
    connect(cb, &QCheckBox::toggled, this, &RunSetup::revalidate);
    editor = cb;
  } else if (!f.choices.empty()) {
    auto* combo = new QComboBox;
    for (const auto& c : f.choices) combo->addItem(qs(c));
    connect(combo, &QComboBox::currentTextChanged, this, &RunSetup::revalidate);
    editor = combo;
  } else if (f.type == "object") {
    // JSON values: a wrapped summary and a dialog that edits and checks the whole value.
    auto* summary = new QLabel;
    summary->setWordWrap(true);
    summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    summary->setMinimumWidth(60);
    editor = summary;
    row = withButton(summary, tr("Edit…"), tr("Edit this JSON value, checked as you type"),
                     [this, path = f.path] { editJson(path); });
  } else {
    auto* le = new QLineEdit;
    le->setMinimumWidth(60);
    connect(le, &QLineEdit::textChanged, this, &RunSetup::revalidate);
    // The field's help, then its full value: long values may not fit the form's width.
    const QString doc = qs(f.doc);
    connect(le, &QLineEdit::textChanged, le, [le, doc](const QString& text) {
      le->setToolTip(text.size() > 24 ? doc + QStringLiteral("\n\n") + text : doc);
    });
    editor = le;
    if (f.path == "generator.model" || f.path == "target.model")
      row = withButton(le, tr("…"), tr("Pick a GGUF file or a safetensors model folder"),
                       [this, le] { browseModel(le); });
  }
  editor->setToolTip(qs(f.doc));
  if (f.path == "description")
    static_cast<QLineEdit*>(editor)->setPlaceholderText(
        tr("What this run tries (History shows it)"));
  editors_[f.path] = editor;
  types_[f.path] = f.type;
  return row ? row : editor;
}

QWidget* RunSetup::withButton(QWidget* editor, const QString& text, const QString& tip,
                              std::function<void()> onClick) {
  auto* row = new QWidget;
  auto* rl = new QHBoxLayout(row);
  rl->setContentsMargins(0, 0, 0, 0);
  rl->addWidget(editor, 1);
  auto* button = new QToolButton;
  button->setText(text);
  button->setToolTip(tip);
  rl->addWidget(button, 0, Qt::AlignTop);
  connect(button, &QToolButton::clicked, this, std::move(onClick));
  return row;
}

void RunSetup::browseModel(QLineEdit* le) {
  QString f = QFileDialog::getOpenFileName(this, tr("Model file"), {},
                                           tr("Models (*.gguf *.safetensors config.json)"));
  if (f.isEmpty()) return;
  if (!f.endsWith(QStringLiteral(".gguf"))) f = QFileInfo(f).absolutePath();  // safetensors
  le->setText(f);
}

JsonDialog* RunSetup::editJson(const std::string& path) {
  const config::FieldInfo* info = nullptr;
  const auto fields = config::run_config_fields();
  for (const auto& f : fields)
    if (f.path == path) info = &f;
  if (!info || !json_values_.count(path)) return nullptr;
  auto check = [this, path](const nlohmann::json& v) -> QString {
    try {
      auto cfg = config();
      cfg.apply_override(path + "=" + v.dump());
      cfg.validate();
      return {};
    } catch (const std::exception& e) {
      return qs(e.what());
    }
  };
  auto* d = new JsonDialog(qs(path), qs(info->doc), json_values_.at(path), check, this);
  d->setAttribute(Qt::WA_DeleteOnClose);
  connect(d, &QDialog::accepted, this, [this, d, path] { setJsonValue(path, d->value()); });
  d->open();
  return d;
}

void RunSetup::setJsonValue(const std::string& path, const nlohmann::json& value) {
  json_values_[path] = value;
  if (auto* l = qobject_cast<QLabel*>(editors_.at(path))) l->setText(jsonSummary(value));
  revalidate();
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
    else if (types_.at(path) == "object") {
      json_values_[path] = v;
      static_cast<QLabel*>(editor)->setText(jsonSummary(v));
    } else if (auto* le = qobject_cast<QLineEdit*>(editor)) {
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
    if (types_.at(path) == "object")
      value = qs(json_values_.at(path).dump());
    else if (auto* cb = qobject_cast<QCheckBox*>(editor))
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
  // A designed target is a new run, not the preset's: its own name, and the description is the
  // user's to write (the preset's no longer describes it).
  if (cfg.name == preset_.toStdString()) {
    cfg.name = tr("%1 designed").arg(preset_).toStdString();
    cfg.description.clear();
  }
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
