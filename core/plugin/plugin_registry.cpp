// SPDX-License-Identifier: MIT
#include "core/plugin/plugin_registry.h"

#include "core/config/build_paths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QLibrary>
#include <QPluginLoader>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace dpg::plugin {
namespace {

const QString kIidPrefix = QStringLiteral("org.dpgworkbench.ObjectivePlugin/");

std::string str(const QString& s) {
  return s.toStdString();
}
QString qstr(const std::string& s) {
  return QString::fromStdString(s);
}

bool is_id(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

PluginRegistry::PluginRegistry() : PluginRegistry(default_dirs()) {}

PluginRegistry::PluginRegistry(std::vector<std::string> dirs) : dirs_(std::move(dirs)) {
  scan();
}

PluginRegistry::~PluginRegistry() = default;

std::vector<std::string> PluginRegistry::default_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("DPG_PLUGIN_DIR"); env && *env)
    for (const auto& d : qstr(env).split(QDir::listSeparator(), Qt::SkipEmptyParts))
      dirs.push_back(str(d));
  dirs.emplace_back(config::install_plugin_dir());
  if (QCoreApplication::instance())
    dirs.push_back(
        str(QDir::cleanPath(QCoreApplication::applicationDirPath() +
                            QStringLiteral("/../lib/dpg-workbench/plugins/objectives"))));
  dirs.emplace_back(config::build_plugin_dir());
  // The same folder reached twice (e.g. the app dir is the install prefix) is scanned once.
  std::vector<std::string> unique;
  for (const auto& d : dirs) {
    const std::string canonical = str(QDir::cleanPath(QFileInfo(qstr(d)).absoluteFilePath()));
    if (std::find(unique.begin(), unique.end(), canonical) == unique.end())
      unique.push_back(canonical);
  }
  return unique;
}

PluginInfo PluginRegistry::inspect(const std::string& file) {
  PluginInfo info;
  info.file = str(QFileInfo(qstr(file)).absoluteFilePath());
  QPluginLoader loader(qstr(file));
  const QJsonObject meta = loader.metaData();  // reads the library's metadata; runs no code
  if (meta.isEmpty()) {
    info.error = "not a Qt plugin (no plugin metadata): " + str(loader.errorString());
    return info;
  }
  const QString iid = meta.value(QStringLiteral("IID")).toString();
  if (iid != QStringLiteral(DPG_OBJECTIVE_PLUGIN_IID)) {
    info.error = iid.startsWith(kIidPrefix)
                     ? "built for objective plugin interface " + str(iid.mid(kIidPrefix.size())) +
                           "; this DPG Workbench speaks " +
                           str(QStringLiteral(DPG_OBJECTIVE_PLUGIN_IID).mid(kIidPrefix.size()))
                     : "not an objective plugin (IID '" + str(iid) + "')";
    return info;
  }
  const QJsonObject json = meta.value(QStringLiteral("MetaData")).toObject();
  for (const char* key : {"id", "name", "description", "version", "apiVersion", "licence"})
    if (!json.contains(QLatin1String(key))) {
      info.error = std::string("objective.json lacks the required key '") + key + "'";
      return info;
    }
  info.id = str(json.value(QStringLiteral("id")).toString());
  info.name = str(json.value(QStringLiteral("name")).toString());
  info.description = str(json.value(QStringLiteral("description")).toString());
  info.version = str(json.value(QStringLiteral("version")).toString());
  info.licence = str(json.value(QStringLiteral("licence")).toString());
  info.designer = str(json.value(QStringLiteral("designer")).toString());
  info.api_version = json.value(QStringLiteral("apiVersion")).toInt(-1);
  if (!is_id(info.id))
    info.error = "objective.json id '" + info.id + "' is not a lower-case identifier";
  else if (info.api_version != kObjectiveApiVersion)
    info.error = "objective plugin API version " + std::to_string(info.api_version) +
                 "; this DPG Workbench speaks version " + std::to_string(kObjectiveApiVersion);
  return info;
}

