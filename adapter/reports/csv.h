// CSV for the reports (RFC 4180): cells quoted when they hold a comma, a
// double quote, CR or LF (quotes doubled), records ended by CRLF.
//
// Injection guard: a spreadsheet runs a cell starting with = + - @ (or a tab
// or CR, which some strip first) as a formula, so such a cell is written with
// a leading single quote. Register and compliance cells hold ids, codes, names
// and dates, which an office system or a staff record could set to "=...".
#ifndef SA_ADAPTER_REPORTS_CSV_H_
#define SA_ADAPTER_REPORTS_CSV_H_

#include <string>
#include <string_view>
#include <vector>

namespace sa::adapter::reports {

// One cell: guarded against formula injection, then quoted if it needs it.
std::string CsvCell(std::string_view value);

// One record: the cells, comma-separated, ended by CRLF.
std::string CsvRow(const std::vector<std::string>& cells);

}  // namespace sa::adapter::reports

#endif  // SA_ADAPTER_REPORTS_CSV_H_
