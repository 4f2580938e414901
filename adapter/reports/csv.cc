#include "adapter/reports/csv.h"

namespace sa::adapter::reports {

namespace {

bool StartsLikeAFormula(std::string_view v) {
  if (v.empty()) return false;
  switch (v.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string CsvCell(std::string_view value) {
  std::string cell;
  if (StartsLikeAFormula(value)) cell += '\'';
  cell += value;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string CsvRow(const std::vector<std::string>& cells) {
  std::string row;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) row += ',';
    row += CsvCell(cells[i]);
  }
  row += "\r\n";
  return row;
}

}  // namespace sa::adapter::reports