void PluginRegistry::scan() {
  plugins_.clear();
  for (const auto& dir_name : dirs_) {
    const QDir dir(qstr(dir_name));
    if (!dir.exists()) continue;
    for (const QFileInfo& fi : dir.entryInfoList(QDir::Files, QDir::Name)) {
      if (!QLibrary::isLibrary(fi.fileName())) continue;
      PluginInfo info = inspect(str(fi.absoluteFilePath()));
      if (info.ok())
        if (const PluginInfo* first = find(info.id))
          info.error = "id '" + info.id + "' is already provided by " + first->file;
      plugins_.push_back(std::move(info));
    }
  }
}

std::vector<std::string> PluginRegistry::kinds() const {
  std::vector<std::string> out;
  for (const auto& p : plugins_)
    if (p.ok()) out.push_back(p.id);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> PluginRegistry::kinds_with_designer(const std::string& designer) const {
  std::vector<std::string> out;
  for (const auto& kind : kinds())
    if (find(kind)->designer == designer) out.push_back(kind);
  return out;
}

const PluginInfo* PluginRegistry::find(const std::string& kind) const {
  for (const auto& p : plugins_)
    if (p.ok() && p.id == kind) return &p;
  return nullptr;
}

const ObjectivePlugin& PluginRegistry::plugin(const std::string& kind) const {
  const PluginInfo* info = find(kind);
  if (!info) {
    std::string known;
    for (const auto& k : kinds()) known += (known.empty() ? "" : ", ") + k;
    std::string msg = "unknown objective kind '" + kind +
                      "' (known: " + (known.empty() ? std::string("none") : known) + ")";
    for (const auto& p : plugins_)
      if (p.id == kind) msg += "; " + p.file + " was refused: " + p.error;
    if (known.empty()) {
      std::string where;
      for (const auto& d : dirs_) where += (where.empty() ? "" : ", ") + d;
      msg += "; no usable plugin in " + where + " (set DPG_PLUGIN_DIR)";
    }
    throw std::invalid_argument(msg);
  }
  auto& loader = loaders_[kind];
  if (!loader) loader = std::make_unique<QPluginLoader>(qstr(info->file));
  QObject* root = loader->instance();
  if (!root)
    throw std::runtime_error(info->file +
                             ": cannot load the plugin: " + str(loader->errorString()));
  auto* plugin = qobject_cast<ObjectivePlugin*>(root);
  if (!plugin)
    throw std::runtime_error(info->file + ": its root object does not implement " +
                             DPG_OBJECTIVE_PLUGIN_IID);
  if (plugin->id() != kind)
    throw std::runtime_error(info->file + ": objective.json says id '" + kind +
                             "' but the plugin says '" + plugin->id() + "'");
  return *plugin;
}

nlohmann::json PluginRegistry::parameters(const std::string& kind) const {
  return plugin(kind).parameters();
}

std::unique_ptr<engine::Objective> PluginRegistry::create(const std::string& kind,
                                                          const nlohmann::json& params) const {
  auto objective = plugin(kind).create(params);
  if (!objective) throw std::runtime_error("plugin '" + kind + "' returned no objective");
  return objective;
}

std::unique_ptr<engine::Objective> PluginRegistry::create(const std::string& kind,
                                                          const nlohmann::json& params,
                                                          const TargetContext& target) const {
  const ObjectivePlugin& base = plugin(kind);
  QObject* root = loaders_.at(kind)->instance();
  auto* aware = qobject_cast<TargetAwarePlugin*>(root);
  auto objective = aware ? aware->create(params, target) : base.create(params);
  if (!objective) throw std::runtime_error("plugin '" + kind + "' returned no objective");
  return objective;
}

JudgeFactory PluginRegistry::judges(const std::string& kind) const {
  if (!find(kind)) return {};
  plugin(kind);
  const auto* verdicts = qobject_cast<VerdictPlugin*>(loaders_.at(kind)->instance());
  if (!verdicts) return {};
  return [verdicts](const engine::Image& target) { return verdicts->judge(target); };
}

JudgeFactory PluginRegistry::any_judges() const {
  std::vector<JudgeFactory> all;
  for (const auto& kind : kinds())
    if (auto j = judges(kind)) all.push_back(std::move(j));
  return [all](const engine::Image& target) -> std::unique_ptr<Judge> {
    for (const auto& make : all)
      if (auto judge = make(target)) return judge;
    return nullptr;
  };
}

}  // namespace dpg::plugin
