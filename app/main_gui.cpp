// SPDX-License-Identifier: MIT
// dpg-workbench: the GUI entry point.
#include <QApplication>
#include <QLabel>

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("DPG Workbench"));
  QLabel label(QStringLiteral("DPG Workbench"));
  label.show();
  return QApplication::exec();
}
